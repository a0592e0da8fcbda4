import { ReferenceKind, type EntityMetadata, type EntityProperty, type Platform } from '@mikro-orm/core';
import { AUDIT_ID, AUDIT_PREFIX } from '../define/AuditColumns.js';
import { auditColumnProperties, copyProcessedProperty, copyProperty, isCopied } from '../define/auditProperties.js';
import type { ResolvedActorColumn, ResolvedAuditTrailOptions } from '../define/AuditTrailOptions.js';
import { isExcluded } from '../define/propertyFilters.js';
import { AuditTrailConfigError } from '../errors/index.js';
import { dialectOf } from '../mikro-orm/dialectOf.js';
import { addProperties } from '../mikro-orm/metadata.js';
import { serializeLike } from '../mikro-orm/serializedProperties.js';
import { checkTrackFieldNames, usesSingleTableInheritance } from './validateAuditEntity.js';

/**
 * `onMetadata`: gives the audit entity its table and a copy of each of the source's own columns, while discovery
 * can still process them (field names, column types and indexes come from normal discovery), plus the audit
 * columns and track fields.
 */
export function completeAuditEntity(
  audit: EntityMetadata,
  source: EntityMetadata,
  options: ResolvedAuditTrailOptions,
  platform: Platform,
  actor: ResolvedActorColumn | undefined,
): void {
  if (source.virtual || source.expression) {
    throw AuditTrailConfigError.noPrimaryKey(source.className);
  }
  if (usesSingleTableInheritance(source)) {
    throw AuditTrailConfigError.unsupportedInheritance(source.className);
  }
  for (const prop of Object.values(source.properties)) {
    if (prop.name.startsWith(AUDIT_PREFIX)) {
      throw AuditTrailConfigError.reservedName(source.className, prop.name, prop.name);
    }
  }
  const namingStrategy = platform.getConfig().getNamingStrategy();
  checkTrackFieldNames(source, options, namingStrategy);
  if (dialectOf(platform) === 'sqlite') {
    // SQLite's integer key is 64-bit already, and MikroORM's schema diff reads a `bigint` autoincrement key
    // back as `integer`, so every later migration would rebuild the audit table.
    (audit.properties[AUDIT_ID as keyof typeof audit.properties] as EntityProperty).type = 'number';
  }
  audit.tableName = options.tableName ?? `${source.tableName ?? namingStrategy.classToTableName(source.className)}_audit`;
  audit.schema = source.schema;
  const copies = Object.values(source.properties).filter(prop => isCopied(prop) && !isExcluded(prop, options));
  addProperties(audit, [...copies.map(prop => copyProperty(prop) as EntityProperty), ...(auditColumnProperties(options, actor) as EntityProperty[])]);
}

/**
 * After discovery: inherited properties only reach the source after `onMetadata`, and column names and types,
 * `unsigned` (MariaDB keys) and lengths are only final once discovery processed the source. Copies them from the
 * processed property, so that every audit column has exactly its source column's name and type, and serializes as
 * its source column does.
 */
export function alignWithSource(audit: EntityMetadata, source: EntityMetadata, platform: Platform, options: ResolvedAuditTrailOptions): void {
  for (const prop of source.props) {
    if (!isCopied(prop) || !prop.fieldNames?.length || isExcluded(prop, options)) {
      continue;
    }
    const copy = audit.properties[prop.name] as EntityProperty | undefined;
    if (!copy) {
      audit.addProperty(copyProcessedProperty(prop, platform));
      continue;
    }
    // An autoincrement key's type names a sequence (`serial`); the copy keeps discovery's plain integer type.
    if (!prop.autoincrement) {
      copy.columnTypes = [...prop.columnTypes];
    }
    copy.unsigned = prop.unsigned;
    // A backing field's column is named after its `accessor` (`_email` with `accessor: 'email'` is column
    // `email`), a rule of discovery the copy, which has no accessor, does not follow.
    if (prop.kind === ReferenceKind.SCALAR && copy.fieldNames.join() !== prop.fieldNames.join()) {
      copy.fieldNames = [...prop.fieldNames];
    }
    serializeLike(copy, prop);
  }
}
