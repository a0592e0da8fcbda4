import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { canonicalExpression } from '../sql/canonicalValues.js';
import type { TamperTables } from '../sql/sealQueries.js';
import { buildRowsById, buildRowsByIds, buildRowsByTransaction, type AuditRowSource, type IdPosition, type RowKind, type TransactionPosition } from '../sql/verifyQueries.js';
import { canonicalEncoding, type CanonicalPair } from './chain.js';
import { canonicalText } from './chainRows.js';
import { buildChainColumnsQuery } from '../sql/chainRowsQuery.js';
import { AUDIT_HASH, AUDIT_ID } from '../define/AuditColumns.js';
import { PRUNED_TABLE, SEAL_TABLE } from './tamperEntities.js';

/** An audit row or a prune record as verify and seal read them, values normalised to text. */
export interface StreamedRow {
  readonly kind: RowKind;
  readonly id: bigint;
  readonly tx: string | null;
  /** `_audit_hash`, or the record's `audit_hash`. */
  readonly hash: string | null;
  /** A record's `backstop_hash`. */
  readonly backstopHash: string | null;
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
    canonical: columns.map(column => canonicalExpression(tables.dialect, tables.quote(column.name), column.type)),
  };
}

/** Every row and prune record of the table in `_audit_id` order, after `after`, up to `upTo`, in keyset batches. */
export async function* rowsById(em: EntityManager, source: AuditTableSource, options: { after?: IdPosition; upTo?: string; batchSize: number }): AsyncGenerator<StreamedRow> {
  let after = options.after;
  for (;;) {
    const batch = await executeStatement(em, undefined, buildRowsById(source, after, options.upTo, options.batchSize), 'all');
    for (const raw of batch) {
      yield streamedRow(source, raw, false);
    }
    if (batch.length < options.batchSize) {
      return;
    }
    const last = batch[batch.length - 1]!;
    after = { id: idText(last.id), kind: last.k as RowKind };
  }
}

/** Every chained row and prune record of a chained row, by transaction then `_audit_id`, in keyset batches. */
export async function* rowsByTransaction(em: EntityManager, source: AuditTableSource, batchSize: number): AsyncGenerator<StreamedRow> {
  let after: TransactionPosition | undefined;
  for (;;) {
    const batch = await executeStatement(em, undefined, buildRowsByTransaction(source, after, batchSize), 'all');
    for (const raw of batch) {
      yield streamedRow(source, raw, true);
    }
    if (batch.length < batchSize) {
      return;
    }
    const last = batch[batch.length - 1]!;
    after = { tx: String(last.tx), id: idText(last.id), kind: last.k as RowKind };
  }
}

/** The rows with the given ids (with the content of rows without a hash), on `transaction`. */
export async function rowsByIds(em: EntityManager, transaction: object | undefined, source: AuditTableSource, ids: readonly unknown[]): Promise<StreamedRow[]> {
  const rows = await executeStatement(em, transaction, buildRowsByIds(source, ids), 'all');
  return rows.map(raw => streamedRow(source, raw, false));
}

// `everyContent`: the statement read every row's content (by transaction), else only that of rows without a hash.
function streamedRow(source: AuditTableSource, raw: Record<string, unknown>, everyContent: boolean): StreamedRow {
  const kind = raw.k as RowKind;
  const text = canonicalText;
  const hash = text(raw.h);
  const content = kind === 'a' && (everyContent || hash === null);
  return {
    kind,
    id: BigInt(idText(raw.id)),
    tx: text(raw.tx),
    hash,
    backstopHash: text(raw.bh),
    mac: text(raw.mac),
    canonical: content ? encodingOf(source, raw) : null,
  };
}

function encodingOf(source: AuditTableSource, raw: Record<string, unknown>): string {
  const pairs: CanonicalPair[] = source.columns.map((column, i) => {
    const value = raw[`c${i}`];
    return [column, canonicalText(value)];
  });
  return canonicalEncoding(pairs);
}

// Drivers return `bigint` as a string (pg), a number (mysql2, SQLite) or a BigInt: all as decimal text.
function idText(value: unknown): string {
  return BigInt(value as string | number | bigint).toString();
}
