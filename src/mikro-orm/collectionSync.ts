import type { Configuration } from '@mikro-orm/core';

interface CollectionSyncer {
  syncCollections(collections: unknown, options?: { ctx?: unknown }): Promise<unknown>;
}

const hooked = new WeakSet<object>();

/**
 * Runs `before(transaction)` right before MikroORM writes a flush's pivot rows. No event fires there: the unit of
 * work calls its driver's `syncCollections(collections, { ctx })` after the flush's inserts and updates and before
 * its deletes, in 6 and 7 alike. The config's one driver instance gets an own wrapper of that method (MikroORM's
 * classes are not changed). test/concurrency/racing-pivots.test.ts and test/core/collections.test.ts fail if
 * MikroORM stops calling it.
 */
export function beforeCollectionSync(config: Configuration, before: (transaction: unknown) => Promise<void>): void {
  const driver = config.getDriver() as unknown as CollectionSyncer;
  if (hooked.has(driver)) {
    return;
  }
  hooked.add(driver);
  const sync = driver.syncCollections.bind(driver);
  driver.syncCollections = async (collections, options) => {
    await before(options?.ctx);
    return sync(collections, options);
  };
}
