import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { toDatabaseValues } from './databaseValues.js';
import type { SnapshotRows } from './snapshotRows.js';
import { keyString } from './keyString.js';
import { selectByKeys } from './selectByKeys.js';

/**
 * Appends each row's masked values to its row values. The masked columns are read from the source rows inside
 * the change's transaction (the entity in memory may not hold them: partial loads, references), masked here,
 * and only the masked values are sent to the audit table: the originals never reach it.
 */
export async function addMaskedValues(em: EntityManager, transaction: object, plan: AuditPlan, rows: SnapshotRows): Promise<void> {
  if (plan.masks.length === 0 || rows.keys.length === 0) {
    return;
  }
  const { keyColumns, sourceTable } = plan.shape;
  const keyNames = keyColumns.map(column => column.name);
  const found = new Map<string, unknown[]>();
  const columns = [...keyNames, ...plan.masks.map(masked => masked.sourceColumn)];
  for (const values of await selectByKeys(em, transaction, plan.shape, sourceTable, keyNames, rows.keys, columns)) {
    found.set(keyString(values.slice(0, keyNames.length)), values.slice(keyNames.length));
  }
  rows.keys.forEach((key, i) => {
    // A row that is gone is not copied at all; the snapshot statement reports it.
    const raw = found.get(keyString(key));
    rows.values[i]!.push(...plan.masks.flatMap((masked, j) => (raw ? toDatabaseValues(masked.prop, masked.mask(raw[j]), plan.platform) : [null])));
  });
}
