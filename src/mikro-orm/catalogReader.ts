// Reads tables from the database in one statement (src/sql/catalogQuery.ts) and turns the rows into MikroORM's own
// schema objects with MikroORM's own column readers: each reader method is handed the rows it would have fetched
// itself, through a connection that answers from them. Its type, length, default and enum rules therefore apply
// unchanged. test/migrations/catalog-reader.test.ts fails if the result differs from MikroORM's full reader
// (`DatabaseSchema.create`) for any of a wide set of column types, on each database, on MikroORM 6 and 7.
import type { Platform } from '@mikro-orm/core';
import { buildCatalogQuery, type CatalogRowKind, type CatalogTable } from '../sql/catalogQuery.js';
import { dialectOf } from './dialectOf.js';
import { runOnConnection } from './execute.js';
import { sqlSchemaModule, type DatabaseSchemaInstance, type SchemaColumn, type SchemaForeignKey, type SchemaIndex } from './sqlSchema.js';

type Row = Record<string, unknown>;
type ColumnsByTable = Record<string, SchemaColumn[]>;

/** What the catalog holds about the requested tables. */
export interface CatalogSnapshot {
  /** The requested tables that exist, as `schema.table` (`.table` without a schema). */
  readonly existing: ReadonlySet<string>;
  /** The detailed tables that exist, read as MikroORM's schema reader would have. */
  readonly schema: DatabaseSchemaInstance;
}

interface SchemaHelperMethods {
  getTableKey(table: { table_name: string; schema_name?: string | null }): string;
  getAllColumns?(connection: object, tables: unknown, nativeEnums?: unknown): Promise<ColumnsByTable>;
  getNativeEnumDefinitions?(connection: object, schemas: string[]): Promise<Record<string, unknown>>;
  getAllChecks?(connection: object, tables: unknown): Promise<Record<string, unknown[]>>;
  getAllEnumDefinitions?(connection: object, tables: unknown[]): Promise<Record<string, Record<string, string[]>>>;
  getColumns?(connection: object, table: string, schema?: string): Promise<SchemaColumn[]>;
  getChecks?(connection: object, table: string, schema?: string): Promise<unknown[]>;
  extractEnumValuesFromChecks?(checks: unknown[]): Record<string, string[]>;
  /** SQLite 6: `(connection, checks, table)`; PostgreSQL 6: `(connection, checks)`; PostgreSQL 7: `(checks)`. */
  getEnumDefinitions?(...args: unknown[]): Promise<Record<string, string[]>> | Record<string, string[]>;
  isImplicitIndex?(name: string): boolean;
}

/** Reads which of `tables` exist and, for those with `details`, their columns, indexes and foreign keys. */
export async function readCatalog(connection: unknown, platform: Platform, tables: readonly CatalogTable[], schemaName: string | undefined): Promise<CatalogSnapshot> {
  const dialect = dialectOf(platform)!;
  const statement = buildCatalogQuery(dialect, tables, schemaName);
  const rows = await runOnConnection(connection, platform, undefined, statement, 'all');
  const byKind = new Map<CatalogRowKind, Row[]>();
  for (const row of rows) {
    const data = typeof row.data === 'string' ? (JSON.parse(row.data) as Row) : (row.data as Row);
    byKind.set(row.kind as CatalogRowKind, [...(byKind.get(row.kind as CatalogRowKind) ?? []), data]);
  }
  const of = (kind: CatalogRowKind) => byKind.get(kind) ?? [];
  const helper = platform.getSchemaHelper() as SchemaHelperMethods;
  const found = of('table');
  const key = (row: Row) => helper.getTableKey({ table_name: row.table_name as string, schema_name: row.schema_name as string | null });
  const detailed = found.filter(row => tables.some(t => t.details && t.name === row.table_name && (dialect !== 'postgresql' || (t.schema ?? schemaName) === row.schema_name)));
  const { columns, enums, nativeEnums, checks } = await readColumns(dialect, helper, platform, of, detailed);
  const { DatabaseSchema } = sqlSchemaModule();
  const schema = new DatabaseSchema(platform, schemaName);
  schema.setNativeEnums(nativeEnums);
  for (const row of detailed) {
    const k = key(row);
    const cols = columns[k] ?? [];
    const indexes = indexesOf(dialect, helper, of('index').filter(index => key(index) === k), cols);
    const fks = foreignKeysOf(dialect, platform, row.table_name as string, of('fk').filter(fk => key(fk) === k));
    const pks = indexes.filter(index => index.primary).flatMap(index => index.columnNames);
    const tableEnums = enums[k] ?? (dialect === 'postgresql' ? await enumsFromChecks(helper, platform, checks[k] ?? []) : {});
    schema.addTable(row.table_name as string, (row.schema_name as string | null) ?? undefined).init(cols, indexes, checks[k] ?? [], pks, fks, tableEnums);
  }
  return { existing: new Set(found.map(row => `${(row.schema_name as string | null) ?? ''}.${row.table_name as string}`)), schema };
}

// A connection that answers every statement of MikroORM's schema reader with the given rows.
function answering(platform: Platform, answer: (sql: string) => unknown): object {
  return { execute: (sql: string) => Promise.resolve(answer(sql)), getPlatform: () => platform };
}

