import type { SqlStatement } from './SqlStatement.js';

/**
 * MySQL/MariaDB: the statement with every `?` replaced by a literal whose meaning no server setting can change.
 * The mysql2 driver would format parameters into the text itself, escaping with backslashes, which
 * `NO_BACKSLASH_ESCAPES` turns into plain characters (a value could then end its string and run as SQL). Here a
 * string becomes a hex literal with a charset introducer (`_utf8mb4 X'…'`), bytes a plain hex literal, and only
 * finite numbers, booleans, `NULL` and `formatDate`'s digits are written as they are.
 */
export function inlineMysqlLiterals(statement: SqlStatement, formatDate: (date: Date) => string): string {
  const parts = statement.sql.split('?');
  if (parts.length - 1 !== statement.params.length) {
    throw new Error(`statement has ${parts.length - 1} placeholders for ${statement.params.length} values`);
  }
  return parts.reduce((sql, part, i) => sql + mysqlLiteral(statement.params[i - 1], formatDate) + part);
}

/** One value as a setting-proof MySQL/MariaDB literal. */
export function mysqlLiteral(value: unknown, formatDate: (date: Date) => string): string {
  if (value === null || value === undefined) {
    return 'NULL';
  }
  if (typeof value === 'boolean') {
    return value ? '1' : '0';
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`cannot store the number ${value} in MySQL/MariaDB`);
    }
    return String(value);
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return `X'${Buffer.from(value).toString('hex')}'`;
  }
  if (value instanceof Date) {
    return textLiteral(formatDate(value));
  }
  return textLiteral(typeof value === 'object' ? JSON.stringify(value) : String(value as string));
}

function textLiteral(text: string): string {
  return `_utf8mb4 X'${Buffer.from(text, 'utf8').toString('hex')}'`;
}

/** PostgreSQL's numbered placeholders (`$1`, `$2`, …) for the `?` of a statement built by this module. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
