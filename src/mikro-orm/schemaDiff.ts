import type { Configuration } from '@mikro-orm/core';

// The schema generator's methods that compare the metadata with the database or with a migration snapshot, in
// MikroORM 6 and 7: `updateSchema()` / `update()` call the first, the migrator the second.
const DIFFS = ['getUpdateSchemaSQL', 'getUpdateSchemaMigrationSQL'] as const;

type Diffing = Record<(typeof DIFFS)[number], (...args: unknown[]) => Promise<unknown>>;

interface ServiceLookup {
  getExtension(name: string): unknown;
  getCachedService?(...args: unknown[]): unknown;
}

const hookedConfigs = new WeakSet<object>();
const hookedGenerators = new WeakSet<object>();

/**
 * Runs `before()` right before MikroORM's schema generator diffs this ORM's metadata: `orm.schema.update()` and
 * `getUpdateSchemaSQL()`, and every migration the migrator creates or checks. The generator and the migrator are
 * extensions MikroORM creates on first use through the config (`getExtension`, or `getCachedService` for a
 * migrator that is not registered); the config's lookups get an own wrapper that gives each generator it hands
 * out (and the one a MikroORM 6 migrator makes for itself) a wrapper of those two methods. MikroORM's classes are
 * not changed. test/migrations/lazy-retained-columns.test.ts fails if MikroORM diffs another way.
 */
export function beforeSchemaDiff(config: Configuration, before: () => Promise<void>): void {
  if (hookedConfigs.has(config)) {
    return;
  }
  hookedConfigs.add(config);
  const lookup = config as unknown as ServiceLookup;
  const hook = (service: unknown): unknown => {
    hookGenerator(service, before);
    hookGenerator((service as { schemaGenerator?: unknown } | undefined)?.schemaGenerator, before);
    return service;
  };
  const getExtension = lookup.getExtension.bind(config);
  lookup.getExtension = (name: string) => hook(getExtension(name));
  if (typeof lookup.getCachedService === 'function') {
    const getCachedService = lookup.getCachedService.bind(config);
    lookup.getCachedService = (...args: unknown[]) => hook(getCachedService(...args));
  }
}

function hookGenerator(candidate: unknown, before: () => Promise<void>): void {
  if (typeof candidate !== 'object' || candidate === null || hookedGenerators.has(candidate)) {
    return;
  }
  const generator = candidate as Partial<Diffing>;
  if (!DIFFS.every(name => typeof generator[name] === 'function')) {
    return;
  }
  hookedGenerators.add(candidate);
  for (const name of DIFFS) {
    const diff = generator[name]!.bind(candidate);
    generator[name] = async (...args: unknown[]) => {
      await before();
      return diff(...args);
    };
  }
}
