import type { EntityManager } from '@mikro-orm/core';
import { AUDIT_HASH, AUDIT_ID } from '../define/AuditColumns.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { ensureConnected } from '../mikro-orm/ormConnection.js';
import { buildChainColumnsQuery, buildChainRowsQuery, type ChainColumn, type ChainPosition } from '../sql/chainRowsQuery.js';
import type { SqlNames } from '../sql/SqlStatement.js';
import { canonicalEncoding } from './chain.js';

/** One stored audit row as a chain sees it. */
export interface ChainRow {
  readonly id: number;
  readonly transaction: string;
  /** `null` for a trigger backstop row. */
  readonly hash: string | null;
  /** The row's canonical encoding (`canonicalEncoding`), from the database's canonical texts. */
  readonly canonical: string;
}

/** The columns a chain covers: every column of the audit table but `_audit_id` and `_audit_hash`, with its declared type. */
export async function readChainColumns(em: EntityManager, names: SqlNames, auditTable: string): Promise<ChainColumn[]> {
  // Outside a transaction, right after MikroORM.init (a CLI run): MikroORM 7 opens its client on the first query.
  await ensureConnected(em.getConnection('write'));
  const rows = await executeStatement(em, undefined, buildChainColumnsQuery(names, auditTable), 'all');
  if (rows.length === 0) {
    throw new Error(`mikro-orm-audit-trail: audit table ${auditTable} not found`);
  }
  return rows
    .map(row => ({ name: String(row.name), type: String(row.type) }))
    .filter(column => column.name !== AUDIT_ID && column.name !== AUDIT_HASH);
}

/**
 * One keyset batch of chain rows (in `_audit_transaction`, `_audit_id` order) after `after`, read on `transaction`
 * (`undefined`: outside any). Pass the last row of a batch as `after` of the next; an empty batch is the end.
 */
export async function readChainRows(
  em: EntityManager,
  names: SqlNames,
  auditTable: string,
  columns: readonly ChainColumn[],
  options: { after?: ChainPosition; limit: number; chainedOnly?: boolean; transaction?: object },
): Promise<ChainRow[]> {
  if (!options.transaction) {
    await ensureConnected(em.getConnection('write'));
  }
  const rows = await executeStatement(em, options.transaction, buildChainRowsQuery(names, auditTable, columns, options), 'all');
  return rows.map(row => ({
    id: Number(row.i),
    transaction: String(row.t),
    hash: canonicalText(row.h),
    canonical: canonicalEncoding(columns.map((column, i) => [column.name, canonicalText(row[`c${i}`])])),
  }));
}

/** A canonical text as the driver returns it (a string; a number or bytes from some drivers), `null` for NULL. */
export function canonicalText(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  if (Buffer.isBuffer(value)) {
    return value.toString('utf8');
  }
  throw new TypeError(`mikro-orm-audit-trail: a canonical text came back as ${typeof value}`);
}
