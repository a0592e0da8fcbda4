import { MetadataStorage } from '@mikro-orm/core';

type DecoratedMetadata = { class?: unknown; properties: Record<string, unknown> };

type Storage = {
  PATH_SYMBOL?: symbol;
  getMetadataFromDecorator?: (target: object) => DecoratedMetadata;
  getMetadata(): Record<string, DecoratedMetadata>;
};

/**
 * What an entity class's decorators recorded, before discovery. MikroORM 6 finds it by the class (its name and the
 * file that declared it, `getMetadataFromDecorator`); MikroORM 7's decorators record the class itself in the
 * global storage. test/core/collections.test.ts fails if either changes.
 */
export function decoratedMetadataOf(entity: object): DecoratedMetadata | undefined {
  const storage = MetadataStorage as unknown as Storage;
  if (typeof storage.getMetadataFromDecorator === 'function') {
    // MikroORM 6 gives a class without decorators a path and an empty global entry when asked: ask only about
    // classes a decorator has already marked (base classes and schema classes are asked about too).
    const marked = storage.PATH_SYMBOL !== undefined && Object.hasOwn(entity, storage.PATH_SYMBOL);
    return marked ? storage.getMetadataFromDecorator(entity) : undefined;
  }
  return Object.values(storage.getMetadata()).find(meta => meta.class === entity);
}
