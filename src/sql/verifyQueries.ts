import { AUDIT_HASH, AUDIT_ID, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import type { TamperTables } from './sealQueries.js';
import type { SqlStatement } from './SqlStatement.js';

/**
 * One audit table as verify and seal read it, with the canonical text of every column (`canonical`: one SQL
 * expression per column, from `canonicalExpression`, in the order of the caller's column list).
 */
export interface AuditRowSource extends TamperTables {
  readonly auditTable: string;
  readonly canonical: readonly string[];
}

// Rows and prune records are read by separate statements and merged by the caller: a UNION ordered by id made
// PostgreSQL sort the whole table for every batch (a constant column per branch hides the key order).

/**
 * The next `limit` audit rows in `_audit_id` order after `after`, up to `upTo` (inclusive) when given: `id`,
 * transaction `tx`, hash `h`, then `c0…cn`, the canonical texts: of every row with `everyContent` (verify checks
 * each row's chain link), else of rows without a hash only (their content hash stands for them in seal
 * digests). An index range scan of the key, reading the table in its physical order.
 */
export function buildRowsById(source: AuditRowSource, after: string | undefined, upTo: string | undefined, limit: number, everyContent = false): SqlStatement {
  const q = source.quote;
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (after !== undefined) {
    conditions.push(`${q(AUDIT_ID)} > ?`);
    params.push(after);
  }
  if (upTo !== undefined) {
    conditions.push(`${q(AUDIT_ID)} <= ?`);
    params.push(upTo);
  }
  const canonical = source.canonical.map((expression, i) => `, ${everyContent ? expression : `case when ${q(AUDIT_HASH)} is null then ${expression} end`} as ${q(`c${i}`)}`);
  return {
    sql:
      `select ${rowColumns(source)}${canonical.join('')} from ${q(source.auditTable)}` +
      `${conditions.length ? ` where ${conditions.join(' and ')}` : ''} order by ${q(AUDIT_ID)} limit ?`,
    params: [...params, limit],
  };
}

/** The next `limit` prune records of the table in `audit_id` order after `after`, up to `upTo`: `id`, `tx`, `h`, `bh`, `k`, `mac`. */
export function buildRecordsById(source: AuditRowSource, after: string | undefined, upTo: string | undefined, limit: number): SqlStatement {
  const q = source.quote;
  const conditions = [`${q('audit_table')} = ?`];
  const params: unknown[] = [source.auditTable];
  if (after !== undefined) {
    conditions.push(`${q('audit_id')} > ?`);
    params.push(after);
  }
  if (upTo !== undefined) {
    conditions.push(`${q('audit_id')} <= ?`);
    params.push(upTo);
  }
  return {
    sql: `select ${recordColumns(source)} from ${q(source.prunedTable)} where ${conditions.join(' and ')} order by ${q('audit_table')}, ${q('audit_id')} limit ?`,
    params: [...params, limit],
  };
}

/**
 * The chained rows (`a`) or prune records (`p`) of the given transactions with an id below `before`: `id`, `tx`,
 * `h`, in no order. Verify asks for the few transactions whose chain state it no longer holds.
 */
export function buildPredecessors(source: AuditRowSource, kind: 'a' | 'p', transactions: readonly string[], before: string): SqlStatement {
  const q = source.quote;
  const list = transactions.map(() => '?').join(', ');
  if (kind === 'a') {
    return {
      sql: `select ${rowColumns(source)} from ${q(source.auditTable)} where ${q(AUDIT_TRANSACTION)} in (${list}) and ${q(AUDIT_HASH)} is not null and ${q(AUDIT_ID)} < ?`,
      params: [...transactions, before],
    };
  }
  return {
    sql:
      `select ${recordColumns(source)} from ${q(source.prunedTable)} where ${q('audit_table')} = ? and ${q('audit_transaction')} in (${list}) ` +
      `and ${q('audit_hash')} is not null and ${q('audit_id')} < ?`,
    params: [source.auditTable, ...transactions, before],
  };
}

/** The rows with the given ids, in the columns of `buildRowsById`, for prune records. */
export function buildRowsByIds(source: AuditRowSource, ids: readonly unknown[]): SqlStatement {
  const q = source.quote;
  const canonical = source.canonical.map((expression, i) => `, case when ${q(AUDIT_HASH)} is null then ${expression} end as ${q(`c${i}`)}`);
  return {
    sql: `select ${rowColumns(source)}${canonical.join('')} from ${q(source.auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')}) order by ${q(AUDIT_ID)}`,
    params: [...ids],
  };
}

/** How many rows (`a`) and prune records (`p`) the table has: what a pass reads, for progress. */
export function buildRowCount(source: AuditRowSource): SqlStatement {
  const q = source.quote;
  return {
    sql: `select (select count(*) from ${q(source.auditTable)}) as ${q('a')}, (select count(*) from ${q(source.prunedTable)} where ${q('audit_table')} = ?) as ${q('p')}`,
    params: [source.auditTable],
  };
}

function rowColumns(source: AuditRowSource): string {
  const q = source.quote;
  return `${q(AUDIT_ID)} as ${q('id')}, ${q(AUDIT_TRANSACTION)} as ${q('tx')}, ${q(AUDIT_HASH)} as ${q('h')}`;
}

function recordColumns(source: AuditRowSource): string {
  const q = source.quote;
  return `${q('audit_id')} as ${q('id')}, ${q('audit_transaction')} as ${q('tx')}, ${q('audit_hash')} as ${q('h')}, ${q('backstop_hash')} as ${q('bh')}, ${q('key_id')} as ${q('k')}, ${q('mac')} as ${q('mac')}`;
}
