import type { Configuration, EntityManager } from '@mikro-orm/core';
import { sqlSchemaModule } from './sqlSchema.js';

/** A MikroORM EntityManager class. */
export type EntityManagerClass = new (...args: never[]) => EntityManager;

const EXTENDED = Symbol('mikro-orm-audit-trail.entityManager');
const classes = new WeakMap<EntityManagerClass, EntityManagerClass>();

/**
 * Makes MikroORM create EntityManagers of a subclass of the configured class (the config's `entityManager`
 * option, MikroORM's extension point for this; the SQL driver's `SqlEntityManager` when unset) whose methods
 * `override(base)` returns replace the base's. Runs during discovery, before MikroORM creates its first
 * EntityManager. The overrides are plain functions rather than class members: MikroORM's signatures are generic
 * per entity. `base` holds the base class's methods, to call with `.call(this, …)`.
 */
export function installEntityManagerClass<M extends object>(config: Configuration, overrides: (base: M) => M): void {
  const current = config.get('entityManager') as EntityManagerClass | undefined;
  if (typeof current === 'function' && EXTENDED in current) {
    return;
  }
  const Base = current ?? sqlSchemaModule().SqlEntityManager;
  let Extended = classes.get(Base);
  if (!Extended) {
    Extended = class extends Base {
      static readonly [EXTENDED] = true;
    };
    for (const [name, method] of Object.entries(overrides(Base.prototype as unknown as M))) {
      Object.defineProperty(Extended.prototype, name, { value: method, writable: true, configurable: true });
    }
    Object.defineProperty(Extended, 'name', { value: `Audited${Base.name}` });
    classes.set(Base, Extended);
  }
  config.set('entityManager', Extended as never);
}
