import { ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { withoutDefaultChanges } from '../define/auditProperties.js';
import type { SchemaColumn } from '../mikro-orm/sqlSchema.js';
import { typeNameOf } from '../mikro-orm/typeInstances.js';

/**
 * Keeps a history column whose source column is gone: the audit entity gets a nullable property with exactly the
 * database column's type, so the schema diff neither drops the column nor changes its type, its old values stay
 * readable through the audit entity, and new audit rows (which never name it) leave it NULL.
 */
export function retainColumn(audit: EntityMetadata, column: SchemaColumn, indexed = false): EntityProperty {
  const prop = {
    name: propertyNameFor(audit, column.name),
    kind: ReferenceKind.SCALAR,
    fieldNames: [column.name],
    columnTypes: [column.type],
    type: typeNameOf(column.mappedType),
    customType: column.mappedType,
    runtimeType: column.mappedType.runtimeType,
    nullable: true,
    index: indexed,
    unsigned: column.unsigned,
    length: column.length,
    precision: column.precision,
    scale: column.scale,
    persist: true,
    ignoreSchemaChanges: withoutDefaultChanges(undefined),
  } as EntityProperty;
  audit.addProperty(prop);
  return prop;
}

/** Whether the user asked for this removed column to be dropped from history by the next migration. */
export function dropsRemovedColumn(dropRemovedColumns: boolean | readonly string[], column: string): boolean {
  return dropRemovedColumns === true || (Array.isArray(dropRemovedColumns) && dropRemovedColumns.includes(column));
}

// The column name is the natural property name; a property that already has that name (a column renamed to
// another property's name) gets a suffix so neither hides the other.
function propertyNameFor(audit: EntityMetadata, column: string): string {
  let name = column;
  for (let n = 2; name in audit.properties; n++) {
    name = `${column}_${n}`;
  }
  return name;
}
