import { AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_TIMESTAMP } from '../define/AuditColumns.js';
import type { SqlNames, SqlStatement } from './SqlStatement.js';

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
  readonly batchSize: number;
}

/** The audit ids of the next batch of versions to prune, lowest first. */
export function buildPruneSelect(table: HistoryTable, criteria: PruneCriteria): SqlStatement {
  const q = table.quote;
  const keys = table.keyColumns.map(q);
  const conditions: string[] = [];
  const params: unknown[] = [];
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
  const ranked = `select ${q(AUDIT_ID)}, ${q(AUDIT_TIMESTAMP)}, ${keys.join(', ')}, ${newestFirst(table)} as ${q('rn')} from ${q(table.auditTable)}`;
  params.push(criteria.batchSize);
  return { sql: `select v.${q(AUDIT_ID)} as ${q('id')} from (${ranked}) v where ${conditions.join(' and ')} order by v.${q(AUDIT_ID)} limit ?`, params };
}

/** Deletes audit rows by id. */
export function buildDeleteByIds(table: HistoryTable, ids: readonly unknown[]): SqlStatement {
  const q = table.quote;
  return { sql: `delete from ${q(table.auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')})`, params: [...ids] };
}
