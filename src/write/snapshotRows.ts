import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { TrackFieldArgs } from '../define/AuditTrailOptions.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/AuditTrailError.js';
import type { AuditedChange } from './AuditedChange.js';

/** A change whose entity is known (a reference, for rows known by key). */
export type EntityChange = AuditedChange & { readonly entity: object };
import { toDatabaseValues } from './databaseValues.js';

/** The rows of one audit statement, column by column: source keys and the values of the plan's row columns. */
export interface SnapshotRows {
  readonly keys: unknown[][];
  readonly values: unknown[][];
}

/**
 * The statement rows of `changes`: each entity's key (read now, so inserts have their generated ID) and its
 * change type and track field values. Track callbacks may be async; the common synchronous case awaits nothing.
 */
export async function snapshotRows(
  plan: AuditPlan,
  changes: readonly EntityChange[],
  em: EntityManager,
  context: AuditContextData | undefined,
): Promise<SnapshotRows> {
  const keys: unknown[][] = [];
  const values: unknown[][] = [];
  const pending: Promise<void>[] = [];
  // A constant track value is converted once per statement, not once per row.
  const constants = plan.trackFields.map(({ field, prop }) =>
    typeof field.value === 'function' ? undefined : toDatabaseValues(prop, field.value, plan.platform),
  );
  for (const { entity, changeType, key: known } of changes) {
    const key = known ?? plan.readKey(entity);
    if (!key) {
      throw AuditTrailError.missingPrimaryKey(plan.sourceName);
    }
    keys.push(key);
    const row: unknown[] = plan.options.saveChangeType ? [changeType] : [];
    values.push(row);
    plan.trackFields.forEach(({ field, prop }, i) => {
      const constant = constants[i];
      if (constant) {
        row.push(...constant);
        return;
      }
      const value = (field.value as (args: TrackFieldArgs) => unknown)({ entity, changeType, em, context });
      const at = row.length;
      row.push(...prop.fieldNames.map(() => null));
      const fill = (resolved: unknown): void => {
        row.splice(at, prop.fieldNames.length, ...toDatabaseValues(prop, resolved, plan.platform));
      };
      if (value instanceof Promise) {
        pending.push(value.then(fill));
      } else {
        fill(value);
      }
    });
  }
  await Promise.all(pending);
  return { keys, values };
}
