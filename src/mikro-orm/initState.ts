import type { MetadataStorage, Platform } from '@mikro-orm/core';

/**
 * Whether `MikroORM` finished initialising without waiting for the discovery hook that calls this. `MikroORM.init`
 * awaits `afterDiscovered` before it gives the driver the discovered metadata; `MikroORM.initSync()` (6) and
 * `new MikroORM()` (7) drop the hook's promise and give it at once. One microtask after the hook's synchronous
 * part, the driver therefore holds the metadata only when nobody waits (test/core/sync-init.test.ts).
 */
export async function initFinishedWithout(storage: MetadataStorage, platform: Platform): Promise<boolean> {
  await Promise.resolve();
  const driver = platform.getConfig().getDriver() as unknown as { getMetadata?(): unknown };
  try {
    return driver.getMetadata?.() === storage;
  } catch {
    return false;
  }
}
