// Compares audit tables in the database with their metadata the way MikroORM's schema diff and migrator do: the
// tables read in one statement (catalogReader.ts), the comparison by MikroORM's own `SchemaComparator`.
import type { EntityMetadata, Platform } from '@mikro-orm/core';
import { readCatalog } from './catalogReader.js';
import { sqlSchemaModule, type TableDifference } from './sqlSchema.js';

/** The database's tables and what the given metadata would make of them, compared by MikroORM's own comparator. */
export interface TableComparison {
  /** Whether the database has this table (one of those asked for). */
  exists(table: string, schema: string | undefined): boolean;
  /** How the database's table differs from the metadata's; `undefined` when they match. */
  differenceOf(table: string, schema: string | undefined): TableDifference | undefined;
}

/**
 * Reads the given tables over `connection` (the ORM's own) in one statement, and compares the audit tables among
 * them (`metadata`) with what that metadata would make of them, with MikroORM's comparator.
 */
export async function compareWithDatabase(
  connection: unknown,
  platform: Platform,
  metadata: EntityMetadata[],
  tables: readonly { name: string; schema?: string }[],
): Promise<TableComparison> {
  const { DatabaseSchema, SchemaComparator } = sqlSchemaModule();
  const config = platform.getConfig();
  // As MikroORM's schema generator does, so that tables are named and compared exactly as in its diff.
  const schemaName = config.get('schema') ?? platform.getDefaultSchemaName();
  const detailed = new Set(metadata.map(meta => `${meta.schema ?? ''}.${meta.tableName}`));
  const requested = tables.map(table => ({ ...table, details: detailed.has(`${table.schema ?? ''}.${table.name}`) }));
  const { existing, schema: database } = await readCatalog(connection, platform, requested, schemaName);
  // Built after the read, not while the statement travels: the default check runs alongside the application's
  // start, which this CPU work would otherwise delay.
  const target = DatabaseSchema.fromMetadata(metadata, platform, config, schemaName);
  // The comparator names a table with or without its schema depending on the dialect: key both by schema and name.
  const key = (table: string, schema: string | undefined) => `${schema ?? schemaName ?? ''}.${table}`;
  const found = new Set([...existing].map(name => key(name.slice(name.indexOf('.') + 1), name.slice(0, name.indexOf('.')) || undefined)));
  const differences = new Map(
    Object.values(new SchemaComparator(platform).compare(database, target).changedTables).map(diff => [key(diff.toTable.name, diff.toTable.schema), diff]),
  );
  return {
    exists: (table, schema) => found.has(key(table, schema)),
    differenceOf: (table, schema) => differences.get(key(table, schema)),
  };
}
