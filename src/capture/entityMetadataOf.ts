import type { EntityManager, EntityMetadata, EntityName } from '@mikro-orm/core';
import { allMetadata } from '../mikro-orm/metadata.js';

// Looked up on every native write and query builder: remembered per ORM (metadata storage) and entity.
const metaCache = new WeakMap<object, Map<unknown, EntityMetadata | undefined>>();

/** The metadata of an entity given as class, schema or name, in `em`'s ORM. */
export function entityMetadataOf(em: EntityManager, entityName: EntityName<object>): EntityMetadata | undefined {
  const storage = em.getMetadata();
  let cache = metaCache.get(storage);
  if (!cache) {
    cache = new Map();
    metaCache.set(storage, cache);
  }
  if (cache.has(entityName)) {
    return cache.get(entityName);
  }
  const name =
    typeof entityName === 'string'
      ? entityName
      : ((entityName as { meta?: { className?: string } }).meta?.className ?? (entityName as { name?: string }).name);
  const meta = allMetadata(storage).find(candidate => candidate.class === entityName || candidate.className === name);
  cache.set(entityName, meta);
  return meta;
}

/** The entity a native write is for: the class of an entity instance, or the class, schema or name given. */
export function entityNameOf(entityOrName: unknown): EntityName<object> | undefined {
  if (entityOrName === undefined || entityOrName === null) {
    return undefined;
  }
  return typeof entityOrName === 'object' && !('meta' in entityOrName) ? (entityOrName.constructor as EntityName<object>) : (entityOrName as EntityName<object>);
}
