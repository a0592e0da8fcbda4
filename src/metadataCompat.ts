import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';

/** Every entity of a metadata storage: MikroORM 6 returns a record from `getAll()`, MikroORM 7 a `Map`. */
export function allMetadata(storage: MetadataStorage): EntityMetadata[] {
  const all = storage.getAll() as unknown as Map<unknown, EntityMetadata> | Record<string, EntityMetadata>;
  return all instanceof Map ? [...all.values()] : Object.values(all);
}
