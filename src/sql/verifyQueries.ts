import { AUDIT_HASH, AUDIT_ID, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import type { TamperTables } from './sealQueries.js';
import type { SqlStatement } from './SqlStatement.js';

/**
 * One audit table as verify and seal read it: its rows together with the prune records of its removed rows,
 * each row with the canonical text of every column (`canonical`: one SQL expression per column, from
 * `canonicalExpression`, in the order of the caller's column list).
 */
export interface AuditRowSource extends TamperTables {
  readonly auditTable: string;
  readonly canonical: readonly string[];
}

/** `'a'` for an audit row, `'p'` for a prune record: a record sorts after a row with the same id. */
export type RowKind = 'a' | 'p';

/** Where a keyset batch by id starts: after this row. */
export interface IdPosition {
  readonly id: string;
  readonly kind: RowKind;
}

/** Where a keyset batch by transaction starts: after this row. */
export interface TransactionPosition extends IdPosition {
  readonly tx: string;
}

/**
 * The next `limit` rows and prune records of the table in `_audit_id` order, after `after` and up to `upTo`
 * (inclusive) when given: kind `k`, `id`, transaction `tx`, hash `h`, the record's backstop hash `bh` and `mac`,
 * then `c0…cn`, the canonical texts, of rows without a hash only (the others need none here). Both halves are
 * index range scans: the audit table's key, the records' `(audit_table, audit_id)`.
 */
export function buildRowsById(source: AuditRowSource, after: IdPosition | undefined, upTo: string | undefined, limit: number): SqlStatement {
  const q = source.quote;
  const rowConditions: string[] = [];
  const recordConditions = [`${q('audit_table')} = ?`];
  const rowParams: unknown[] = [];
  const recordParams: unknown[] = [source.auditTable];
  if (after) {
    // A record with the id of the last row read is still to come; a row with the last record's id was read.
    rowConditions.push(`${q(AUDIT_ID)} > ?`);
    rowParams.push(after.id);
    recordConditions.push(`${q('audit_id')} ${after.kind === 'a' ? '>=' : '>'} ?`);
    recordParams.push(after.id);
  }
  if (upTo !== undefined) {
    rowConditions.push(`${q(AUDIT_ID)} <= ?`);
    rowParams.push(upTo);
    recordConditions.push(`${q('audit_id')} <= ?`);
    recordParams.push(upTo);
  }
  const canonical = source.canonical.map((expression, i) => `case when ${q(AUDIT_HASH)} is null then ${expression} end as ${q(`c${i}`)}`);
  const rows =
    `select 'a' as ${q('k')}, ${q(AUDIT_ID)} as ${q('id')}, ${q(AUDIT_TRANSACTION)} as ${q('tx')}, ${q(AUDIT_HASH)} as ${q('h')}, ` +
    `null as ${q('bh')}, null as ${q('mac')}${canonical.map(c => `, ${c}`).join('')} from ${q(source.auditTable)}` +
    (rowConditions.length ? ` where ${rowConditions.join(' and ')}` : '');
  const records =
    `select 'p', ${q('audit_id')}, ${q('audit_transaction')}, ${q('audit_hash')}, ${q('backstop_hash')}, ${q('mac')}` +
    `${source.canonical.map(() => ', null').join('')} from ${q(source.prunedTable)} where ${recordConditions.join(' and ')}`;
  return {
    sql: `select * from (${rows} union all ${records}) ${q('u')} order by ${q('id')}, ${q('k')} limit ?`,
    params: [...rowParams, ...recordParams, limit],
  };
}

/**
 * The next `limit` chained rows and prune records of chained rows, in (`_audit_transaction`, `_audit_id`) order
 * after `after`: `k`, `id`, `tx`, `h`, then `c0…cn` for rows. Rows without a hash or transaction are in no chain.
 * The bound on the transaction alone comes first, so that its index serves the range.
 */
export function buildRowsByTransaction(source: AuditRowSource, after: TransactionPosition | undefined, limit: number): SqlStatement {
  const q = source.quote;
  const rowConditions = [`${q(AUDIT_HASH)} is not null`, `${q(AUDIT_TRANSACTION)} is not null`];
  const recordConditions = [`${q('audit_table')} = ?`, `${q('audit_hash')} is not null`, `${q('audit_transaction')} is not null`];
  const rowParams: unknown[] = [];
  const recordParams: unknown[] = [source.auditTable];
  if (after) {
    const [tx, id] = [q(AUDIT_TRANSACTION), q(AUDIT_ID)];
    rowConditions.push(`${tx} >= ?`, `(${tx} > ? or ${id} > ?)`);
    rowParams.push(after.tx, after.tx, after.id);
    recordConditions.push(`${q('audit_transaction')} >= ?`, `(${q('audit_transaction')} > ? or ${q('audit_id')} ${after.kind === 'a' ? '>=' : '>'} ?)`);
    recordParams.push(after.tx, after.tx, after.id);
  }
  const rows =
    `select 'a' as ${q('k')}, ${q(AUDIT_ID)} as ${q('id')}, ${q(AUDIT_TRANSACTION)} as ${q('tx')}, ${q(AUDIT_HASH)} as ${q('h')}` +
    `${source.canonical.map((expression, i) => `, ${expression} as ${q(`c${i}`)}`).join('')} from ${q(source.auditTable)} where ${rowConditions.join(' and ')}`;
  const records =
    `select 'p', ${q('audit_id')}, ${q('audit_transaction')}, ${q('audit_hash')}${source.canonical.map(() => ', null').join('')} ` +
    `from ${q(source.prunedTable)} where ${recordConditions.join(' and ')}`;
  return {
    sql: `select * from (${rows} union all ${records}) ${q('u')} order by ${q('tx')}, ${q('id')}, ${q('k')} limit ?`,
    params: [...rowParams, ...recordParams, limit],
  };
}

/** The rows with the given ids, in the columns of `buildRowsById` (`k` is `'a'`), for prune records. */
export function buildRowsByIds(source: AuditRowSource, ids: readonly unknown[]): SqlStatement {
  const q = source.quote;
  const canonical = source.canonical.map((expression, i) => `, case when ${q(AUDIT_HASH)} is null then ${expression} end as ${q(`c${i}`)}`);
  return {
    sql:
      `select 'a' as ${q('k')}, ${q(AUDIT_ID)} as ${q('id')}, ${q(AUDIT_TRANSACTION)} as ${q('tx')}, ${q(AUDIT_HASH)} as ${q('h')}${canonical.join('')} ` +
      `from ${q(source.auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')}) order by ${q(AUDIT_ID)}`,
    params: [...ids],
  };
}

/** How many rows (`a`) and prune records (`p`) the table has: the total a pass reads, for progress. */
export function buildRowCount(source: AuditRowSource): SqlStatement {
  const q = source.quote;
  return {
    sql: `select (select count(*) from ${q(source.auditTable)}) as ${q('a')}, (select count(*) from ${q(source.prunedTable)} where ${q('audit_table')} = ?) as ${q('p')}`,
    params: [source.auditTable],
  };
}
