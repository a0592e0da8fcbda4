import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import type { TrackFieldArgs } from '../define/AuditTrailOptions.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import type { AuditedChange } from './AuditedChange.js';
import { toDatabaseValues } from './databaseValues.js';
import { keyString } from './keyString.js';
import { readBackKey } from './readBackKey.js';
import { selectByKeys } from './selectByKeys.js';

/** The rows of one audit statement, column by column: source keys and the values of the plan's row columns. */
export interface SnapshotRows {
  readonly keys: unknown[][];
  readonly values: unknown[][];
  /** Per row, its change type (also when the plan does not store it). */
  readonly changeTypes: ChangeType[];
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
  const changeTypes: ChangeType[] = [];
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
    changeTypes.push(changeType);
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
  return { keys, values, changeTypes };
}

/**
 * Appends each row's masked values to its row values. The masked columns are read from the source rows inside
 * the change's transaction (the entity in memory may not hold them: partial loads, references), masked here,
 * and only the masked values are sent to the audit table: the originals never reach it. With `skipGoneUpdates`,
 * a `U` row whose source row no longer exists is left out (see `SnapshotWriter`); any other missing row fails.
 */
export async function addMaskedValues(em: EntityManager, transaction: object, plan: AuditPlan, rows: SnapshotRows, skipGoneUpdates: boolean): Promise<SnapshotRows> {
  if (plan.masks.length === 0 || rows.keys.length === 0) {
    return rows;
  }
  const { keyColumns, sourceTable } = plan.shape;
  const keyNames = keyColumns.map(column => column.name);
  const found = new Map<string, unknown[]>();
  const columns = [...keyNames, ...plan.masks.map(masked => masked.sourceColumn)];
  // A locking read: the rows are this write's (locked or written by it), and under MySQL/MariaDB's REPEATABLE READ
  // a plain read would return the transaction's snapshot, not the state the other columns are copied from.
  for (const values of await selectByKeys(em, transaction, plan.shape, sourceTable, keyNames, rows.keys, columns, true)) {
    found.set(keyString(readBackKey(plan.platform, rows.keys[0]!, values.slice(0, keyNames.length))), values.slice(keyNames.length));
  }
  const kept: SnapshotRows = { keys: [], values: [], changeTypes: [] };
  rows.keys.forEach((key, i) => {
    // A row not found (gone, or a key the database returns in another form) must never be recorded as masked
    // NULLs: the write fails, as the snapshot of a missing row does.
    const raw = found.get(keyString(key));
    if (!raw) {
      if (skipGoneUpdates && rows.changeTypes[i] === 'U') {
        return;
      }
      throw AuditTrailError.snapshotMissing(plan.sourceName, rows.keys.length, found.size);
    }
    kept.keys.push(key);
    kept.values.push([...rows.values[i]!, ...plan.masks.flatMap((masked, j) => toDatabaseValues(masked.prop, masked.mask(raw[j]), plan.platform))]);
    kept.changeTypes.push(rows.changeTypes[i]!);
  });
  return kept;
}

/** A change whose entity is known (a reference, for rows known by key). */
export type EntityChange = AuditedChange & { readonly entity: object };
