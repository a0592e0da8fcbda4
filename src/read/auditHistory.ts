import { EntitySchema, Utils, type EntityManager, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { primaryKeysOf } from '../mikro-orm/entityKeys.js';
import { AuditTrailError } from '../errors/index.js';
import type { AuditRow } from '../define/AuditRow.js';
import { auditOf } from '../define/auditOf.js';
import type { AuditableEntity, EntityOf } from '../define/AuditRegistry.js';
import { AUDIT_ID } from '../define/AuditColumns.js';
import { diffVersions, type VersionDiff } from './diffVersions.js';
import { keyFilter } from './keyFilter.js';


/** Options of `auditHistory()`. */
export interface AuditHistoryOptions {
  /** Return each version with what changed since the version before it. */
  diffs?: boolean;
}

/** One version of a row, with the fields that changed since the previous version (all set fields for the first). */
export interface AuditVersion<T extends object, Track extends object = object> {
  readonly version: AuditRow<T, Track>;
  readonly changes: VersionDiff<AuditRow<T, Track>>;
}

/**
 * The history of one row, newest first: `auditHistory(em, person)` for a loaded entity, or
 * `auditHistory(em, Person, id)` when only the key is known (also for rows deleted since). With
 * `{ diffs: true }` each version comes with its changes against the previous one.
 */
export function auditHistory<T extends object, Track extends object = object>(em: EntityManager, entity: T): Promise<AuditRow<T, Track>[]>;
export function auditHistory<T extends object, Track extends object = object>(
  em: EntityManager,
  entity: T,
  options: AuditHistoryOptions & { diffs: true },
): Promise<AuditVersion<T, Track>[]>;
export function auditHistory<E extends AuditableEntity, Track extends object = object>(
  em: EntityManager,
  entityType: E,
  id: unknown,
): Promise<AuditRow<EntityOf<E> & object, Track>[]>;
export function auditHistory<E extends AuditableEntity, Track extends object = object>(
  em: EntityManager,
  entityType: E,
  id: unknown,
  options: AuditHistoryOptions & { diffs: true },
): Promise<AuditVersion<EntityOf<E> & object, Track>[]>;
export async function auditHistory(em: EntityManager, entityOrType: object, ...rest: unknown[]): Promise<unknown[]> {
  const isType = typeof entityOrType === 'function' || entityOrType instanceof EntitySchema;
  const type = (isType ? entityOrType : entityOrType.constructor) as AuditableEntity;
  const meta = em.getMetadata().find(type as EntityName<object>);
  if (!meta) {
    throw AuditTrailError.notAnEntity(Utils.className(type as EntityName<object>));
  }
  const id: unknown = isType ? rest[0] : primaryKeysOf(entityOrType);
  const options = (isType ? rest[1] : rest[0]) as AuditHistoryOptions | undefined;
  const rows = (await em.find(auditOf(type), keyFilter(meta, id) as FilterQuery<AuditRow<object>>, {
    orderBy: { [AUDIT_ID]: 'desc' } as never,
  })) as AuditRow<object>[];
  if (!options?.diffs) {
    return rows;
  }
  return rows.map((version, i) => ({ version, changes: diffVersions(rows[i + 1] ?? null, version) }));
}
