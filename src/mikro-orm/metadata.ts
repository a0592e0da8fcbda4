import { Utils, type EntityMetadata, type EntityProperty, type MetadataStorage } from '@mikro-orm/core';

/** The major version of the MikroORM the application runs (6 or 7). */
export function ormMajorVersion(): number {
  return Number(Utils.getORMVersion().split('.')[0]);
}

/** Every entity of a metadata storage: MikroORM 6 returns a record from `getAll()`, MikroORM 7 a `Map`. */
export function allMetadata(storage: MetadataStorage): EntityMetadata[] {
  const all = storage.getAll() as unknown as Map<unknown, EntityMetadata> | Record<string, EntityMetadata>;
  return all instanceof Map ? [...all.values()] : Object.values(all);
}

/**
 * Adds properties to an entity's metadata as `addProperty` does, but recomputes its derived property lists once:
 * `addProperty` recomputes them for every property (`sync()`), which made adding the audit columns of 20 entities
 * cost 5 ms of startup. MikroORM 7's `addProperty` has no flag to skip that, so this does its two assignments
 * (test/core/metadata-seam.test.ts fails if the result differs from `addProperty`'s).
 */
export function addProperties(meta: EntityMetadata, props: Iterable<EntityProperty>): void {
  let order = meta.props.length;
  for (const prop of props) {
    (meta.properties as Record<string, EntityProperty>)[prop.name] = prop;
    meta.propertyOrder.set(prop.name, order++);
  }
  meta.sync();
}
