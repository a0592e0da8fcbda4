import type { SqlNames, SqlStatement } from './SqlStatement.js';

/** `insert into <table> (<columns>) values (?, …), (?, …)`: one tuple per row, every value a parameter. */
export function buildValuesInsert(names: SqlNames, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): SqlStatement {
  const q = names.quote;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return {
    sql: `insert into ${q(table)} (${columns.map(q).join(', ')}) values ${rows.map(() => tuple).join(', ')}`,
    params: rows.flat(),
  };
}
