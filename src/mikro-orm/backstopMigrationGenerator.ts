import type { Configuration } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { backstopStatements, type TriggerBackstopOptions } from '../write/triggerBackstop.js';

interface MigrationDiff {
  up: string[];
  down: string[];
}

type GeneratorClass = new (...args: never[]) => { generate(diff: MigrationDiff, path?: string, name?: string): Promise<unknown> };

/**
 * Makes `migration:create` (re)install the backstop triggers of every audited table the migration creates or
 * alters, after its other statements, through the migrator's `generator` option. The triggers are `create or
 * replace`d, so a migration that changes a table's columns also brings its triggers up to date; a migration with
 * nothing else to do is not created, as before.
 */
export async function installBackstopMigrations(config: Configuration, plans: readonly AuditPlan[], options: TriggerBackstopOptions): Promise<void> {
  let migrations: Record<string, GeneratorClass | undefined>;
  try {
    const name = '@mikro-orm/migrations';
    migrations = (await import(/* @vite-ignore */ name)) as Record<string, GeneratorClass | undefined>;
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
      const touched = plans.filter(plan => diff.up.some(sql => mentions(sql, plan.shape.sourceTable) || mentions(sql, plan.shape.auditTable)));
      const statements = touched.map(plan => backstopStatements(plan, options));
      return super.generate(
        { up: [...diff.up, ...statements.flatMap(s => s.up)], down: [...statements.flatMap(s => s.down), ...diff.down] },
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