async function readColumns(
  dialect: string,
  helper: SchemaHelperMethods,
  platform: Platform,
  of: (kind: CatalogRowKind) => Row[],
  detailed: Row[],
): Promise<ReadColumns> {
  if (dialect === 'postgresql') {
    const nativeEnums = await helper.getNativeEnumDefinitions!(answering(platform, () => of('enum')), []);
    const columns = await helper.getAllColumns!(answering(platform, () => of('column')), new Map(), nativeEnums);
    return { columns, enums: {}, nativeEnums, checks: await helper.getAllChecks!(answering(platform, () => of('check')), new Map()) };
  }
  if (dialect === 'mysql') {
    const enumColumns = of('column').filter(column => column.data_type === 'enum');
    // Keyed by table name, as MikroORM's reader keys them; a MySQL table key is its name.
    const enums = await helper.getAllEnumDefinitions!(answering(platform, () => enumColumns), []);
    return { columns: await helper.getAllColumns!(answering(platform, () => of('column')), []), enums, nativeEnums: {}, checks: {} };
  }
  // SQLite's reader works one table at a time, from `pragma table_xinfo` and the table's `create` statement.
  const columns: ColumnsByTable = {};
  const enums: Record<string, Record<string, string[]>> = {};
  for (const table of detailed) {
    const name = table.table_name as string;
    const xinfo = of('column').filter(column => column.table_name === name);
    const connection = answering(platform, sql => (/table_x?info/.test(sql) ? xinfo : { sql: table.sql }));
    const key = helper.getTableKey({ table_name: name });
    columns[key] = await helper.getColumns!(connection, name);
    enums[key] = helper.extractEnumValuesFromChecks
      ? helper.extractEnumValuesFromChecks(await helper.getChecks!(connection, name))
      : await helper.getEnumDefinitions!(connection, [], name);
  }
  return { columns, enums, nativeEnums: {}, checks: {} };
}

interface ReadColumns {
  columns: ColumnsByTable;
  enums: Record<string, Record<string, string[]>>;
  nativeEnums: Record<string, unknown>;
  checks: Record<string, unknown[]>;
}

// PostgreSQL's enum columns without a native type are text columns with a check constraint listing the values.
async function enumsFromChecks(helper: SchemaHelperMethods, platform: Platform, checks: unknown[]): Promise<Record<string, string[]>> {
  const define = helper.getEnumDefinitions!.bind(helper);
  // MikroORM 6 takes the connection first (and reads nothing with it), MikroORM 7 only the checks.
  return await (helper.getEnumDefinitions!.length >= 2 ? define(answering(platform, () => []), checks) : define(checks));
}

// The indexes, as MikroORM's reader describes the parts the check uses: the key, unique indexes (which reject a
// second version of a row), and plain single-column ones (a kept history column keeps its index).
function indexesOf(dialect: string, helper: SchemaHelperMethods, rows: Row[], columns: SchemaColumn[]): SchemaIndex[] {
  const indexes = new Map<string, SchemaIndex>();
  if (dialect === 'sqlite') {
    // As MikroORM's SQLite reader: the primary key from the columns, automatic indexes left out.
    const pk = columns.filter(column => column.primary).map(column => column.name);
    if (pk.length > 0) {
      indexes.set('primary', { keyName: 'primary', columnNames: pk, unique: true, primary: true });
    }
  }
  for (const row of rows) {
    const name = row.key_name as string;
    if (dialect === 'sqlite' && (row.primary || helper.isImplicitIndex?.(name))) {
      continue;
    }
    // PostgreSQL: each key as `pg_get_indexdef` writes it (an expression for an expression index), unquoted as MikroORM does.
    const columnNames = dialect === 'postgresql' ? (row.columns as string[]).map(column => column.replace(/['"`]/g, '')) : [row.column_name as string];
    const index = indexes.get(name);
    if (index) {
      index.columnNames.push(...columnNames);
      continue;
    }
    const primary = dialect === 'mysql' ? name === 'PRIMARY' : !!row.primary;
    indexes.set(name, { keyName: name, columnNames: [...columnNames], unique: !!row.unique, primary, ...(row.constraint !== undefined && { constraint: !!row.constraint }) });
  }
  return [...indexes.values()].map(index => ({ ...index, composite: index.columnNames.length > 1 }));
}

function foreignKeysOf(dialect: string, platform: Platform, table: string, rows: Row[]): Record<string, SchemaForeignKey> {
  const fks: Record<string, SchemaForeignKey> = {};
  for (const row of rows) {
    const columns = dialect === 'postgresql' ? ((row.columns as string[] | null) ?? []) : [row.column_name as string];
    // SQLite names no foreign key: MikroORM's reader names them as its naming strategy would.
    const name = dialect === 'sqlite' ? `${row.id as number}` : (row.constraint_name as string);
    const fk = (fks[name] ??= { constraintName: name, columnNames: [] });
    fk.columnNames.push(...columns);
  }
  if (dialect !== 'sqlite') {
    return fks;
  }
  return Object.fromEntries(
    Object.values(fks).map(fk => {
      const constraintName = platform.getIndexName(table, fk.columnNames, 'foreign');
      return [constraintName, { ...fk, constraintName }];
    }),
  );
}
