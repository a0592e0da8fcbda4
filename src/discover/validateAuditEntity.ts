import { ReferenceKind, type EntityMetadata, type EntityProperty, type NamingStrategy } from '@mikro-orm/core';
import { AUDIT_PREFIX } from '../define/AuditColumns.js';
import { isCopied } from '../define/auditProperties.js';
import type { ResolvedAuditTrailOptions } from '../define/AuditTrailOptions.js';
import { AuditTrailConfigError } from '../errors/index.js';

/** Track field names that clash with a property, a column (MikroORM would say so with no hint) or the prefix. */
export function checkTrackFieldNames(source: EntityMetadata, options: ResolvedAuditTrailOptions, namingStrategy: NamingStrategy): void {
  const columns = scalarColumnsOf(source, name => namingStrategy.propertyToColumnName(name));
  for (const field of options.trackFields) {
    if (field.name in source.properties) {
      throw AuditTrailConfigError.trackFieldClash(source.className, field.name);
    }
    const column = namingStrategy.propertyToColumnName(field.name);
    if (!field.entity && columns.has(column)) {
      throw AuditTrailConfigError.trackFieldColumnClash(source.className, field.name, column, columns.get(column)!);
    }
    if (field.name.startsWith(AUDIT_PREFIX)) {
      throw AuditTrailConfigError.reservedName(source.className, `trackFields['${field.name}']`, field.name);
    }
  }
}

/** After discovery: source columns named like audit columns, and track fields mapped onto a source column. */
export function validateColumns(audit: EntityMetadata, source: EntityMetadata, options: ResolvedAuditTrailOptions): void {
  const sourceColumns = new Map<string, string>();
  for (const prop of source.props) {
    for (const column of isCopied(prop) ? (prop.fieldNames ?? []) : []) {
      if (column.startsWith(AUDIT_PREFIX)) {
        throw AuditTrailConfigError.reservedName(source.className, prop.name, column);
      }
      sourceColumns.set(column, prop.name);
    }
  }
  for (const field of options.trackFields) {
    const prop = audit.properties[field.name] as EntityProperty;
    const clash = prop.fieldNames.find(column => sourceColumns.has(column));
    if (clash) {
      throw AuditTrailConfigError.trackFieldColumnClash(source.className, field.name, clash, sourceColumns.get(clash)!);
    }
  }
}

/** An audit table name that another entity already uses. */
export function validateTable(audit: EntityMetadata, source: EntityMetadata, metas: EntityMetadata[]): void {
  const other = metas.find(meta => meta !== audit && !meta.embeddable && !meta.virtual && meta.tableName === audit.tableName && meta.schema === audit.schema);
  if (other) {
    throw AuditTrailConfigError.tableClash(source.className, audit.tableName, other.className);
  }
}

/** Whether an entity is part of a single table inheritance hierarchy (not supported yet). */
export function usesSingleTableInheritance(meta: EntityMetadata): boolean {
  return !!(meta.discriminatorColumn || meta.discriminatorValue !== undefined || meta.root?.discriminatorColumn);
}

// The scalar columns of a source before discovery processed it, by column name: their property names.
function scalarColumnsOf(source: EntityMetadata, propertyToColumnName: (name: string) => string): Map<string, string> {
  const columns = new Map<string, string>();
  for (const prop of Object.values(source.properties)) {
    if (prop.kind === ReferenceKind.SCALAR && isCopied(prop)) {
      columns.set((prop as { fieldName?: string }).fieldName ?? propertyToColumnName(prop.name), prop.name);
    }
  }
  return columns;
}
