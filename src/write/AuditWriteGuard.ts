import { AsyncLocalStorage } from 'node:async_hooks';
import { AuditTrailError } from '../errors/index.js';

/**
 * Ends every statement the audit trail itself sends, so that the guard lets exactly those through. At the end,
 * not the start: drivers tell an INSERT from a SELECT by the statement's first word.
 */
export const AUDIT_SQL_MARKER = '/* mikro-orm-audit-trail */';

const maintenance = new AsyncLocalStorage<true>();
const unaudited = new AsyncLocalStorage<true>();
const audited = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with writes to audit tables allowed: for maintenance that must change history on purpose, such as
 * emptying tables between tests or pruning old versions. Everything else that writes to an audit table fails.
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

const WRITE = String.raw`(?:insert\s+(?:ignore\s+)?into|replace\s+into|update(?:\s+ignore)?|delete\s+from|truncate(?:\s+table)?|merge\s+into)\s+(?:only\s+)?`;

/**
 * Rejects SQL that writes to an audit table, whichever way MikroORM sends it (`em.nativeUpdate`,
 * `em.nativeDelete`, `em.insert`, query builders, `em.execute`): history is only ever appended by the library.
 * It sees what goes through MikroORM's connection (its `onQuery` hook); a separate database client does not
 * pass here, which is what database permissions are for.
 */
export class AuditWriteGuard {
  readonly #entities = new Map<string, string>();
  #pattern: RegExp | undefined;
  readonly #sources = new Map<string, string>();
  #sourcePattern: RegExp | undefined;
  readonly #strict: boolean;

  constructor(strict: boolean) {
    this.#strict = strict;
  }

  /** Whether unaudited writes to audited tables are refused (the module's `strict` option). */
  get strict(): boolean {
    return this.#strict;
  }

  /** In strict mode, starts refusing unaudited writes to `table`, the table of audited entity `entity`. */
  protectSource(table: string, entity: string): void {
    const name = table.split('.').pop()!.toLowerCase();
    if (!this.#strict || this.#sources.get(name) === entity) {
      return;
    }
    this.#sources.set(name, entity);
    this.#sourcePattern = tablePattern([...this.#sources.keys()]);
  }

  /** Starts guarding `table` (possibly `schema.table`), the table of audit entity `entity`. */
  protect(table: string, entity: string): void {
    const name = table.split('.').pop()!.toLowerCase();
    if (this.#entities.get(name) === entity) {
      return;
    }
    this.#entities.set(name, entity);
    this.#pattern = tablePattern([...this.#entities.keys()]);
  }

  /** Throws if `sql` writes to a protected table and is neither the library's own nor inside `allowAuditTableWrites`. */
  check(sql: string): void {
    if (!this.#pattern || sql.endsWith(AUDIT_SQL_MARKER) || maintenance.getStore() || isDefinition(sql)) {
      return;
    }
    const match = this.#pattern.exec(sql);
    if (match) {
      const table = match[1]!.toLowerCase();
      throw AuditTrailError.writtenWithSql(this.#entities.get(table) ?? table, table);
    }
  }

  /**
   * Strict mode: throws if `sql` writes to an audited entity's table outside a flush or an audited native write
   * (a query builder's insert/update/delete, `em.execute`), since nothing would record it.
   */
  checkSource(sql: string): void {
    if (!this.#sourcePattern || audited.getStore() || unaudited.getStore() || maintenance.getStore() || sql.endsWith(AUDIT_SQL_MARKER) || isDefinition(sql)) {
      return;
    }
    const match = this.#sourcePattern.exec(sql);
    if (match) {
      const table = match[1]!.toLowerCase();
      throw AuditTrailError.unauditedStatement(this.#sources.get(table) ?? table, table);
    }
  }
}

// A trigger or function definition may contain an INSERT into an audit table in its body: defining it writes nothing.
function isDefinition(sql: string): boolean {
  return /^\s*(create|alter|drop|comment)\s/i.test(sql);
}

function tablePattern(tables: string[]): RegExp {
  const names = tables.map(escape).join('|');
  return new RegExp(String.raw`\b${WRITE}(?:[\x60"\[]?\w+[\x60"\]]?\.)?[\x60"\[]?(${names})[\x60"\]]?(?![\w$])`, 'i');
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
