import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { canonicalExpression } from '../sql/canonicalValues.js';
import type { TamperTables } from '../sql/sealQueries.js';
import { buildRowsByIds, type AuditRowSource } from '../sql/verifyQueries.js';
import { canonicalEncoding, type CanonicalPair } from './chain.js';
import { canonicalText } from './chainRows.js';
import { buildChainColumnsQuery } from '../sql/chainRowsQuery.js';
import { AUDIT_HASH, AUDIT_ID } from '../define/AuditColumns.js';
import { PRUNED_TABLE, SEAL_TABLE } from './tamperEntities.js';

/** `'a'` for an audit row, `'p'` for a prune record. */
export type RowKind = 'a' | 'p';

/** An audit row or a prune record as verify and seal read them, values normalised to text. */
export interface StreamedRow {
  readonly kind: RowKind;
  readonly id: bigint;
  readonly tx: string | null;
  /** `_audit_hash`, or the record's `audit_hash`. */
  readonly hash: string | null;
  /** A record's `backstop_hash`. */
  readonly backstopHash: string | null;
  /** The id of the key that made a record's MAC. */
  readonly keyId: string | null;
  /** A record's MAC. */
  readonly mac: string | null;
  /** The canonical encoding of a row's content, when the statement read it (see the builders). */
  readonly canonical: string | null;
}

/** One tamper-evident audit table, ready to be read. */
export interface AuditTableSource extends AuditRowSource {
  readonly plan: AuditPlan;
  /** The columns `canonical` reads, in that order. */
  readonly columns: readonly string[];
  /** `canonicalEncoding` of a row's texts, in the order of `columns`. */
  readonly encode: (texts: readonly (string | null)[]) => string;
}

/** The statement names of the seal and prune record tables on `plans`' database. */
export function tamperTables(plans: AuditPlans): TamperTables {
  return { ...plans.names, sealTable: SEAL_TABLE, prunedTable: PRUNED_TABLE };
}

/**
 * Reads which columns `plan`'s audit table has (the database's, not the entity's: a column kept from a removed
 * property still holds values the chains cover) and how to read each one's canonical text.
 */
export async function auditTableSource(em: EntityManager, plans: AuditPlans, plan: AuditPlan, transaction?: object): Promise<AuditTableSource> {
  const tables = tamperTables(plans);
  // On `transaction` when there is one: SQLite's single connection is busy with it until it ends.
  const found = await executeStatement(em, transaction, buildChainColumnsQuery(plans.names, plan.shape.auditTable), 'all');
  const columns = found
    .map(row => ({ name: String(row.name), type: String(row.type) }))
    .filter(column => column.name !== AUDIT_ID && column.name !== AUDIT_HASH)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    ...tables,
    plan,
    auditTable: plan.shape.auditTable,
    columns: columns.map(column => column.name),
    encode: encoderOf(columns.map(column => column.name)),
    canonical: columns.map(column => canonicalExpression(tables.dialect, tables.quote(column.name), column.type)),
  };
}

/** The rows with the given ids (with the content of rows without a hash), on `transaction`. */
export async function rowsByIds(em: EntityManager, transaction: object | undefined, source: AuditTableSource, ids: readonly unknown[]): Promise<StreamedRow[]> {
  const rows = await executeStatement(em, transaction, buildRowsByIds(source, ids), 'all');
  return rows.map(raw => streamedRow(source, raw, 'a', false));
}

/**
 * A row read by one of the `verifyQueries` statements, values normalised to text: `kind` says whether it is an
 * audit row or a prune record; `everyContent`: the statement read every row's content (chain order), else only
 * that of rows without a hash.
 */
export function streamedRow(source: AuditTableSource, raw: Record<string, unknown>, kind: RowKind, everyContent: boolean): StreamedRow {
  const hash = canonicalText(raw.h);
  const content = kind === 'a' && (everyContent || hash === null);
  return {
    kind,
    id: BigInt(raw.id as string | number | bigint),
    tx: canonicalText(raw.tx),
    hash,
    backstopHash: canonicalText(raw.bh),
    keyId: canonicalText(raw.k),
    mac: canonicalText(raw.mac),
    canonical: content ? encodingOf(source, raw) : null,
  };
}

// The aliases of the canonical texts, `c0`, `c1`, …: made once, not per row.
const ALIASES: string[] = [];

function encodingOf(source: AuditTableSource, raw: Record<string, unknown>): string {
  for (let i = ALIASES.length; i < source.columns.length; i++) {
    ALIASES.push(`c${i}`);
  }
  const texts: (string | null)[] = new Array<string | null>(source.columns.length);
  for (let i = 0; i < texts.length; i++) {
    texts[i] = canonicalText(raw[ALIASES[i]!]);
  }
  return source.encode(texts);
}

// JSON.stringify of a string, without its call for the usual text that needs no escape.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * `canonicalEncoding` of these columns (already in its order) for their texts in that order, without sorting or
 * building pairs for each of a million rows: the same text (test/tamper/seal-units.test.ts compares them).
 */
export function encoderOf(columns: readonly string[]): (texts: readonly (string | null)[]) => string {
  const sorted = [...columns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.some((column, i) => column !== columns[i])) {
    return texts => canonicalEncoding(columns.map((column, i): CanonicalPair => [column, texts[i] ?? null]));
  }
  const prefixes = columns.map(column => `[${JSON.stringify(column)},`);
  return texts => {
    let text = '[';
    for (let i = 0; i < prefixes.length; i++) {
      const value = texts[i];
      if (value !== null && value !== undefined) {
        text += (text.length === 1 ? prefixes[i]! : `,${prefixes[i]!}`) + jsonString(value) + ']';
      }
    }
    return `${text}]`;
  };
}

/** An id as drivers return a `bigint` (a string from pg, a number from mysql2 and SQLite, a BigInt) as decimal text. */
export function idText(value: unknown): string {
  return BigInt(value as string | number | bigint).toString();
}
