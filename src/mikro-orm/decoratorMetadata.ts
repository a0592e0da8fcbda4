import { MetadataStorage } from '@mikro-orm/core';

type DecoratedMetadata = { class?: unknown; properties: Record<string, unknown> };

type Storage = {
  PATH_SYMBOL?: symbol;
  META_SYMBOL?: symbol;
  getMetadataFromDecorator?: (target: object) => DecoratedMetadata;
  getMetadata(): Record<string, DecoratedMetadata>;
};

/**
 * What an entity class's decorators recorded, before discovery. MikroORM 7.2's decorators keep it on the class
 * itself (`META_SYMBOL`), also on a base class without `@Entity()`; otherwise MikroORM 7 records the class in the
 * global storage (set by `@Entity()`); MikroORM 6 finds it by the class's name and the file that declared it
 * (`getMetadataFromDecorator`).
 * test/core/collections.test.ts and test/core/schema-definitions.test.ts fail if these change.
 */
export function decoratedMetadataOf(entity: object): DecoratedMetadata | undefined {
  const storage = MetadataStorage as unknown as Storage;
  if (storage.META_SYMBOL !== undefined && Object.hasOwn(entity, storage.META_SYMBOL)) {
    return (entity as Record<symbol, DecoratedMetadata>)[storage.META_SYMBOL];
  }
  if (typeof storage.getMetadataFromDecorator === 'function') {
    // MikroORM 6 gives a class without decorators a path and an empty global entry when asked: ask only about
    // classes a decorator has already marked (base classes and schema classes are asked about too).
    const marked = storage.PATH_SYMBOL !== undefined && Object.hasOwn(entity, storage.PATH_SYMBOL);
    return marked ? storage.getMetadataFromDecorator(entity) : undefined;
  }
  return Object.values(storage.getMetadata()).find(meta => meta.class === entity);
}
