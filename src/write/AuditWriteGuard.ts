import { AsyncLocalStorage } from 'node:async_hooks';
import { AuditTrailError } from '../errors/index.js';
import type { Dialect } from '../sql/Dialect.js';
import { statementReadings, type StatementTokens, type Token } from '../sql/normaliseStatement.js';

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

/** An audit table the guard protects. */
interface GuardedTable {
  readonly entity: string;
  /** Whether a migration may drop this history column (the `dropRemovedColumns` option). */
  readonly droppable: (column: string) => boolean;
}

// For a command line run that drops or re-creates audit tables on purpose (`schema:fresh`, `migration:down`),
// where nothing can be wrapped in allowAuditTableWrites().
const ALLOW_SCHEMA_DROP = 'AUDIT_TRAIL_ALLOW_SCHEMA_DROP';
const WRITES = new Set(['insert', 'replace', 'update', 'delete', 'truncate', 'merge', 'copy', 'upsert', 'load', 'handler']);
// Where the tables a DML statement writes to end: `update a, b set`, `delete a from a join b where`.
const TARGETS_END = new Set(['set', 'where', 'using', 'returning', 'order', 'limit', 'values', 'select', 'on', 'default', 'output', 'partition', 'with']);
const DEFINITIONS = new Set(['create', 'alter', 'drop', 'comment', 'rename']);

/**
 * Refuses application SQL that would change or destroy audit rows, whichever way it reaches MikroORM's connection
 * (query builders, `em.execute`, `connection.execute`, the schema tools): it reads the statements MikroORM's
 * `onQuery` hook sees. The library's own statements never pass there (they are sent with their values apart,
 * see `mikro-orm/execute.ts`), so nothing an application writes into its SQL can make it pass. Schema evolution
 * (create, add or change columns and indexes) passes; dropping or renaming an audit table, dropping its columns
 * (but those `dropRemovedColumns` names) and emptying it need `allowAuditTableWrites`. It guards against mistakes
 * made through MikroORM; other database clients do not pass here, which is what database grants and the
 * append-only triggers of `migrations-template/` are for.
 */
