import { keyPlaceholder, keyTarget, type SqlNames, type SqlStatement } from './SqlStatement.js';

/**
 * `select <columns> from <table> where <keyColumns> in (…)` for one chunk of keys. Each column comes back
 * aliased `c0`, `c1`, … so that rows can be read in `columns` order whatever the driver does with names.
 *
 * With `forUpdate`, the rows are locked as a delete or update would lock them (`for update`, in the order of
 * `columns`, so that two writers locking overlapping rows take them in the same order instead of deadlocking).
 * SQLite has one writer at a time and no row locks: there it is a plain read.
 */
export function buildSelectByKeys(
  names: SqlNames,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  columns: readonly string[],
  forUpdate = false,
): SqlStatement {
  const q = names.quote;
  const select = columns.map((column, i) => `${q(column)} as ${q(`c${i}`)}`).join(', ');
  const list = keys.map(() => keyPlaceholder(keyColumns.length)).join(', ');
  const lock = forUpdate && names.dialect !== 'sqlite' ? ` order by ${columns.map(q).join(', ')} for update` : '';
  return { sql: `select ${select} from ${q(table)} where ${keyTarget(names, keyColumns)} in (${list})${lock}`, params: keys.flat() };
}
