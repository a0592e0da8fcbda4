import type { Dialect } from './Dialect.js';

// Microseconds, with the era only where it is BC (`to_char`'s YYYY has no sign).
const PG_TIMESTAMP = `'YYYY-MM-DD"T"HH24:MI:SS.US'`;
// PostgreSQL types whose text form depends on session settings (DateStyle, IntervalStyle, extra_float_digits,
// lc_monetary, bytea_output): in an array, their binary send form is used instead (no setting changes it).
const PG_SETTING_DEPENDENT = /^(timestamp|timestamptz|date|time|timetz|interval|real|float4|double precision|float8|float|bytea|money)\b/;
const MYSQL_BYTES = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob|bit)\b/;

/**
 * The SQL expression giving the canonical text of one stored value of a column (`quotedColumn`, an SQL column
 * reference) of type `columnType` (as declared, e.g. `timestamptz(3)`, `varchar(255)`, `numeric(10,2)`), NULL for
 * NULL. Tamper evidence hashes these texts: the writer's pre-read and `verify` use the same expression, so the same
 * stored value gives the same text whatever the session's TimeZone, DateStyle, time_zone or sql_mode, the client's
 * TZ, and whichever process reads it.
 *
 * - PostgreSQL: `timestamptz` as UTC `YYYY-MM-DDTHH:MI:SS.ffffff`, `timestamp` the same digits as stored, `date`
 *   `YYYY-MM-DD` (with ` BC` before year 1, `infinity` as is); `bytea` as hex; floats, `interval` and `money`
 *   (and arrays of setting-dependent types) as the hex of their binary form; anything else `cast(x as text)`.
 * - MySQL/MariaDB: `datetime` as `YYYY-MM-DDTHH:MI:SS.ffffff`, `date` `YYYY-MM-DD`, `timestamp` as its Unix time
 *   (the text form is in the session `time_zone`), bytes as hex, anything else as utf8mb4 text.
 * - SQLite: `quote(x)`, which also tells the storage class (`1` vs `'1'`).
 *
 * The expressions use no `?` and no double quotes, so that neither placeholders nor ANSI_QUOTES can misread them.
 */
export function canonicalExpression(dialect: Dialect, quotedColumn: string, columnType: string): string {
  const type = columnType.trim().toLowerCase();
  switch (dialect) {
    case 'postgresql':
      return postgresCanonical(quotedColumn, type);
    case 'mysql':
      return mysqlCanonical(quotedColumn, type);
    case 'sqlite':
      return `quote(${quotedColumn})`;
  }
}

function postgresCanonical(x: string, type: string): string {
  if (type.endsWith('[]')) {
    return PG_SETTING_DEPENDENT.test(type) ? `encode(array_send(${x}), 'hex')` : `cast(${x} as text)`;
  }
  const base = type.replace(/\s*\([^)]*\)/g, '').replace(/\s+/g, ' ');
  switch (base) {
    case 'timestamptz':
    case 'timestamp with time zone':
      return pgInstant(x, `(${x} at time zone 'UTC')`, PG_TIMESTAMP, `timestamp '0001-01-01'`);
    case 'timestamp':
    case 'timestamp without time zone':
      return pgInstant(x, x, PG_TIMESTAMP, `timestamp '0001-01-01'`);
    case 'date':
      return pgInstant(x, x, `'YYYY-MM-DD'`, `date '0001-01-01'`);
    case 'bytea':
      return `encode(${x}, 'hex')`;
    case 'real':
    case 'float4':
      return `encode(float4send(${x}), 'hex')`;
    case 'double precision':
    case 'float8':
    case 'float':
      return `encode(float8send(${x}), 'hex')`;
    case 'interval':
      return `encode(interval_send(${x}), 'hex')`;
    case 'money':
      return `encode(cash_send(${x}), 'hex')`;
    default:
      return `cast(${x} as text)`;
  }
}

// `to_char` of a finite value; `infinity`/`-infinity` as their (setting-free) text; BC years marked.
function pgInstant(x: string, local: string, format: string, firstYear: string): string {
  return `case when isfinite(${x}) then to_char(${local}, ${format}) || case when ${local} < ${firstYear} then ' BC' else '' end else cast(${x} as text) end`;
}

function mysqlCanonical(x: string, type: string): string {
  const base = type.replace(/\s*\([^)]*\)/g, '').replace(/\s+unsigned$/, '');
  if (base === 'datetime') {
    return `date_format(${x}, '%Y-%m-%dT%H:%i:%s.%f')`;
  }
  if (base === 'timestamp') {
    return `cast(unix_timestamp(${x}) as char)`;
  }
  if (base === 'date') {
    return `date_format(${x}, '%Y-%m-%d')`;
  }
  if (MYSQL_BYTES.test(base)) {
    return `hex(${x})`;
  }
  return `cast(${x} as char character set utf8mb4)`;
}
