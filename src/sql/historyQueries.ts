import { AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { keyPlaceholder, keyTarget, type SqlNames, type SqlStatement } from './SqlStatement.js';

/** An audit table and the columns history queries rank its versions by. */
export interface HistoryTable extends SqlNames {
  readonly auditTable: string;
  readonly sourceTable: string;
  readonly keyColumns: readonly string[];
}

/**
 * Versions of one row, newest first: the order every history reader uses. A row's versions are written while
 * their writer holds the row's lock, so their audit ids increase in the order they committed (ARCHITECTURE.md).
 */
function newestFirst(table: HistoryTable): string {
  const q = table.quote;
  return `row_number() over (partition by ${table.keyColumns.map(q).join(', ')} order by ${q(AUDIT_ID)} desc)`;
}

/**
 * A condition on audit rows aliased `a`: the row is the newest version of its key written at or before the
 * instant, and not a deletion. For `asOf()` of every row.
 */
export function buildLatestVersionCondition(table: HistoryTable, at: unknown): SqlStatement {
  const q = table.quote;
  const latest = `select ${q(AUDIT_ID)}, ${q(AUDIT_CHANGE_TYPE)}, ${newestFirst(table)} as ${q('rn')} from ${q(table.auditTable)} where ${q(AUDIT_TIMESTAMP)} <= ?`;
  return {
    sql: `${q('a')}.${q(AUDIT_ID)} in (select ${q('v')}.${q(AUDIT_ID)} from (${latest}) ${q('v')} where ${q('v')}.${q('rn')} = 1 and ${q('v')}.${q(AUDIT_CHANGE_TYPE)} <> 'D')`,
    params: [at],
  };
}

/** What `pruneAudit()` removes: versions older than an instant, beyond the newest `keepLast`, the newest of a live row. */
export interface PruneCriteria {
  readonly olderThan?: unknown;
  readonly keepLast?: number;
  readonly pruneNewest: boolean;
}

/**
 * A range of keys, by their first column: values after `after` (none: from the first) up to and including `upTo`
 * (none: to the last). A range holds every version of each of its keys, so versions can be ranked within it.
 * The first column alone has an index of its own in every audit table, so both bounds are index ranges.
 */
export interface KeyRange {
  readonly after?: unknown;
  readonly upTo?: unknown;
}

/**
 * The end of the range that starts after `after` and spans about `rows` audit rows: the first key column of the
 * `rows`-th row in that order, as `k`; no row when fewer rows are left (the range then runs to the end).
 */
export function buildKeyRangeEnd(table: HistoryTable, after: unknown, rows: number): SqlStatement {
  const q = table.quote;
  const first = q(table.keyColumns[0]!);
  const params: unknown[] = after === undefined ? [] : [after];
  params.push(rows - 1);
  const where = after === undefined ? '' : ` where ${first} > ?`;
  return { sql: `select ${first} as ${q('k')} from ${q(table.auditTable)}${where} order by ${first} limit 1 offset ?`, params };
}

/**
 * The audit ids of the versions to prune among the keys of one range, lowest first. Versions are ranked within
 * the range only, so each statement costs the size of its range, not of the table.
 */
export function buildPruneSelect(table: HistoryTable, criteria: PruneCriteria, range: KeyRange): SqlStatement {
  const q = table.quote;
  const keys = table.keyColumns.map(q);
  const params: unknown[] = [];
  const bounds: string[] = [];
  for (const [op, value] of [['>', range.after], ['<=', range.upTo]] as const) {
    if (value !== undefined) {
      bounds.push(`${keys[0]} ${op} ?`);
      params.push(value);
    }
  }
  const conditions: string[] = [];
  if (criteria.olderThan !== undefined) {
    conditions.push(`v.${q(AUDIT_TIMESTAMP)} < ?`);
    params.push(criteria.olderThan);
  }
  if (criteria.keepLast !== undefined) {
    conditions.push(`v.${q('rn')} > ?`);
    params.push(criteria.keepLast);
  }
  if (!criteria.pruneNewest) {
    const sameKey = keys.map(key => `s.${key} = v.${key}`).join(' and ');
    conditions.push(`not (v.${q('rn')} = 1 and exists (select 1 from ${q(table.sourceTable)} s where ${sameKey}))`);
  }
  const where = bounds.length > 0 ? ` where ${bounds.join(' and ')}` : '';
  const ranked = `select ${q(AUDIT_ID)}, ${q(AUDIT_TIMESTAMP)}, ${keys.join(', ')}, ${newestFirst(table)} as ${q('rn')} from ${q(table.auditTable)}${where}`;
  return { sql: `select v.${q(AUDIT_ID)} as ${q('id')} from (${ranked}) v where ${conditions.join(' and ')} order by v.${q(AUDIT_ID)}`, params };
}

/** Deletes audit rows by id. */
export function buildDeleteByIds(table: HistoryTable, ids: readonly unknown[]): SqlStatement {
  const q = table.quote;
  return { sql: `delete from ${q(table.auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')})`, params: [...ids] };
}

/**
 * The versions of `keys` written by other transactions than `transactionId`: keys as `k0…`, the audit id as `id`,
 * the change type as `t` (`'U'` for every version when the table keeps no change type).
 */
export function buildOtherVersions(table: HistoryTable, keys: readonly (readonly unknown[])[], transactionId: string, changeType: boolean): SqlStatement {
  const q = table.quote;
  const selected = [...table.keyColumns.map((column, i) => `${q(column)} as ${q(`k${i}`)}`), `${q(AUDIT_ID)} as ${q('id')}`, `${changeType ? q(AUDIT_CHANGE_TYPE) : `'U'`} as ${q('t')}`];
  const list = keys.map(() => keyPlaceholder(table.keyColumns.length)).join(', ');
  const other = `(${q(AUDIT_TRANSACTION)} is null or ${q(AUDIT_TRANSACTION)} <> ?)`;
  return {
    sql: `select ${selected.join(', ')} from ${q(table.auditTable)} where ${keyTarget(table, table.keyColumns)} in (${list}) and ${other}`,
    params: [...keys.flat(), transactionId],
  };
}
