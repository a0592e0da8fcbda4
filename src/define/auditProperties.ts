import { BigIntType, ReferenceKind, Type, type EntityProperty, type Platform } from '@mikro-orm/core';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_HASH, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from './AuditColumns.js';
import type { ResolvedActorColumn, ResolvedAuditTrailOptions, TrackField } from './AuditTrailOptions.js';
import { cloneType } from '../mikro-orm/typeInstances.js';

/** A property definition in the raw form MikroORM discovery accepts (decorator options plus `name`/`kind`). */
export type RawProperty = Partial<EntityProperty> & { name: string; kind: ReferenceKind } & Record<string, unknown>;

// Only what shapes the column is copied: behaviour (defaults, generated values, versioning, hooks, cascades,
// serialisation) belongs to the live table, and copying an unknown future option could change history.
const COLUMN_KEYS = [
  'type', 'runtimeType', 'columnType', 'columnTypes', 'fieldName', 'fieldNames', 'customType', 'length', 'precision',
  'scale', 'unsigned', 'enum', 'items', 'nativeEnumName', 'array', 'comment', 'ignoreSchemaChanges', 'embeddable',
  'prefix', 'prefixMode', 'object', 'entity',
] as const;
const RELATION_KEYS = [
  'type', 'entity', 'ref', 'mapToPk', 'fieldName', 'fieldNames', 'joinColumn', 'joinColumns', 'referencedColumnNames',
  'columnType', 'columnTypes', 'targetKey',
] as const;

/** Whether a source property has its own column(s) that belong in the audit table. */
export function isCopied(prop: EntityProperty): boolean {
  if (prop.persist === false || prop.formula) {
    return false;
  }
  switch (prop.kind) {
    case ReferenceKind.SCALAR:
    case ReferenceKind.EMBEDDED:
    case ReferenceKind.MANY_TO_ONE:
      return true;
    case ReferenceKind.ONE_TO_ONE:
      return !prop.mappedBy;
    default:
      return false;
  }
}

/**
 * The audit table's copy of a source property: nullable, never unique, never a key; a relation becomes a plain
 * indexed many-to-one column without FK constraint, so deleting the referenced row neither fails nor cascades.
 */
export function copyProperty(prop: EntityProperty): RawProperty {
  const copy: RawProperty = { name: prop.name, kind: prop.kind };
  for (const key of isRelation(prop) ? RELATION_KEYS : COLUMN_KEYS) {
    if (prop[key as keyof EntityProperty] !== undefined) {
      (copy as Record<string, unknown>)[key] = prop[key as keyof EntityProperty] as unknown;
    }
  }
  if (copy.customType) {
    copy.customType = cloneType(copy.customType);
  }
  if ((prop.type as unknown) instanceof Type) {
    copy.type = cloneType(prop.type as unknown as Type<unknown>) as unknown as string;
  }
  return applyCopyRules(copy, prop);
}

/**
 * The same copy for a property that discovery already processed (one inherited from a base class reaches the
 * source only then): its column names and types are kept, its key, uniqueness and behaviour dropped.
 */
export function copyProcessedProperty(prop: EntityProperty, platform: Platform): EntityProperty {
  const copy: EntityProperty = { ...prop, primary: false, autoincrement: false, unique: false };
  if (prop.autoincrement) {
    // `serial`/`bigserial` names a sequence: the copy gets the plain integer type of the same size.
    copy.columnTypes = [(prop.customType ?? platform.getMappedType(prop.type)).getColumnType(copy, platform)];
  }
  for (const key of ['default', 'defaultRaw', 'onCreate', 'onUpdate', 'generated', 'version', 'inversedBy', 'mappedBy', 'deleteRule', 'updateRule'] as const) {
    delete copy[key];
  }
  if (isRelation(prop)) {
    Object.assign(copy, { owner: true, cascade: [], orphanRemoval: false });
  }
  return applyCopyRules(copy, prop);
}

