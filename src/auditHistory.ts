import { EntitySchema, wrap, type EntityManager, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { AuditTrailError } from './errors.js';
import type { AuditRow } from './AuditRow.js';
import { auditOf } from './auditOf.js';
import type { AuditableEntity } from './AuditRegistry.js';
import { AUDIT_ID, AUDIT_TIMESTAMP } from './AuditColumns.js';

type Instance<E> = E extends EntitySchema<infer T> ? T : E extends abstract new (...args: never[]) => infer T ? T : never;

/**
 * The history of one row, newest first: `auditHistory(em, person)` for a loaded entity, or
 * `auditHistory(em, Person, id)` when only the key is known (also for rows deleted since).
 */
export function auditHistory<T extends object, Track extends object = object>(em: EntityManager, entity: T): Promise<AuditRow<T, Track>[]>;
export function auditHistory<E extends AuditableEntity, Track extends object = object>(
  em: EntityManager,
  entityType: E,
  id: unknown,
): Promise<AuditRow<Instance<E> & object, Track>[]>;
export async function auditHistory(em: EntityManager, entityOrType: object, id?: unknown): Promise<AuditRow<object>[]> {
  const isType = typeof entityOrType === 'function' || entityOrType instanceof EntitySchema;
  const type = (isType ? entityOrType : entityOrType.constructor) as AuditableEntity;
  const meta = em.getMetadata().find(type as EntityName<object>);
  if (!meta) {
    throw AuditTrailError.notAnEntity(isType ? String((type as { name?: string }).name) : entityOrType.constructor.name);
  }
  const key: unknown = isType ? id : wrap(entityOrType, true).getPrimaryKeys();
  const keys = Array.isArray(key) ? (key as unknown[]) : [key];
  const where = Object.fromEntries(meta.primaryKeys.map((name, i) => [name, keys[i]])) as FilterQuery<AuditRow<object>>;
  return em.find(auditOf(type), where, {
    orderBy: { [AUDIT_TIMESTAMP]: 'desc', [AUDIT_ID]: 'desc' } as never,
  }) as Promise<AuditRow<object>[]>;
}
