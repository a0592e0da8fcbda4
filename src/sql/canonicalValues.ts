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

/**
 * The value a column of type `columnType` stores when `expression` (a parameter, the database clock) is inserted
 * into it, as an SQL expression: the writer's pre-read hashes `canonicalExpression` of this, so that its texts
 * are those of the values the INSERT will store. `expression` may appear more than once in the result.
 *
 * - PostgreSQL: an explicit cast to the full type rounds (`numeric(10,2)`, `timestamptz(3)`) as an assignment does.
 * - MySQL/MariaDB: casts for the types whose stored form differs from the literal's (dates and times at the
 *   column's precision, decimals at its scale, floating point, fixed-length binary); text is stored as given.
 * - SQLite: the column's type affinity (text → number for numeric columns when well-formed, numbers → text for
 *   text columns), which SQLite applies on insert and never in a SELECT. A text value is well-formed when it equals
 *   its `cast(… as numeric)` under the comparison's numeric affinity, the same test the column applies.
 */
export function assignedValueExpression(dialect: Dialect, expression: string, columnType: string): string {
  const type = columnType.trim().toLowerCase();
  if (dialect === 'postgresql') {
    return `cast(${expression} as ${columnType})`;
  }
  return dialect === 'mysql' ? mysqlAssigned(expression, type) : sqliteAssigned(expression, type);
}

function mysqlAssigned(x: string, type: string): string {
  const [, base = type, modifier] = /^([a-z ]+?)\s*(?:\(([^)]*)\))?(\s+unsigned)?$/.exec(type) ?? [];
  const precision = modifier !== undefined ? `(${modifier})` : '';
  switch (base) {
    case 'datetime':
    case 'timestamp':
      return `cast(${x} as datetime${precision})`;
    case 'date':
      return `cast(${x} as date)`;
    case 'time':
      return `cast(${x} as time${precision})`;
    case 'decimal':
    case 'numeric':
      return `cast(${x} as decimal${precision || '(10,0)'})`;
    case 'double':
    case 'double precision':
    case 'real':
      return `cast(${x} as double)`;
    case 'float':
      return `cast(${x} as float)`;
    case 'binary':
      return `cast(${x} as binary${precision || '(1)'})`;
    case 'char':
      // Read back without trailing spaces (unless PAD_CHAR_TO_FULL_LENGTH, which MySQL 8 removed).
      return `rtrim(${x})`;
    default:
      if (/^(tiny|small|medium|big)?int(eger)?$/.test(base)) {
        return `cast(${x} as decimal(65,0))`;
      }
      return MYSQL_BYTES.test(base) ? `cast(${x} as binary)` : x;
  }
}

// https://www.sqlite.org/datatype3.html#determination_of_column_affinity
function sqliteAssigned(x: string, type: string): string {
  const numericText = `typeof(${x}) = 'text' and ${x} = cast(${x} as numeric)`;
  if (type.includes('int')) {
    return `case when ${numericText} then cast(${x} as numeric) when typeof(${x}) = 'real' and ${x} = cast(${x} as integer) then cast(${x} as integer) else ${x} end`;
  }
  if (/char|clob|text/.test(type)) {
    return `case when typeof(${x}) in ('integer', 'real') then cast(${x} as text) else ${x} end`;
  }
  if (type === '' || type.includes('blob')) {
    return x;
  }
  if (/real|floa|doub/.test(type)) {
    return `case when typeof(${x}) = 'integer' or (${numericText}) then cast(${x} as real) else ${x} end`;
  }
  return `case when ${numericText} then cast(${x} as numeric) when typeof(${x}) = 'real' and ${x} = cast(${x} as integer) then cast(${x} as integer) else ${x} end`;
}
