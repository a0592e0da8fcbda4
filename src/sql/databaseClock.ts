import type { Dialect } from './Dialect.js';
import { SqlExpression } from './SqlStatement.js';

/**
 * The database's clock when the statement runs, in the form MikroORM stores a `Date` in an audit timestamp
 * column: every audit row, the backstop's included, is stamped by this one clock, after the writer holds the
 * row's lock (see ARCHITECTURE.md, "Order of versions").
 *
 * - PostgreSQL: `statement_timestamp()` into `timestamptz`, an instant whatever the session time zone.
 * - MySQL/MariaDB: `datetime` holds wall-clock time in the connection's time zone (MikroORM's `timezone`, or
 *   UTC with `forceUtcTimezone`, else the application's local zone): UTC plus that offset, never the session
 *   `time_zone`, which differs between clients.
 * - SQLite: milliseconds since the epoch, as MikroORM stores dates there.
 */
export function databaseClock(dialect: Dialect, utcOffsetMinutes: number): SqlExpression {
  if (dialect === 'postgresql') {
    return new SqlExpression('statement_timestamp()');
  }
  return mysqlOrSqliteClock(dialect, utcOffsetMinutes, 'utc_timestamp(3)');
}

/**
 * The database clock for a row trigger, which fires inside the application's statement: the statement's start is
 * before that statement waited for the row's lock, so a trigger reads the clock as it writes the row
 * (`clock_timestamp()`; `sysdate()` on MySQL/MariaDB, converted to UTC, unless the server runs with
 * `--sysdate-is-now`).
 */
export function databaseClockInTrigger(dialect: Dialect, utcOffsetMinutes: number): SqlExpression {
  if (dialect === 'postgresql') {
    return new SqlExpression('clock_timestamp()');
  }
  return mysqlOrSqliteClock(dialect, utcOffsetMinutes, `timestampadd(microsecond, floor(unix_timestamp(sysdate(6)) * 1000000), '1970-01-01 00:00:00')`);
}

function mysqlOrSqliteClock(dialect: Dialect, utcOffsetMinutes: number, utcNow: string): SqlExpression {
  if (dialect === 'sqlite') {
    return new SqlExpression(`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`);
  }
  if (!Number.isInteger(utcOffsetMinutes)) {
    throw new TypeError(`A time zone offset is a whole number of minutes, got ${String(utcOffsetMinutes)}`);
  }
  return new SqlExpression(utcOffsetMinutes === 0 ? utcNow : `timestampadd(minute, ${utcOffsetMinutes}, ${utcNow})`);
}

/**
 * The clock's value as tamper evidence's pre-read gave it (its canonical text, see `canonicalExpression`, of the
 * clock stored in a column of `columnType`), as the parameter the INSERT then stores unchanged: the INSERT must
 * store exactly the instant the pre-read hashed, so it does not read the clock again.
 */
export function clockParameter(dialect: Dialect, columnType: string, canonical: string): string | number {
  const type = columnType.toLowerCase();
  if (dialect === 'sqlite' && /^-?\d+$/.test(canonical)) {
    return Number(canonical);
  }
  if (dialect === 'postgresql' && /^\d{4}-\d\d-\d\dT[\d:.]+$/.test(canonical)) {
    // UTC digits: a timestamptz reads them as UTC whatever the session TimeZone; a timestamp keeps the digits.
    return /tz|with time zone/.test(type) ? `${canonical}Z` : canonical;
  }
  if (dialect === 'mysql' && /^datetime/.test(type) && /^\d{4}-\d\d-\d\dT[\d:.]+$/.test(canonical)) {
    return canonical;
  }
  throw new Error(`mikro-orm-audit-trail cannot pass the clock read as ${JSON.stringify(canonical)} into a ${dialect} ${columnType} column`);
}
