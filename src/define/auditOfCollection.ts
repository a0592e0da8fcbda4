import { BigIntType, EntitySchema, ReferenceKind } from '@mikro-orm/core';
import { declaredProperties } from '../mikro-orm/declaredProperties.js';
import { AUDIT_ID } from './AuditColumns.js';
import { findDefinition, sourceNameOf, type AuditableEntity } from './AuditRegistry.js';
import type { AuditColumnsRow } from './AuditRow.js';
import { AuditTrailConfigError } from '../errors/index.js';

/** The audit entity of one many-to-many collection's pivot table (`<pivot>_audit`). */
export interface PivotAuditDefinition {
  readonly owner: AuditableEntity;
  readonly property: string;
  readonly schema: EntitySchema;
}

const byOwner = new WeakMap<object, Map<string, PivotAuditDefinition>>();
const byClass = new WeakMap<object, PivotAuditDefinition>();

/** The pivot audit definition whose audit entity has this class, if it is one. */
export function findPivotAuditByClass(auditClass: object): PivotAuditDefinition | undefined {
  return byClass.get(auditClass);
}

/**
 * The pivot audit entities of an audited entity: one per owning many-to-many property, its base entities' included.
 * They have to be listed before discovery like any entity, so the properties are read from the entity's definition
 * (its decorators' metadata, or its schema); the pivot table, its columns and their types are filled in after
 * discovery. The same for the entity given as its schema or its class. `byName` resolves a base entity named by a
 * string (`extends: 'Base'`, MikroORM 6).
 */
export function pivotAuditsOf(entity: AuditableEntity, byName?: (name: string) => object | undefined): PivotAuditDefinition[] {
  const owner = findDefinition(entity)?.source;
  if (!owner) {
    return [];
  }
  let definitions = byOwner.get(owner);
  if (!definitions) {
    definitions = new Map();
    byOwner.set(owner, definitions);
  }
  for (const property of owningManyToMany(owner, byName)) {
    if (!definitions.has(property)) {
      const name = `${sourceNameOf(owner)}${property[0]!.toUpperCase()}${property.slice(1)}PivotAudit`;
      const auditClass = { [name]: class {} }[name]!;
      const schema = new EntitySchema({
        class: auditClass,
        properties: { [AUDIT_ID]: { type: new BigIntType('number'), primary: true, autoincrement: true } },
      });
      const definition = { owner, property, schema };
      definitions.set(property, definition);
      byClass.set(auditClass, definition);
    }
  }
  return [...definitions.values()];
}

// The owning side: `owner: true` (then a second decorator argument names the inverse side), `inversedBy`, or no
// `mappedBy` at all. An explicit `pivotEntity` is an entity of its own: mark it with auditTrail() to audit it.
function owningManyToMany(entity: AuditableEntity, byName?: (name: string) => object | undefined): string[] {
  return [...declaredProperties(entity, byName)]
    .filter(([, prop]) => prop.kind === ReferenceKind.MANY_TO_MANY && (prop.owner === true || !!prop.inversedBy || !prop.mappedBy) && !prop.pivotEntity)
    .map(([name]) => name);
}

/**
 * The audit entity of a many-to-many collection's pivot table (`<pivot>_audit`): one row per pivot row inserted
 * (`I`) or deleted (`D`), holding both keys, with the audit columns and track fields of the owning entity.
 *
 * @example
 * const BookTagsAudit = auditOfCollection(Book, 'tags');
 * const changes = await em.find(BookTagsAudit, { book: 1 }, { orderBy: { _audit_id: 'asc' } });
 */
export function auditOfCollection<E extends AuditableEntity>(entity: E, property: string): EntitySchema<PivotAuditRow> {
  const pivot = pivotAuditsOf(entity).find(definition => definition.property === property);
  if (!pivot) {
    throw AuditTrailConfigError.notAnAuditedCollection(sourceNameOf(entity), property);
  }
  return pivot.schema as EntitySchema<PivotAuditRow>;
}

/** A row of a pivot audit table: the keys of both sides (as relations named by the pivot entity) and the audit columns. */
export type PivotAuditRow = Record<string, unknown> & AuditColumnsRow;
