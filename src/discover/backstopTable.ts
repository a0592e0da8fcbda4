import type { TriggerBackstopOptions } from '../define/AuditTrailOptions.js';
import type { BackstopTable } from '../sql/backstopTriggers.js';
import type { AuditPlan } from './AuditPlan.js';
import { storedTimeZoneOffset } from '../write/storedTimeZone.js';

/** What the backstop triggers of `plan`'s table are built from. */
export function backstopTableOf(plan: AuditPlan, options: TriggerBackstopOptions): BackstopTable {
  const field = options.actorField === undefined ? undefined : plan.trackFields.find(track => track.field.name === options.actorField);
  const actorColumns = [
    ...(plan.actor ? [{ name: plan.actor.prop.fieldNames[0]!, numeric: plan.actor.column.type === 'number' }] : []),
    ...(field ? [{ name: field.prop.fieldNames[0]!, numeric: false }] : []),
  ];
  return {
    dialect: plan.shape.dialect,
    quote: plan.shape.quote,
    sourceTable: plan.shape.sourceTable,
    auditTable: plan.shape.auditTable,
    copiedColumns: plan.shape.copiedColumns,
    saveChangeType: plan.options.saveChangeType,
    auditDeletes: plan.options.auditDeletes,
    actorColumns,
    // A fixed offset: installBackstop refuses the application's local zone on MySQL/MariaDB.
    utcOffsetMinutes: storedTimeZoneOffset(plan),
  };
}
