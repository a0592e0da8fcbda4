import type { Platform } from '@mikro-orm/core';
import { AuditTrailError } from '../errors/index.js';

/**
 * The offset from UTC, in minutes at `at`, of the wall-clock time MikroORM writes into and reads from a MySQL/MariaDB
 * `datetime`: `forceUtcTimezone` or a `timezone` of `Z`/`±HH:MM`, else the application's local time zone (the
 * driver's default). PostgreSQL and SQLite store instants, whatever this says.
 */
export function storedTimeZoneOffset(platform: Platform, at = new Date()): number {
  const zone = platform.getTimezone();
  if (zone === undefined || zone === 'local') {
    return -at.getTimezoneOffset();
  }
  if (zone === 'Z' || zone === 'z') {
    return 0;
  }
  // As the mysql2 driver reads it: an optional sign, hours, optional minutes (`+05:30`, `+0530`, `+05`, ` 05:30`).
  const offset = /^\s*([+-])?(\d{1,2}):?(\d{2})?$/.exec(zone);
  if (!offset) {
    throw AuditTrailError.invalidTimezone(zone);
  }
  return (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0));
}
