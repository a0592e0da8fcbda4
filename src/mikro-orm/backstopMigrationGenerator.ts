import { createRequire } from 'node:module';
import type { Configuration } from '@mikro-orm/core';
import type { BackstopStatements } from '../sql/backstopTriggers.js';

/** The backstop triggers of one audited table, and the tables whose change in a migration reinstalls them. */
export interface BackstopMigration {
  readonly tables: readonly string[];
  readonly statements: BackstopStatements;
}

interface MigrationDiff {
  up: string[];
  down: string[];
}

type GeneratorClass = new (...args: never[]) => { generate(diff: MigrationDiff, path?: string, name?: string): Promise<unknown> };

/**
 * Makes `migration:create` (re)install the backstop triggers of every audited table the migration creates or
 * alters, after its other statements, through the migrator's `generator` option: a subclass of the generator the
 * config names (MikroORM 6 has no other way to add statements to a generated migration). The triggers are
 * `create or replace`d, so a migration that changes a table's columns also brings its triggers up to date; a
 * migration with nothing else to do is not created, as before.
 */
export function installBackstopMigrations(config: Configuration, backstops: readonly BackstopMigration[]): void {
  let migrations: Record<string, GeneratorClass | undefined>;
  try {
    // Synchronously, as the rest of discovery (MikroORM 6, whose packages are CommonJS, is the only user).
    migrations = createRequire(import.meta.url)('@mikro-orm/migrations') as Record<string, GeneratorClass | undefined>;
  } catch {
    // No migrator installed: nothing generates migrations in this application.
    return;
  }
  const settings = config.get('migrations') as { generator?: GeneratorClass; emit?: string };
  const base = settings.generator ?? (settings.emit === 'js' || settings.emit === 'cjs' ? migrations.JSMigrationGenerator : migrations.TSMigrationGenerator);
  if (!base || (base as { backstop?: boolean }).backstop) {
    return;
  }
  const Backstop = class extends base {
    static readonly backstop = true;

    override generate(diff: MigrationDiff, path?: string, name?: string): Promise<unknown> {
      const touched = backstops.filter(backstop => diff.up.some(sql => backstop.tables.some(table => mentions(sql, table))));
      return super.generate(
        {
          up: [...diff.up, ...touched.flatMap(backstop => backstop.statements.up)],
          down: [...touched.flatMap(backstop => backstop.statements.down), ...diff.down],
        },
        path,
        name,
      );
    }
  };
  config.set('migrations', { ...settings, generator: Backstop } as never);
}

function mentions(sql: string, table: string): boolean {
  const name = table.split('.').pop()!;
  return new RegExp(String.raw`[\x60"]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\x60"]`).test(sql);
}
