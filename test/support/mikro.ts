// One import point for MikroORM in tests, so the same suite runs on MikroORM 6 (decorators in core) and
// MikroORM 7 (decorators in @mikro-orm/decorators/legacy, `schema.refresh` instead of `refreshDatabase`).
import * as core from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/core';
import { allowAuditTableWrites } from '../../src/index.js';

export const ormMajor = Number(core.Utils.getORMVersion().split('.')[0]);

const decoratorModule = '@mikro-orm/decorators/legacy';
const decorators = (ormMajor >= 7 ? await import(/* @vite-ignore */ decoratorModule) : core) as typeof core;

export const { Entity, Property, PrimaryKey, ManyToOne, OneToOne, OneToMany, ManyToMany, Embeddable, Embedded, Unique, Index, Enum, Filter } =
  decorators;

type SchemaApi = {
  refreshDatabase?: () => Promise<void>;
  refresh?: () => Promise<void>;
  dropSchema?: (options?: object) => Promise<void>;
  drop?: (options?: object) => Promise<void>;
  getCreateSchemaSQL: (options?: object) => Promise<string>;
};

/** Drops and recreates every table of the ORM's entities. */
export async function refreshSchema(orm: MikroORM): Promise<void> {
  const schema = orm.schema as unknown as SchemaApi;
  // Dropping audit tables is deliberate here: the audit trail refuses it otherwise.
  await allowAuditTableWrites(() => (schema.refresh ? schema.refresh() : schema.refreshDatabase!()));
}

/** The DDL that would create every table of the ORM's entities. */
export function createSchemaSql(orm: MikroORM): Promise<string> {
  return (orm.schema as unknown as SchemaApi).getCreateSchemaSQL({ wrap: false });
}

/** Drops every table of the ORM's entities, and the migrations table. */
export async function dropSchema(orm: MikroORM): Promise<void> {
  const schema = orm.schema as unknown as SchemaApi;
  const options = { dropMigrationsTable: true };
  await allowAuditTableWrites(() => (schema.drop ? schema.drop(options) : schema.dropSchema!(options)));
}

interface MigrationResult {
  fileName: string;
  code: string;
  diff: { up: string[]; down: string[] };
}

type CreateMigration = (path?: string, blank?: boolean, initial?: boolean, name?: string) => Promise<MigrationResult>;

/** `createMigration()` in MikroORM 6, `create()` in MikroORM 7; `name` keeps two migrations of one second apart. */
export function createMigration(orm: MikroORM, name?: string): Promise<MigrationResult> {
  const migrator = orm.migrator as unknown as { createMigration?: CreateMigration; create?: CreateMigration };
  const create = (migrator.create ?? migrator.createMigration!).bind(migrator);
  return create(undefined, false, false, name);
}
