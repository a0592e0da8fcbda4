import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlan, PivotPlan } from '../discover/AuditPlan.js';
import type { PivotRows } from './pivotChanges.js';
import type { TrackFieldArgs } from '../define/AuditTrailOptions.js';
import { toDatabaseValues } from './databaseValues.js';
import { AuditTrailError } from '../errors/errors.js';

/** One change to audit: which entity, and what happened to it. */
export interface AuditedChange {
  readonly entity: object;
  readonly changeType: ChangeType;
  /** The key as database values, when known without reading the entity (rows the database changed). */
  readonly key?: unknown[];
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
  /** Rows the database nulls a foreign key of when this flush deletes (`ON DELETE SET NULL`), to snapshot after. */
  nulled: Map<AuditPlan, unknown[][]> | undefined;
  /** Owners whose many-to-many pivot rows this flush may change, and those rows before its statements. */
  pivotOwners: Map<PivotPlan, Set<object>> | undefined;
  pivotBefore = new Map<PivotPlan, PivotRows>();
  /** Keys (as key strings) the database cascade already recorded as deleted, per plan. */
  readonly cascaded = new Map<AuditPlan, Set<string>>();
  /** The transaction this flush ran in when it did not open its own. */
  outerTransaction: object | undefined;

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
        const value = (field.value as (args: TrackFieldArgs) => unknown)({ entity, changeType, em, context: this.context });
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
}
