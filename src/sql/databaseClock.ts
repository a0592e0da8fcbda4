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
  if (dialect === 'sqlite') {
    return new SqlExpression(`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`);
  }
  if (!Number.isInteger(utcOffsetMinutes)) {
    throw new TypeError(`A time zone offset is a whole number of minutes, got ${String(utcOffsetMinutes)}`);
  }
  return new SqlExpression(utcOffsetMinutes === 0 ? 'utc_timestamp(3)' : `timestampadd(minute, ${utcOffsetMinutes}, utc_timestamp(3))`);
}
