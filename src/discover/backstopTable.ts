import type { TriggerBackstopOptions } from '../define/AuditTrailOptions.js';
import type { BackstopTable } from '../sql/backstopTriggers.js';
import type { AuditPlan } from './AuditPlan.js';
import { storedTimeZoneOffset } from '../write/storedTimeZone.js';

/** What the backstop triggers of `plan`'s table are built from. */
export function backstopTableOf(plan: AuditPlan, options: TriggerBackstopOptions): BackstopTable {
  const actor = options.actorField === undefined ? undefined : plan.trackFields.find(track => track.field.name === options.actorField);
  return {
    dialect: plan.shape.dialect,
    quote: plan.shape.quote,
    sourceTable: plan.shape.sourceTable,
    auditTable: plan.shape.auditTable,
    copiedColumns: plan.shape.copiedColumns,
    saveChangeType: plan.options.saveChangeType,
    auditDeletes: plan.options.auditDeletes,
    actorColumn: actor?.prop.fieldNames[0],
    // Fixed when the trigger is created: a time zone with daylight saving time is an hour off for part of the
    // year in backstop rows (README: prefer `forceUtcTimezone` on MySQL/MariaDB).
    utcOffsetMinutes: storedTimeZoneOffset(plan.platform),
  };
}
