import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';

/**
 * The offset from UTC, in minutes at `at`, of the wall-clock time MikroORM writes into and reads from a MySQL/MariaDB
 * `datetime`: `forceUtcTimezone` or a `timezone` of `Z`/`±HH:MM`, else the application's local time zone (the
 * driver's default). 0 on PostgreSQL and SQLite, which store instants: there MikroORM's `timezone` may be a zone
 * name, which does not shape the dates the audit trail writes.
 */
export function storedTimeZoneOffset(plan: Pick<AuditPlan, 'platform' | 'shape'>, at = new Date()): number {
  if (plan.shape.dialect !== 'mysql') {
    return 0;
  }
  const zone = plan.platform.getTimezone();
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
