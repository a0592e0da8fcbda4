import { MetadataStorage } from '@mikro-orm/core';

type DecoratedMetadata = { class?: unknown; properties: Record<string, unknown> };

/**
 * What an entity class's decorators recorded, before discovery. MikroORM 6 finds it by the class (its name and the
 * file that declared it, `getMetadataFromDecorator`); MikroORM 7's decorators record the class itself in the
 * global storage. test/core/collections.test.ts fails if either changes.
 */
export function decoratedMetadataOf(entity: object): DecoratedMetadata | undefined {
  const storage = MetadataStorage as unknown as { getMetadataFromDecorator?: (target: object) => DecoratedMetadata; getMetadata(): Record<string, DecoratedMetadata> };
  if (typeof storage.getMetadataFromDecorator === 'function') {
    return storage.getMetadataFromDecorator(entity);
  }
  return Object.values(storage.getMetadata()).find(meta => meta.class === entity);
}
