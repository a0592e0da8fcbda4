import type { Configuration, EntityManager } from '@mikro-orm/core';
import { sqlSchemaModule } from './sqlSchema.js';

/** A MikroORM EntityManager class. */
export type EntityManagerClass = new (...args: never[]) => EntityManager;

/**
 * Makes MikroORM create EntityManagers of the class `extend` derives from the configured one (the config's
 * `entityManager` option, MikroORM's extension point for this; the SQL driver's `SqlEntityManager` when unset).
 * Runs during discovery, before MikroORM creates its first EntityManager.
 */
export function installEntityManagerClass(config: Configuration, extend: (base: EntityManagerClass) => EntityManagerClass, installed: (cls: unknown) => boolean): void {
  const current = config.get('entityManager') as EntityManagerClass | undefined;
  if (installed(current)) {
    return;
  }
  const base = current ?? sqlSchemaModule().SqlEntityManager;
  config.set('entityManager', extend(base) as never);
}
