import { registerAuditTrail, type AuditableEntity } from './AuditRegistry.js';
import type { AuditTrailOptions } from './AuditTrailOptions.js';

/**
 * Marks an entity class for auditing: every insert, update and delete flushed for it leaves a full-row
 * snapshot in its audit table (`<table>_audit`). Options are checked when `MikroORM.init` runs.
 *
 * @example
 * @Entity()
 * @AuditTrail({ trackFields: [{ name: 'username', type: 'string', value: () => auditContext.current()?.user ?? null }] })
 * class Person { ... }
 */
export function AuditTrail<T extends object = object>(
  options?: AuditTrailOptions<T>,
): (target: abstract new (...args: never[]) => T) => void {
  return target => {
    registerAuditTrail(target, options as AuditTrailOptions | undefined);
  };
}

/**
 * Marks an `EntitySchema` (or a `defineEntity` result, or a class) for auditing, like `@AuditTrail()`.
 * Returns its argument, so it can wrap the schema definition.
 */
export function auditTrail<E extends AuditableEntity>(entity: E, options?: AuditTrailOptions): E {
  registerAuditTrail(entity, options);
  return entity;
}
