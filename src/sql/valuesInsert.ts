import { SqlExpression, type SqlNames, type SqlStatement } from './SqlStatement.js';

/** `insert into <table> (<columns>) values (?, …), (?, …)`: one tuple per row, every value a parameter (a library `SqlExpression` as its text). */
export function buildValuesInsert(names: SqlNames, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): SqlStatement {
  const q = names.quote;
  const params: unknown[] = [];
  const tuples = rows.map(row => {
    const slots = row.map(value => {
      if (value instanceof SqlExpression) {
        return value.sql;
      }
      params.push(value);
      return '?';
    });
    return `(${slots.join(', ')})`;
  });
  return { sql: `insert into ${q(table)} (${columns.map(q).join(', ')}) values ${tuples.join(', ')}`, params };
}
