import type { SqlNames, SqlStatement } from './SqlStatement.js';

/**
 * The bytes a table takes with its indexes, where the database can tell, as one row `{ size }` (NULL for a table
 * that does not exist): PostgreSQL `pg_total_relation_size` (table, indexes, TOAST), MySQL/MariaDB
 * `information_schema.tables` (`data_length + index_length`, InnoDB's estimate), SQLite the `dbstat` virtual table,
 * which only builds with `SQLITE_ENABLE_DBSTAT_VTAB` have (the statement fails elsewhere: size unknown).
 * `table` is unquoted, possibly `schema.table`; it is a parameter, never text.
 */
export function buildTableSizeQuery(names: SqlNames, table: string): SqlStatement {
  const dot = table.indexOf('.');
  const schema = dot === -1 ? null : table.slice(0, dot);
  const name = dot === -1 ? table : table.slice(dot + 1);
  switch (names.dialect) {
    case 'postgresql':
      // to_regclass reads a quoted, possibly qualified name: NULL (not an error) when the table is missing.
      return { sql: 'select pg_total_relation_size(to_regclass(?)) as size', params: [names.quote(table)] };
    case 'mysql':
      return {
        sql: 'select data_length + index_length as size from information_schema.tables where table_schema = coalesce(?, database()) and table_name = ?',
        params: [schema, name],
      };
    case 'sqlite':
      return {
        sql: "select sum(pgsize) as size from dbstat where name = ? or name in (select name from sqlite_master where type = 'index' and tbl_name = ?)",
        params: [name, name],
      };
  }
}