export class AuditWriteGuard {
  readonly #audit = new Map<string, GuardedTable>();
  readonly #sources = new Map<string, string>();
  readonly #strict: boolean;
  #dialect: Dialect = 'sqlite';
  // MikroORM alters a SQLite table by copying its rows into `<table>__temp_alter`, dropping it and renaming the
  // copy: once the rows are copied, the drop loses nothing.
  readonly #rebuilding = new Set<string>();
  // A statement can only name a table as written (plain or quoted) or through PostgreSQL's `U&"…"` escapes: one
  // native regular expression test spares every other statement (a flush's large inserts) the tokenizer.
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
      this.#sourceNames = mentionPattern(this.#sources);
    }
  }

  /** Starts guarding `table` (possibly `schema.table`), the table of audit entity `entity`, on `dialect`. */
  protect(table: string, entity: string, dialect: Dialect, droppable: (column: string) => boolean = () => false): void {
    this.#audit.set(lastPart(table), { entity, droppable });
    this.#auditNames = mentionPattern(this.#audit);
    this.#dialect = dialect;
  }

  /** Throws if `sql` would change, empty or drop an audit table, unless it runs inside `allowAuditTableWrites`. */
  check(sql: string): void {
    if (!this.#auditNames?.test(sql) || maintenance.getStore()) {
      return;
    }
    const dropped = new Set<string>();
    for (const statement of statementReadings(sql, this.#dialect)) {
      const written = writeTarget(statement, this.#audit);
      if (written) {
        throw AuditTrailError.writtenWithSql(this.#audit.get(written)!.entity, written);
      }
      this.#noteRebuild(statement);
      const table = destroyedTable(statement, this.#audit);
      if (table) {
        dropped.add(table);
      }
    }
    for (const table of dropped) {
      if (!this.#rebuilding.delete(table) && process.env[ALLOW_SCHEMA_DROP] !== '1') {
        throw AuditTrailError.droppedWithSql(this.#audit.get(table)!.entity, table, ALLOW_SCHEMA_DROP);
      }
    }
  }

  #noteRebuild({ tokens }: StatementTokens): void {
    const copy = tokens[0]?.text === 'insert' && tokens[1]?.text === 'into' ? /^(.*)__temp_alter$/.exec(tokens[2]?.text ?? '') : null;
    if (copy && this.#audit.has(copy[1]!) && tokens.some((token, i) => token.text === copy[1] && tokens[i - 1]?.text === 'from')) {
      this.#rebuilding.add(copy[1]!);
    }
  }

  /**
   * Strict mode: throws if `sql` writes to an audited entity's table outside a flush or an audited native write
   * (a query builder's insert/update/delete outside a transaction, `em.execute`), since nothing would record it.
   */
  checkSource(sql: string): void {
    if (audited.getStore() || unaudited.getStore() || maintenance.getStore() || !this.#sourceNames?.test(sql)) {
      return;
    }
    for (const statement of statementReadings(sql, this.#dialect)) {
      const table = writeTarget(statement, this.#sources);
      if (table) {
        throw AuditTrailError.unauditedStatement(this.#sources.get(table)!, table);
      }
    }
  }
}

function mentionPattern(tables: ReadonlyMap<string, unknown>): RegExp {
  const names = [...tables.keys()].map(name => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp([...names, 'u&'].join('|'), 'i');
}

function lastPart(table: string): string {
  return table.split('.').pop()!.toLowerCase();
}

// The protected table a DML statement writes to: any table named between a writing keyword and the clause that
// ends its target list (`insert into t`, `update a, b set`, `delete a from a join b where`, `truncate a, b`). A
// definition (`create trigger …`) writes nothing when it runs.
function writeTarget({ tokens }: StatementTokens, tables: ReadonlyMap<string, unknown>): string | undefined {
  if (isKeyword(tokens[0]) && DEFINITIONS.has(tokens[0]!.text)) {
    return undefined;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!isKeyword(tokens[i]) || !WRITES.has(tokens[i]!.text) || lockingRead(tokens, i)) {
      continue;
    }
    for (let j = i + 1; j < tokens.length && !(isKeyword(tokens[j]) && TARGETS_END.has(tokens[j]!.text)); j++) {
      if (tables.has(tokens[j]!.text)) {
        return tokens[j]!.text;
      }
    }
  }
  return undefined;
}

// DDL that destroys history: `drop table`, `rename table`, `alter table … rename to`, `alter table … drop
// [column] c` (but a column `dropRemovedColumns` lets go; dropping an index, a constraint, a default or
// `not null` is schema repair, not history).
function destroyedTable({ tokens }: StatementTokens, tables: ReadonlyMap<string, GuardedTable>): string | undefined {
  const [first, second] = tokens;
  if (!isKeyword(first) || second?.text !== 'table' || !['drop', 'alter', 'rename'].includes(first!.text)) {
    return undefined;
  }
  let i = 2;
  while (isKeyword(tokens[i]) && ['if', 'exists', 'only'].includes(tokens[i]!.text)) i++;
  if (first!.text !== 'alter') {
    // `drop table a, b` / `rename table a to b, c to d`: a name before its `to`.
    return tokens.slice(i).find((token, j, rest) => tables.has(token.text) && rest[j - 1]?.text !== 'to')?.text;
  }
  const table = [tokens[i], tokens[i + 1]].find(token => token && tables.has(token.text))?.text;
  if (!table) {
    return undefined;
  }
  const { droppable } = tables.get(table)!;
  for (let j = i + 1; j < tokens.length; j++) {
    const word = isKeyword(tokens[j]) ? tokens[j]!.text : '';
    if (word === 'rename' && tokens[j + 1]?.text === 'to') {
      return table;
    }
    if (word === 'drop') {
      const next = tokens.slice(j + 1).find(token => !(isKeyword(token) && ['column', 'if', 'exists'].includes(token.text)));
      const repair = isKeyword(next) && SCHEMA_REPAIRS.has(next!.text) && tokens[j + 1]?.text !== 'column';
      if (!next || (!repair && !droppable(next.text))) {
        return table;
      }
    }
  }
  return undefined;
}

// What `alter table … drop` removes without removing history.
const SCHEMA_REPAIRS = new Set(['constraint', 'index', 'key', 'foreign', 'primary', 'unique', 'check', 'default', 'not', 'identity', 'expression']);

function isKeyword(token: Token | undefined): boolean {
  return !!token && !token.quoted;
}

// `for update`, `for no key update`: the `update` of a locking read.
function lockingRead(tokens: readonly Token[], i: number): boolean {
  return tokens.slice(Math.max(0, i - 3), i).some(token => token.text === 'for' && !token.quoted);
}
