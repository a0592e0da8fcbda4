import type { Platform } from '@mikro-orm/core';

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
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!offset) {
    throw new TypeError(`MikroORM's timezone option must be 'local', 'Z' or an offset such as '+02:00', got '${zone}'`);
  }
  return (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
}
