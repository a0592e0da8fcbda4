import type { HistoryTable } from './historyQueries.js';
import type { SqlStatement } from './SqlStatement.js';

// `not exists` an audit row of the source row aliased `s`: the audit table copies the key columns under their names.
function withoutHistory(table: HistoryTable): string {
  const q = table.quote;
  const sameKey = table.keyColumns.map(column => `${q('a')}.${q(column)} = ${q('s')}.${q(column)}`).join(' and ');
  return `not exists (select 1 from ${q(table.auditTable)} ${q('a')} where ${sameKey})`;
}

/**
 * Keys after `after` in key order, `(k1, k2) > (x, y)` written as `k1 > x or (k1 = x and k2 > y)`: every dialect
 * reads it as an index range on the primary key, and it needs no row-value comparison.
 */
function keysAfter(table: HistoryTable, after: readonly unknown[]): SqlStatement {
  const q = table.quote;
  const column = (i: number) => `${q('s')}.${q(table.keyColumns[i]!)}`;
  const params: unknown[] = [];
  const alternatives = table.keyColumns.map((_, i) => {
    const equal = table.keyColumns.slice(0, i).map((__, j) => {
      params.push(after[j]);
      return `${column(j)} = ?`;
    });
    params.push(after[i]);
    return [...equal, `${column(i)} > ?`].join(' and ');
  });
  return { sql: alternatives.length === 1 ? alternatives[0]! : `(${alternatives.map(a => `(${a})`).join(' or ')})`, params };
}

/**
 * The keys of live source rows that have no audit row at all, after `after` (none: from the first) in key order,
 * at most `limit`; each key column comes back as `c0`, `c1`, …. `backfillAudit()` reads one batch with it.
 */
export function buildRowsWithoutHistory(table: HistoryTable, after: readonly unknown[] | undefined, limit: number): SqlStatement {
  const q = table.quote;
  const keys = table.keyColumns.map(column => `${q('s')}.${q(column)}`);
  const conditions = [withoutHistory(table)];
  const params: unknown[] = [];
  if (after !== undefined) {
    const bound = keysAfter(table, after);
    conditions.unshift(bound.sql);
    params.push(...bound.params);
  }
  params.push(limit);
  const select = keys.map((key, i) => `${key} as ${q(`c${i}`)}`).join(', ');
  return {
    sql: `select ${select} from ${q(table.sourceTable)} ${q('s')} where ${conditions.join(' and ')} order by ${keys.join(', ')} limit ?`,
    params,
  };
}

/** How many live source rows have no audit row at all, as `n`: the total a backfill reports progress against. */
export function buildCountWithoutHistory(table: HistoryTable): SqlStatement {
  const q = table.quote;
  return { sql: `select count(*) as ${q('n')} from ${q(table.sourceTable)} ${q('s')} where ${withoutHistory(table)}`, params: [] };
}
