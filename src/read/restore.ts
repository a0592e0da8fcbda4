import { EntitySchema, FlushMode, ReferenceKind, type EntityManager, type EntityMetadata, type EntityName, type EntityProperty } from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import { auditPlanOf } from './auditPlanOf.js';
import { isCopied } from '../define/auditProperties.js';
import { findDefinition, findDefinitionByAuditClass, sourceNameOf, type AuditableEntity, type EntityOf } from '../define/AuditRegistry.js';
import type { AuditRow } from '../define/AuditRow.js';
import { AuditTrailError } from '../errors/index.js';
import { keyFilter } from './keyFilter.js';
import { plainValue } from './plainValue.js';
import { isExcluded, isMasked } from '../define/propertyFilters.js';

/** Options of `restore()`. */
export interface RestoreOptions {
  /** Stored as the change's reason; defaults to one naming the restored version. */
  reason?: string;
}


/**
 * Makes the live row equal to a version from its history, recreating it if it was deleted since, and flushes
 * that as an ordinary audited change whose reason names the version. Restoring works across schema changes:
 * a column removed since is ignored, and a column added since (no value in that version) keeps its current
 * value, or takes its default when the row is recreated. Masked and excluded properties are not restored.
 *
 * Only the restored row is written: the change is made and flushed in a fork of `em` on `em`'s transaction (if
 * it has one, the restore commits or rolls back with it), so changes pending in `em` stay pending and never
 * carry the restore's reason. The returned entity is `em`'s own, reloaded with the restored state; a change to
 * that same row pending in `em` is replaced by it.
 *
 * @example
 * const [, previous] = await auditHistory(em, Invoice, 42);
 * await restore(em, previous);
 */
export function restore<T extends object>(em: EntityManager, version: AuditRow<T>, options?: RestoreOptions): Promise<T>;
export function restore<E extends AuditableEntity>(
  em: EntityManager,
  entityType: E,
  version: AuditRow<EntityOf<E> & object>,
  options?: RestoreOptions,
): Promise<EntityOf<E>>;
export async function restore(em: EntityManager, first: object, second?: object, third?: RestoreOptions): Promise<object> {
  const typed = typeof first === 'function' || first instanceof EntitySchema;
  const version = (typed ? second : first) as Record<string, unknown> | undefined;
  const options = (typed ? third : (second as RestoreOptions | undefined)) ?? {};
  const definition = version && typeof version === 'object' ? findDefinitionByAuditClass(version.constructor) : undefined;
  if (!definition) {
    throw AuditTrailError.notAnAuditRow('restore()', 'version');
  }
  if (typed && findDefinition(first) !== definition) {
    throw AuditTrailError.restoreOtherEntity(sourceNameOf(first as AuditableEntity), sourceNameOf(definition.source));
  }
  const plan = auditPlanOf(em, definition.source);
  const meta = plan.source;
  const entityName = meta.class as EntityName<object>;
  const key = meta.primaryKeys.map(name => plainValue(version![name]));
  const data = restoredData(meta, version!, plan.options);
  const where = keyFilter(meta, key.length === 1 ? key[0] : key);
  const reason = options.reason ?? `restored ${sourceNameOf(definition.source)}Audit #${String(version!._audit_id)}`;
  // A flush of `em` itself would write, under this reason, whatever else the caller has pending.
  const fork = em.fork({ clear: true, keepTransactionContext: true });
  const live = await fork.findOne(entityName, where as never);
  if (live) {
    fork.assign(live, data as never);
  } else {
    fork.create(entityName, { ...where, ...data } as never);
  }
  await auditContext.run({ ...auditContext.current(), reason }, () => fork.flush());
  // COMMIT: an automatic flush before this read would flush the caller's pending changes after all.
  return await em.findOneOrFail(entityName, where as never, { refresh: true, flushMode: FlushMode.COMMIT });
}

function restoredData(meta: EntityMetadata, version: Record<string, unknown>, filters: Parameters<typeof isExcluded>[1]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const prop of meta.props) {
    if (!restorable(prop) || isExcluded(prop, filters) || isMasked(prop, filters) || !(prop.name in version)) {
      continue;
    }
    const value = plainValue(version[prop.name]);
    // No value for a required column: it was added after this version was written.
    if (value === null && !prop.nullable) {
      continue;
    }
    data[prop.name] = value;
  }
  return data;
}

function restorable(prop: EntityProperty): boolean {
  return isCopied(prop) && !prop.primary && !prop.version && !prop.embedded && prop.kind !== ReferenceKind.ONE_TO_MANY;
}
