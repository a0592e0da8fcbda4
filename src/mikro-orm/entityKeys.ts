import { Utils, wrap } from '@mikro-orm/core';

/**
 * The primary key of a managed entity as database values, one per key column. `wrap(entity, true)` is the
 * entity's internal helper: MikroORM's public `wrap(entity).getPrimaryKey()` does not flatten composite keys
 * made of relations into their columns.
 */
export function primaryKeyValues(entity: object): unknown[] | null {
  const keys = wrap(entity, true).getPrimaryKeys(true);
  return keys ? Utils.flatten(keys.map(key => (Array.isArray(key) ? (key as unknown[]) : [key]))) : null;
}

/** The primary key of an entity as MikroORM reports it (a scalar, or an array for a composite key). */
export function primaryKeyOf(entity: object): unknown {
  return wrap(entity, true).getPrimaryKey();
}

/** The primary key values of an entity, one per key property (a relation's key as its entity's key). */
export function primaryKeysOf(entity: object): unknown[] | null {
  return wrap(entity, true).getPrimaryKeys();
}
