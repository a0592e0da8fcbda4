import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from './AuditContext.js';
import type { ChangeType } from './AuditColumns.js';
import type { AuditPlan } from './AuditPlan.js';
import { primaryKeyValues, toDatabaseValues } from './databaseValues.js';
import { AuditTrailError } from './errors.js';
import type { SnapshotRow } from './SnapshotStatement.js';

/** An audit row waiting to be written: which entity, what happened, and its row values (change type, track fields). */
interface PendingRow {
  readonly entity: object;
  readonly changeType: ChangeType;
  readonly values: readonly unknown[];
}

/**
 * The audit rows of one flush: one timestamp and one context for all of them, inserts and updates buffered
 * until the flush's statements ran, so that each class is written in one statement at the end.
 */
export class FlushAudit {
  readonly timestamp = new Date();
  readonly context: AuditContextData | undefined;
  readonly #pending = new Map<AuditPlan, Map<object, PendingRow>>();
  readonly #deleted = new Map<AuditPlan, Set<object>>();

  constructor(context: AuditContextData | undefined) {
    this.context = context;
  }

  /** Buffers an insert or update; an entity inserted and updated in one flush keeps its `I`. */
  async add(plan: AuditPlan, entity: object, changeType: ChangeType, em: EntityManager): Promise<void> {
    let rows = this.#pending.get(plan);
    if (!rows) {
      rows = new Map();
      this.#pending.set(plan, rows);
    }
    if (rows.get(entity)?.changeType === 'I') {
      return;
    }
    rows.set(entity, await this.#row(plan, entity, changeType, em));
  }

  /** Whether the `D` row of this entity was already written in this flush. */
  isDeleteSnapshotted(plan: AuditPlan, entity: object): boolean {
    return this.#deleted.get(plan)?.has(entity) ?? false;
  }

  /** Marks deleted entities as snapshotted and returns the rows of those that were not yet. */
  async takeDeletes(plan: AuditPlan, entities: Iterable<object>, em: EntityManager): Promise<PendingRow[]> {
    let done = this.#deleted.get(plan);
    if (!done) {
      done = new Set();
      this.#deleted.set(plan, done);
    }
    const rows: PendingRow[] = [];
    for (const entity of entities) {
      if (!done.has(entity)) {
        done.add(entity);
        rows.push(await this.#row(plan, entity, 'D', em));
      }
    }
    return rows;
  }

  /** Removes and returns the buffered inserts and updates, by plan. */
  drain(): Map<AuditPlan, PendingRow[]> {
    const drained = new Map([...this.#pending].map(([plan, rows]) => [plan, [...rows.values()]]));
    this.#pending.clear();
    return drained;
  }

  get hasPending(): boolean {
    return this.#pending.size > 0;
  }

  async #row(plan: AuditPlan, entity: object, changeType: ChangeType, em: EntityManager): Promise<PendingRow> {
    const values: unknown[] = plan.options.saveChangeType ? [changeType] : [];
    for (const { field, prop } of plan.trackFields) {
      const value: unknown =
        typeof field.value === 'function'
          ? await (field.value as (args: object) => unknown)({ entity, changeType, em, context: this.context })
          : field.value;
      values.push(...toDatabaseValues(prop, value, plan.platform));
    }
    return { entity, changeType, values };
  }
}

/** The statement rows of pending audit rows (the entity's key is read now: inserts have their generated ID). */
export function toSnapshotRows(plan: AuditPlan, rows: readonly PendingRow[]): SnapshotRow[] {
  return rows.map(row => {
    const key = primaryKeyValues(row.entity);
    if (!key) {
      throw AuditTrailError.missingPrimaryKey(plan.sourceName);
    }
    return { key, values: row.values };
  });
}
