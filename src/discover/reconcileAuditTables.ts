import type { EntityMetadata, Platform } from '@mikro-orm/core';
import type { ResolvedAuditTrailOptions, SchemaCheckMode } from '../define/AuditTrailOptions.js';
import { AuditTrailConfigError } from '../errors/index.js';
import { dropsRemovedColumn, retainColumn } from './retainedColumns.js';
import { compareWithDatabase } from '../mikro-orm/compareTables.js';
import type { TableDifference } from '../mikro-orm/sqlSchema.js';

/** One way an existing audit table differs from what its entity needs. */
export interface AuditTableMismatch {
  /** The audit table, schema-qualified outside the default schema. */
  readonly table: string;
  /** The column concerned; absent when the whole table is. */
  readonly column?: string;
  readonly problem: string;
}

/** An audit entity and what reconciling its table needs to know. */
export interface ReconcileTarget {
  readonly audit: EntityMetadata;
  readonly source: EntityMetadata;
  readonly options: ResolvedAuditTrailOptions;
}

/**
 * Compares every audit table in the database with its audit entity, over the ORM's own `connection`, before a
 * schema diff reads the metadata: history columns whose source column was removed are kept in the audit entity
 * (unless `dropRemovedColumns` says otherwise), and each incompatibility is listed.
 */
export async function reconcileAuditTables(connection: unknown, targets: readonly ReconcileTarget[], platform: Platform): Promise<AuditTableMismatch[]> {
  const tableOf = (meta: EntityMetadata) => ({ name: meta.tableName, schema: meta.schema });
  const database = await compareWithDatabase(
    connection,
    platform,
    targets.map(target => target.audit),
    targets.flatMap(target => [tableOf(target.audit), tableOf(target.source)]),
  );
  const mismatches: AuditTableMismatch[] = [];
  for (const { audit, source, options } of targets) {
    const table = audit.schema ? `${audit.schema}.${audit.tableName}` : audit.tableName;
    if (!database.exists(audit.tableName, audit.schema)) {
      if (database.exists(source.tableName, source.schema)) {
        mismatches.push({ table, problem: `does not exist, but the table of ${source.className} does` });
      }
      continue;
    }
    const diff = database.differenceOf(audit.tableName, audit.schema);
    if (diff) {
      mismatches.push(...retainRemovedColumns(diff, audit, options, table));
      mismatches.push(...incompatibilities(diff, table));
    }
  }
  return mismatches;
}

function retainRemovedColumns(diff: TableDifference, audit: EntityMetadata, options: ResolvedAuditTrailOptions, table: string): AuditTableMismatch[] {
  const mismatches: AuditTableMismatch[] = [];
  for (const column of Object.values(diff.removedColumns)) {
    if (dropsRemovedColumn(options.dropRemovedColumns, column.name)) {
      continue;
    }
    // Its plain index too (an indexed key, relation or `_audit_actor`), so that keeping the column keeps lookups fast.
    const indexed = Object.values(diff.removedIndexes).some(index => !index.unique && !index.primary && index.columnNames.length === 1 && index.columnNames[0] === column.name);
    retainColumn(audit, column, indexed);
    if (!column.nullable && column.default == null) {
      mismatches.push({ table, column: column.name, problem: 'is NOT NULL, but no longer has a source column to fill it' });
    }
  }
  return mismatches;
}

function incompatibilities(diff: TableDifference, table: string): AuditTableMismatch[] {
  const mismatches: AuditTableMismatch[] = [];
  for (const column of Object.values(diff.addedColumns)) {
    mismatches.push({ table, column: column.name, problem: `is missing (expected ${column.type})` });
  }
  for (const { fromColumn, column, changedProperties } of Object.values(diff.changedColumns)) {
    if (changedProperties.has('type')) {
      mismatches.push({ table, column: column.name, problem: `has type ${fromColumn.type}, expected ${column.type}` });
    }
    if (changedProperties.has('nullable') && !fromColumn.nullable && column.nullable) {
      mismatches.push({ table, column: column.name, problem: 'is NOT NULL, but history columns must accept NULL' });
    }
  }
  for (const index of Object.values(diff.removedIndexes)) {
    if (index.unique && !index.primary) {
      mismatches.push({ table, column: index.columnNames.join(', '), problem: `has the unique index ${index.keyName}, which rejects a second version of a row` });
    }
  }
  for (const fk of Object.values(diff.removedForeignKeys)) {
    mismatches.push({ table, column: fk.columnNames.join(', '), problem: `has the foreign key ${fk.constraintName}, which would block deleting the rows it points to` });
  }
  return mismatches;
}

/** Logs or throws the mismatches as one message, as the `schemaCheck` option says. */
export function reportMismatches(mismatches: readonly AuditTableMismatch[], mode: SchemaCheckMode, platform: Platform): void {
  if (mismatches.length === 0 || mode === 'off') {
    return;
  }
  const error = AuditTrailConfigError.auditTablesMismatch(mismatches);
  if (mode === 'error') {
    throw error;
  }
  platform.getConfig().getLogger().warn('discovery', error.message, { enabled: true });
}