function isRelation(prop: EntityProperty): boolean {
  return prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE;
}

// The rules every copied column follows, raw or processed: nullable, and a relation becomes a plain indexed
// many-to-one column without FK constraint; a key or indexed column stays indexed.
function applyCopyRules<P extends Partial<EntityProperty>>(copy: P, prop: EntityProperty): P {
  copy.nullable = true;
  copy.ignoreSchemaChanges = withoutDefaultChanges(prop.ignoreSchemaChanges);
  if (isRelation(prop)) {
    Object.assign(copy, { kind: ReferenceKind.MANY_TO_ONE, createForeignKeyConstraint: false, index: true });
  } else if (prop.primary || prop.index) {
    copy.index = true;
  }
  return copy;
}

/**
 * History columns never have a default (every audit row names every column), so a default the database reports
 * is not a difference. MikroORM's mysql driver reads a nullable column's missing default on MariaDB as the string
 * `'NULL'`: without this every nullable history column would be altered by every migration, and a renamed one
 * would be dropped and added instead of renamed.
 */
export function withoutDefaultChanges(ignored: EntityProperty['ignoreSchemaChanges']): NonNullable<EntityProperty['ignoreSchemaChanges']> {
  return [...new Set([...(ignored ?? []), 'default' as const])];
}

/** The audit columns (`_audit_timestamp`, `_audit_change_type`, ...) and the track fields, in raw property form. */
export function auditColumnProperties(options: ResolvedAuditTrailOptions, actor: ResolvedActorColumn | undefined): RawProperty[] {
  const props: RawProperty[] = [
    { name: AUDIT_TIMESTAMP, kind: ReferenceKind.SCALAR, type: 'Date', length: 3, nullable: false, index: true },
    // Nullable so that adding them to an audit table that already has rows needs no default.
    { name: AUDIT_TRANSACTION, kind: ReferenceKind.SCALAR, type: 'string', length: 36, nullable: true, index: true, ignoreSchemaChanges: withoutDefaultChanges(undefined) },
    { name: AUDIT_REASON, kind: ReferenceKind.SCALAR, type: 'text', nullable: true, ignoreSchemaChanges: withoutDefaultChanges(undefined) },
  ];
  if (actor) {
    // A `bigint` read back as a JS number, like `_audit_id`: user ids of any integer key fit.
    const type = actor.type === 'number' ? (new BigIntType('number') as unknown as string) : 'string';
    props.push({ name: AUDIT_ACTOR, kind: ReferenceKind.SCALAR, type, length: actor.length, nullable: true, index: true, ignoreSchemaChanges: withoutDefaultChanges(undefined) });
  }
  if (options.tamperEvidence) {
    // NULL only in rows the trigger backstop writes; nullable also so that turning the option on needs no default.
    props.push({ name: AUDIT_HASH, kind: ReferenceKind.SCALAR, type: 'string', length: 64, nullable: true, ignoreSchemaChanges: withoutDefaultChanges(undefined) });
  }
  if (options.saveChangeType) {
    props.push({ name: AUDIT_CHANGE_TYPE, kind: ReferenceKind.SCALAR, type: 'string', columnType: 'char(1)', nullable: false });
  }
  return [...props, ...options.trackFields.map(trackFieldProperty)];
}

function trackFieldProperty(field: TrackField): RawProperty {
  const nullable = field.nullable ?? true;
  if (field.entity) {
    return {
      name: field.name,
      kind: ReferenceKind.MANY_TO_ONE,
      entity: field.entity,
      nullable,
      createForeignKeyConstraint: false,
      index: true,
      ignoreSchemaChanges: withoutDefaultChanges(undefined),
    } as RawProperty;
  }
  return {
    name: field.name,
    kind: ReferenceKind.SCALAR,
    type: field.type,
    length: field.length,
    nullable,
    ignoreSchemaChanges: withoutDefaultChanges(undefined),
  } as RawProperty;
}
