import { AUDIT_ID } from '../define/AuditColumns.js';
import type { HistoryTable, KeyRange } from './historyQueries.js';
import type { SqlStatement } from './SqlStatement.js';

/**
 * The audit rows of `ids` still present, lowest id first, locked until the batch's transaction ends: `id`, and
 * `hash` from `hashColumn` (`null` without one). A prune batch records exactly these before it deletes them.
 */
export function buildRowsToPrune(table: HistoryTable, ids: readonly unknown[], hashColumn: string | undefined): SqlStatement {
  const q = table.quote;
  const hash = hashColumn === undefined ? 'null' : q(hashColumn);
  const lock = table.dialect === 'sqlite' ? '' : ' for update';
  return {
    sql: `select ${q(AUDIT_ID)} as ${q('id')}, ${hash} as ${q('hash')} from ${q(table.auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')}) order by ${q(AUDIT_ID)}${lock}`,
    params: [...ids],
  };
}

/** How many audit rows a key range holds (see `KeyRange`), as `n`; the whole table without bounds. */
export function buildCountInRange(table: HistoryTable, range: KeyRange): SqlStatement {
  const q = table.quote;
  const first = q(table.keyColumns[0]!);
  const bounds: string[] = [];
  const params: unknown[] = [];
  for (const [op, value] of [['>', range.after], ['<=', range.upTo]] as const) {
    if (value !== undefined) {
      bounds.push(`${first} ${op} ?`);
      params.push(value);
    }
  }
  const where = bounds.length > 0 ? ` where ${bounds.join(' and ')}` : '';
  return { sql: `select count(*) as ${q('n')} from ${q(table.auditTable)}${where}`, params };
}
