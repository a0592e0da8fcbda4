// The one place that reaches into MikroORM's SQL schema classes (`@mikro-orm/knex` in 6, `@mikro-orm/sql` in 7),
// to compare audit tables in the database with their metadata the way the schema diff and migrator do.
// test/migrations/evolution.test.ts and schema-check.test.ts fail if the classes or their shape change (a
// column removed from an entity would be dropped from history, and the startup check would stay silent).
import type { Configuration, EntityManager, EntityMetadata, Platform, Type } from '@mikro-orm/core';
import { createRequire } from 'node:module';
import { ormMajorVersion } from './metadata.js';

/** A column as MikroORM's schema reader and metadata describe it. */
export interface SchemaColumn {
  name: string;
  type: string;
  mappedType: Type<unknown>;
  nullable?: boolean;
  unsigned?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  default?: string | null;
  primary?: boolean;
  autoincrement?: boolean;
}

export interface SchemaIndex {
  keyName: string;
  columnNames: string[];
  unique: boolean;
  primary: boolean;
}

export interface SchemaForeignKey {
  constraintName: string;
  columnNames: string[];
}

export interface SchemaTable {
  name: string;
  schema?: string;
  getShortestName(): string;
  getColumns(): SchemaColumn[];
  getIndexes(): SchemaIndex[];
  getForeignKeys(): Record<string, SchemaForeignKey>;
}

export interface TableDifference {
  name: string;
  fromTable: SchemaTable;
  toTable: SchemaTable;
  addedColumns: Record<string, SchemaColumn>;
  changedColumns: Record<string, { fromColumn: SchemaColumn; column: SchemaColumn; changedProperties: Set<string> }>;
  removedColumns: Record<string, SchemaColumn>;
  renamedColumns: Record<string, SchemaColumn>;
  removedIndexes: Record<string, SchemaIndex>;
  removedForeignKeys: Record<string, SchemaForeignKey>;
}

export interface SchemaDifference {
  newTables: Record<string, SchemaTable>;
  changedTables: Record<string, TableDifference>;
}

interface DatabaseSchemaInstance {
  getTables(): SchemaTable[];
  getNamespaces(): string[];
}

interface SqlSchemaModule {
  DatabaseSchema: {
    create(
      connection: unknown,
      platform: Platform,
      config: Configuration,
      schemaName?: string,
      schemas?: string[],
      takeTables?: string[],
    ): Promise<DatabaseSchemaInstance>;
    fromMetadata(metadata: EntityMetadata[], platform: Platform, config: Configuration, schemaName?: string): DatabaseSchemaInstance;
  };
  SchemaComparator: new (platform: Platform) => { compare(from: DatabaseSchemaInstance, to: DatabaseSchemaInstance): SchemaDifference };
  SqlEntityManager: new (...args: never[]) => EntityManager;
}

interface ConnectionLike {
  /** MikroORM 7 would otherwise run its on-connect work (database creation, ...), which needs a finished ORM. */
  connect(options?: { skipOnConnect: boolean }): unknown;
  close(force?: boolean): Promise<void>;
}

/** The database's tables and what the given metadata would make of them, compared by MikroORM's own comparator. */
export interface TableComparison {
  /** Whether the database has this table (one of those asked for). */
  exists(table: string, schema: string | undefined): boolean;
  /** How the database's table differs from the metadata's; `undefined` when they match. */
  differenceOf(table: string, schema: string | undefined): TableDifference | undefined;
}

const requireModule = createRequire(import.meta.url);

/**
 * MikroORM's SQL package: `@mikro-orm/knex` in MikroORM 6, `@mikro-orm/sql` in MikroORM 7. Loaded synchronously
 * (CommonJS in 6; `require(esm)` on the Node 22 MikroORM 7 needs), so that discovery needs no await and
 * `MikroORM.initSync()` / `new MikroORM()` get an audited EntityManager.
 */
export function sqlSchemaModule(): SqlSchemaModule {
  const name = ormMajorVersion() >= 7 ? '@mikro-orm/sql' : '@mikro-orm/knex';
  const module = requireModule(name) as Partial<SqlSchemaModule>;
  if (typeof module.DatabaseSchema?.create !== 'function' || typeof module.SchemaComparator !== 'function' || typeof module.SqlEntityManager !== 'function') {
    throw new Error(`${name} no longer exports DatabaseSchema.create, SchemaComparator and SqlEntityManager`);
  }
  return module as SqlSchemaModule;
}

/**
 * Reads the given tables from the database over a short-lived connection of its own (discovery runs before the
 * ORM connects, and must not create the ORM's connection early), and compares them with the metadata.
 */
export async function compareWithDatabase(
  platform: Platform,
  metadata: EntityMetadata[],
  tables: readonly { name: string; schema?: string }[],
  connection?: unknown,
): Promise<TableComparison> {
  const { DatabaseSchema, SchemaComparator } = sqlSchemaModule();
  const config = platform.getConfig();
  // As MikroORM's schema generator does, so that tables are named and compared exactly as in its diff.
  const schemaName = config.get('schema') ?? platform.getDefaultSchemaName();
  const target = DatabaseSchema.fromMetadata(metadata, platform, config, schemaName);
  const own = connection ? undefined : openConnection(config);
  try {
    if (own) {
      await own.connect({ skipOnConnect: true });
    }
    const namespaces = [...new Set([...target.getNamespaces(), ...tables.flatMap(table => (table.schema ? [table.schema] : []))])];
    const database = await DatabaseSchema.create(
      connection ?? own,
      platform,
      config,
      schemaName,
      namespaces.length > 0 ? namespaces : undefined,
      tables.map(table => table.name),
    );
    // The comparator names a table with or without its schema depending on the dialect: key both by schema and name.
    const key = (table: string, schema: string | undefined) => `${schema ?? schemaName ?? ''}.${table}`;
    const existing = new Set(database.getTables().map(table => key(table.name, table.schema)));
    const differences = new Map(
      Object.values(new SchemaComparator(platform).compare(database, target).changedTables).map(diff => [
        key(diff.toTable.name, diff.toTable.schema),
        diff,
      ]),
    );
    return {
      exists: (table, schema) => existing.has(key(table, schema)),
      differenceOf: (table, schema) => differences.get(key(table, schema)),
    };
  } finally {
    await own?.close(true);
  }
}

/** Whether an error says the database itself does not exist yet (MikroORM creates it when it connects). */
export function isMissingDatabase(error: unknown): boolean {
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  // PostgreSQL: invalid_catalog_name; MySQL/MariaDB: ER_BAD_DB_ERROR.
  return code === '3D000' || errno === 1049;
}

function openConnection(config: Configuration): ConnectionLike {
  const driverConnection = config.getDriver().getConnection() as unknown as { constructor: new (config: Configuration) => ConnectionLike };
  return new driverConnection.constructor(config);
}
