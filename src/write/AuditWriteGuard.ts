import { AsyncLocalStorage } from 'node:async_hooks';
import { AuditTrailError } from '../errors/index.js';
import type { Dialect } from '../sql/Dialect.js';
import { splitStatements, statementReadings } from '../sql/statementTokens.js';
import { auditTableEffect, writeTargets, type AuditTableEffect, type GuardedTable } from './guardRules.js';

const maintenance = new AsyncLocalStorage<true>();
const unaudited = new AsyncLocalStorage<true>();
const audited = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with writes to audit tables allowed: for maintenance that must change or drop history on purpose,
 * such as emptying or re-creating tables between tests (`orm.schema.refreshDatabase()`). Everything else that
 * writes to an audit table through MikroORM fails.
 */
export function allowAuditTableWrites<R>(fn: () => R): R {
  return maintenance.run(true, fn);
}

/**
 * Runs `fn` with statements that change audited tables without history allowed (strict mode refuses them
 * otherwise): for deliberate maintenance such as a data migration or loading fixtures. Nothing is recorded for
 * what `fn` writes that way; writes through `em.flush()` and the audited native writes are still audited.
 */
export function allowUnauditedWrites<R>(fn: () => R): R {
  return unaudited.run(true, fn);
}

/** Whether the caller runs inside `allowUnauditedWrites` or `allowAuditTableWrites`. */
export function unauditedWritesAllowed(): boolean {
  return !!unaudited.getStore() || !!maintenance.getStore();
}

/** Runs `fn` as a write the audit trail records (a flush, an audited native write): strict mode lets it pass. */
export function auditedWrite<R>(fn: () => R): R {
  return audited.run(true, fn);
}

// For a command line run that drops or re-creates audit tables on purpose (`schema:fresh`, `migration:down`),
// where nothing can be wrapped in allowAuditTableWrites().
const ALLOW_SCHEMA_DROP = 'AUDIT_TRAIL_ALLOW_SCHEMA_DROP';

/**
 * Refuses application SQL that would change or destroy audit rows, whichever way it reaches MikroORM's
 * connection (query builders, `em.execute`, `connection.execute`, the schema tools): it reads the statements
 * MikroORM's `onQuery` hook sees. The library's own statements never pass there (they are sent with their values
 * apart, see `mikro-orm/execute.ts`), so nothing an application writes into its SQL can make it pass. Any
 * changing word in a statement that names an audit table is refused, except schema evolution (new tables,
 * columns, indexes, type changes that convert the column, definitions of triggers and routines), so that
 * spelling tricks find nothing to slip through. Dropping or renaming an audit table, dropping its columns (but
 * those `dropRemovedColumns` names) and emptying it need `allowAuditTableWrites`. It guards against mistakes
 * made through MikroORM's connection: `em.getKnex()`/`em.getKysely()`, another client, stored routines and
 * dynamic SQL assembled in the database are out of its sight; database grants and the append-only triggers of
 * `migrations-template/` are the control for those.
 */
export class AuditWriteGuard {
  readonly #audit = new Map<string, GuardedTable>();
  readonly #sources = new Map<string, string>();
  readonly #strict: boolean;
  #dialect: Dialect = 'sqlite';
  // MikroORM alters a SQLite table by copying its rows into `<table>__temp_alter`, dropping it and renaming the
  // copy: once the rows are copied, that one drop loses nothing.
  readonly #rebuilding = new Set<string>();
  // A statement names a table as written (plain or quoted) or through PostgreSQL's `U&"…"` escapes, or drops
  // whole schemas: one native regular expression test spares every other statement the tokenizer.
  #auditNames: RegExp | undefined;
  #sourceNames: RegExp | undefined;

  constructor(strict: boolean) {
    this.#strict = strict;
  }

  /** Whether unaudited writes to audited tables are refused (the module's `strict` option). */
  get strict(): boolean {
    return this.#strict;
  }

  /** In strict mode, starts refusing unaudited writes to `table`, the table of audited entity `entity`. */
  protectSource(table: string, entity: string): void {
    if (this.#strict) {
      this.#sources.set(lastPart(table), entity);
      this.#sourceNames = mentionPattern(this.#sources, []);
    }
  }

  /** Starts guarding `table` (possibly `schema.table`), the table of audit entity `entity`, on `dialect`. */
  protect(table: string, entity: string, dialect: Dialect, droppable: (column: string) => boolean = () => false): void {
    this.#audit.set(lastPart(table), { entity, droppable });
    this.#auditNames = mentionPattern(this.#audit, ['drop']);
    this.#dialect = dialect;
  }

  /** Throws if `sql` would change, empty or drop an audit table, unless it runs inside `allowAuditTableWrites`. */
  check(sql: string): void {
    if (!this.#auditNames?.test(sql) || maintenance.getStore()) {
      return;
    }
    const everyTable = /uescape/i.test(sql);
    const effects: AuditTableEffect[] = [];
    for (const reading of statementReadings(sql, this.#dialect)) {
      for (const statement of splitStatements(reading)) {
        const effect = auditTableEffect(statement, this.#audit, this.#dialect, everyTable);
        if (effect) {
          effects.push(effect);
        }
      }
    }
    const written = effects.find(effect => effect.kind === 'written');
    if (written) {
      throw AuditTrailError.writtenWithSql(this.#audit.get(written.table)!.entity, written.table);
    }
    effects.filter(effect => effect.kind === 'rebuild-copy').forEach(effect => this.#rebuilding.add(effect.table));
    const dropped = effects.find(effect => effect.kind === 'dropped' || (effect.kind === 'rebuild-drop' && !this.#rebuilding.has(effect.table)));
    if (dropped && process.env[ALLOW_SCHEMA_DROP] !== '1') {
      throw AuditTrailError.droppedWithSql(this.#audit.get(dropped.table)!.entity, dropped.table, ALLOW_SCHEMA_DROP);
    }
    effects.filter(effect => effect.kind === 'rebuild-drop').forEach(effect => this.#rebuilding.delete(effect.table));
  }

  /**
   * Strict mode: throws if `sql` writes to an audited entity's table outside a flush or an audited native write
   * (`em.execute`, a query builder run outside the transaction it was created in), since nothing would record it.
   */
  checkSource(sql: string): void {
    if (audited.getStore() || unaudited.getStore() || maintenance.getStore() || !this.#sourceNames?.test(sql)) {
      return;
    }
    for (const reading of statementReadings(sql, this.#dialect)) {
      for (const statement of splitStatements(reading)) {
        const table = writeTargets(statement).find(target => this.#sources.has(target));
        if (table) {
          throw AuditTrailError.unauditedStatement(this.#sources.get(table)!, table);
        }
      }
    }
  }
}

function mentionPattern(tables: ReadonlyMap<string, unknown>, words: readonly string[]): RegExp {
  const names = [...tables.keys()].map(name => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp([...names, 'u&', ...words.map(word => String.raw`\b${word}\b`)].join('|'), 'i');
}

function lastPart(table: string): string {
  return table.split('.').pop()!.toLowerCase();
}
