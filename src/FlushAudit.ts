import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from './AuditContext.js';
import type { ChangeType } from './AuditColumns.js';
import type { AuditPlan } from './AuditPlan.js';
import { primaryKeyValues, toDatabaseValues } from './databaseValues.js';
import { AuditTrailError } from './errors.js';

/** One change to audit: which entity, and what happened to it. */
export interface AuditedChange {
  readonly entity: object;
  readonly changeType: ChangeType;
}

/** The rows of one audit statement, column by column: source keys and the values of the plan's row columns. */
export interface SnapshotRows {
  readonly keys: unknown[][];
  readonly values: unknown[][];
}

/**
 * The state of one flush: one timestamp and one context for all of its audit rows, and whether its inserts and
 * updates were written.
 */
export class FlushAudit {
  readonly timestamp = new Date();
  readonly context: AuditContextData | undefined;
  written = false;

  constructor(context: AuditContextData | undefined) {
    this.context = context;
  }

  /**
   * The statement rows of `changes`: each entity's key (read now, so inserts have their generated ID) and its
   * change type and track field values. Track callbacks may be async; the common synchronous case awaits nothing.
   */
  async rows(plan: AuditPlan, changes: readonly AuditedChange[], em: EntityManager): Promise<SnapshotRows> {
    const keys: unknown[][] = [];
    const values: unknown[][] = [];
    const pending: Promise<void>[] = [];
    for (const { entity, changeType } of changes) {
      const key = primaryKeyValues(entity);
      if (!key) {
        throw AuditTrailError.missingPrimaryKey(plan.sourceName);
      }
      keys.push(key);
      const row: unknown[] = plan.options.saveChangeType ? [changeType] : [];
      values.push(row);
      for (const { field, prop } of plan.trackFields) {
        const value: unknown =
          typeof field.value === 'function' ? field.value({ entity, changeType, em, context: this.context }) : field.value;
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
      }
    }
    await Promise.all(pending);
    return { keys, values };
  }
}
