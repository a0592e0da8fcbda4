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
  composite?: boolean;
  constraint?: boolean;
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

/** MikroORM's `DatabaseSchema`: the tables of one database, read from it or built from metadata. */
export interface DatabaseSchemaInstance {
  getTables(): SchemaTable[];
  getNamespaces(): string[];
  setNativeEnums(nativeEnums: Record<string, unknown>): void;
  addTable(name: string, schema?: string): {
    init(columns: SchemaColumn[], indexes: SchemaIndex[], checks: unknown[], pks: string[], fks: Record<string, SchemaForeignKey>, enums: Record<string, string[]>): void;
  };
}

interface SqlSchemaModule {
  DatabaseSchema: {
    new (platform: Platform, name?: string): DatabaseSchemaInstance;
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

/** Whether an error says the database itself does not exist yet (MikroORM creates it when it connects). */
export function isMissingDatabase(error: unknown): boolean {
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  // PostgreSQL: invalid_catalog_name; MySQL/MariaDB: ER_BAD_DB_ERROR.
  return code === '3D000' || errno === 1049;
}
