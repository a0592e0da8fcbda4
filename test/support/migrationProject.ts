// A throwaway migrations project on one database: each `open()` is the application at one version of its
// entities, with the real migrator writing into one folder, as a team would over successive releases.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { withAuditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import type { TestDatabase } from './databases.js';
import { createMigration, dropSchema } from './mikro.js';

export interface MigrationProject {
  readonly folder: string;
  /** Starts the application with these entities (closing the previous version). */
  open(entities: unknown[], moduleOptions?: AuditTrailModuleOptions, config?: Partial<Options>): Promise<MikroORM>;
  /**
   * Creates a migration for the current entities, applies it, and checks nothing is left to migrate. `rounds`
   * allows more migrations before that check, for a diff MikroORM only completes in several passes.
   */
  migrate(rounds?: number): Promise<string[]>;
  /** What a migration created now would do (`up` statements), without writing it. */
  pendingStatements(): Promise<string[]>;
  close(): Promise<void>;
}

export function projectRoot(): string {
  // Inside the project, so that the generated migrations resolve @mikro-orm/migrations.
  const root = fileURLToPath(new URL('../../.migrations-tmp/', import.meta.url));
  mkdirSync(root, { recursive: true });
  return root;
}

export interface MigrationProjectOptions {
  /** Let the migrator diff against its snapshot file (MikroORM's default) instead of the database. */
  snapshot?: boolean;
}

export function migrationProject(db: TestDatabase, dbName: string, options: MigrationProjectOptions = {}): MigrationProject {
  const folder = mkdtempSync(join(projectRoot(), `${db.name}-`));
  const name = db.name === 'sqlite' ? join(folder, 'app.db') : dbName;
  let orm: MikroORM | undefined;
  let fresh = true;
  let step = 0;

  const project: MigrationProject = {
    folder,
    async open(entities, moduleOptions, config) {
      await orm?.close(true);
      orm = await MikroORM.init(
        withAuditTrail(
          {
            ...db.config(name),
            dbName: name,
            entities,
            extensions: [Migrator],
            migrations: { path: folder, snapshot: options.snapshot ?? false, emit: 'cjs' },
            ...config,
          } as Options,
          moduleOptions,
        ),
      );
      if (fresh) {
        // A previous run's tables would already have shaped this ORM's audit entities at init: drop, then start again.
        fresh = false;
        await dropSchema(orm);
        return project.open(entities, moduleOptions, config);
      }
      return orm;
    },
    async migrate(rounds = 1) {
      const statements: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const migration = await createMigration(orm!, `step${String(++step).padStart(2, '0')}`);
        await orm!.migrator.up();
        statements.push(...migration.diff.up.filter(statement => statement.trim() !== ''));
        if ((await project.pendingStatements()).length === 0) {
          break;
        }
      }
      expect(await project.pendingStatements()).toEqual([]);
      return statements;
    },
    async pendingStatements() {
      const sql = await (orm!.schema as unknown as { getUpdateSchemaSQL(o: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
      return sql
        .split('\n')
        .map(line => line.trim())
        .filter(line => line !== '' && !(db.name === 'mariadb' && isMariaDbVarcharNoise(line)));
    },
    async close() {
      await orm?.close(true);
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return project;
}

// MikroORM's mysql driver re-emits `modify` for every nullable varchar of an ordinary table on MariaDB (it reads
// the missing default as the string 'NULL'; test/migrations/create.test.ts shows it). Audit tables must never
// have it: the library tells the diff to ignore defaults of history columns.
export function isMariaDbVarcharNoise(statement: string): boolean {
  return !/^alter table `\w+_audit`/.test(statement) && /^alter table `\w+` modify `\w+` varchar\(\d+\)( null)?(, modify `\w+` varchar\(\d+\)( null)?)*;$/.test(statement);
}
