import { keyPlaceholder, keyTarget, type SqlNames, type SqlStatement } from './SqlStatement.js';

/**
 * `select <columns> from <table> where <keyColumns> in (…)` for one chunk of keys. Each column comes back
 * aliased `c0`, `c1`, … so that rows can be read in `columns` order whatever the driver does with names.
 */
export function buildSelectByKeys(
  names: SqlNames,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  columns: readonly string[],
): SqlStatement {
  const q = names.quote;
  const select = columns.map((column, i) => `${q(column)} as ${q(`c${i}`)}`).join(', ');
  const list = keys.map(() => keyPlaceholder(keyColumns.length)).join(', ');
  return { sql: `select ${select} from ${q(table)} where ${keyTarget(names, keyColumns)} in (${list})`, params: keys.flat() };
}
