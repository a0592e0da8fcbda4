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
  const table = qualifiedTableName(meta, em.getPlatform());
  const rows = await selectByKeys(em, transaction, names, table, keyColumns, keys, keyColumns, true);
  if (rows.length === keyed.length) {
    return keyed;
  }
  const found = new Set(rows.map(row => keyString(readBackKey(em.getPlatform(), keys[0]!, row))));
  const existing = keyed.filter(change => found.has(keyString(change.key)));
  if (existing.length === rows.length) {
    return existing;
  }
  // The rows read back do not match the keys as given (a key the database matches under its collation, `ABC` for
  // `abc`): never guess which rows are gone, let the database say, one key at a time (rows are locked already).
  const kept: KeyedChange[] = [];
  for (const change of keyed) {
    const [row] = await selectByKeys(em, transaction, names, table, keyColumns, [change.key], keyColumns);
    if (row) {
      kept.push(change);
    }
  }
  if (kept.length !== rows.length) {
    throw AuditTrailError.snapshotMissing(meta.className, keyed.length, kept.length);
  }
  return kept;
}
