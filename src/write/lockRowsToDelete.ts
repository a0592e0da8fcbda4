import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { qualifiedTableName } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { primaryKeyValues } from '../mikro-orm/entityKeys.js';
import type { SqlNames } from '../sql/SqlStatement.js';
import type { AuditedChange } from './AuditedChange.js';
import { keyString } from './keyString.js';
import { readBackKey } from './readBackKey.js';
import { selectByKeys } from './selectByKeys.js';

/** A change with its key as database values. */
export type KeyedChange = AuditedChange & { readonly key: unknown[] };

/**
 * Locks the rows a write is about to delete, in key order, before their `D` snapshot, and returns the changes of
 * the rows that still exist. Under the lock the snapshot is the state the delete removes (no other writer can
 * change the row in between), a child row inserted concurrently waits instead of slipping past the cascade read,
 * and a row another transaction already deleted gets no `D` row (the delete removes nothing).
 */
export async function lockRowsToDelete(
  em: EntityManager,
  transaction: object,
  names: SqlNames,
  meta: EntityMetadata,
  changes: readonly AuditedChange[],
): Promise<KeyedChange[]> {
  const keyed = changes.flatMap(change => {
    const key = change.key ?? (change.entity ? primaryKeyValues(change.entity) : null);
    return key ? [{ ...change, key: [...key] }] : [];
  });
  if (keyed.length === 0) {
    return [];
  }
  const keyColumns = meta.getPrimaryProps().flatMap(prop => prop.fieldNames);
  const keys = keyed.map(change => change.key);
  const rows = await selectByKeys(em, transaction, names, qualifiedTableName(meta, em.getPlatform()), keyColumns, keys, keyColumns, true);
  if (rows.length === keyed.length) {
    return keyed;
  }
  const found = new Set(rows.map(row => keyString(readBackKey(em.getPlatform(), keys[0]!, row))));
  const existing = keyed.filter(change => found.has(keyString(change.key)));
  if (existing.length !== rows.length) {
    // The rows read back did not match the keys asked for: never guess which rows are gone.
    throw AuditTrailError.snapshotMissing(meta.className, keyed.length, existing.length);
  }
  return existing;
}
