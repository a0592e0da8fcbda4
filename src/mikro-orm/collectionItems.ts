import type { Collection } from '@mikro-orm/core';

/**
 * The items a collection held when it was loaded and those it holds now. `getSnapshot()` is `@internal` in
 * MikroORM: no public API tells which items an inverse many-to-many side lost, and each lost item's pivot row
 * changes (test/core/collections.test.ts fails if it changes).
 */
export function itemsBeforeAndNow(collection: Collection<object, object>): object[] {
  const snapshot = (collection as unknown as { getSnapshot(): object[] | undefined }).getSnapshot() ?? [];
  return [...snapshot, ...collection.getItems(false)];
}
