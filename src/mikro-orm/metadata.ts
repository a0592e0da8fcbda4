import { Utils, type EntityMetadata, type MetadataStorage } from '@mikro-orm/core';

/** The major version of the MikroORM the application runs (6 or 7). */
export function ormMajorVersion(): number {
  return Number(Utils.getORMVersion().split('.')[0]);
}

/** Every entity of a metadata storage: MikroORM 6 returns a record from `getAll()`, MikroORM 7 a `Map`. */
export function allMetadata(storage: MetadataStorage): EntityMetadata[] {
  const all = storage.getAll() as unknown as Map<unknown, EntityMetadata> | Record<string, EntityMetadata>;
  return all instanceof Map ? [...all.values()] : Object.values(all);
}
