import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { AUDIT_ID } from './AuditColumns.js';
import { findDefinition, registerAuditClass, sourceNameOf, type AuditableEntity, type EntityOf } from './AuditRegistry.js';
import type { AuditRow } from './AuditRow.js';
import { AuditTrailConfigError } from '../errors/index.js';


/**
 * The audit entity of `entity`: pass it to `em.getRepository()`, `em.find()` or the config's `entities`.
 * Always returns the same schema for the same entity.
 *
 * @example
 * export const PersonAudit = auditOf(Person);
 * const history = await em.find(PersonAudit, { id: person.id }, { orderBy: { _audit_id: 'desc' } });
 */
export function auditOf<E extends AuditableEntity, Track extends object = object>(
  entity: E,
): EntitySchema<AuditRow<EntityOf<E> & object, Track>> {
  const definition = findDefinition(entity);
  if (!definition) {
    throw AuditTrailConfigError.notMarked(entity instanceof EntitySchema ? entity.meta.className : entity.name);
  }
  definition.auditSchema ??= createAuditSchemaShell(definition.source);
  registerAuditClass(definition.auditSchema.meta.class, definition);
  return definition.auditSchema as unknown as EntitySchema<AuditRow<EntityOf<E> & object, Track>>;
}

// Only the audit key is known before discovery; the copied columns, track fields and table name are added
// by `onMetadata` once MikroORM has read the source entity (decorator metadata is incomplete at import time).
function createAuditSchemaShell(source: AuditableEntity): EntitySchema {
  const name = `${sourceNameOf(source)}Audit`;
  const auditClass = { [name]: class {} }[name]!;
  return new EntitySchema({
    class: auditClass,
    properties: {
      [AUDIT_ID]: { type: new BigIntType('number'), primary: true, autoincrement: true },
    },
  });
}
