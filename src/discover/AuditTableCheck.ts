import type { Configuration, MetadataStorage, Platform } from '@mikro-orm/core';
import type { SchemaCheckMode } from '../define/AuditTrailOptions.js';
import { initFinishedWithout } from '../mikro-orm/initState.js';
import {
  afterConnect,
  beforeClose,
  closeConnection,
  holdStatements,
  ensureConnected,
  initConnects,
  isInMemory,
  mayHoldTablesBeforeConnect,
  openWithoutConnecting,
  startStatementsDone,
  writeConnection,
  type ConnectedBy,
} from '../mikro-orm/ormConnection.js';
import { beforeSchemaDiff } from '../mikro-orm/schemaDiff.js';
import { isMissingDatabase } from '../mikro-orm/sqlSchema.js';
import { AlongsideRead } from './AlongsideRead.js';
import { reconcileAuditTables, reportMismatches, type AuditTableMismatch, type ReconcileTarget } from './reconcileAuditTables.js';

// The check of each ORM, by its config: what `status` reports (a WeakMap, so nothing outlives the ORM).
const CHECKS = new WeakMap<Configuration, AuditTableCheck>();

/**
 * Reads an ORM's audit tables when something needs them, once, in one statement over the ORM's own connection:
 * - the schema check, unless `schemaCheck` is `'off'`: when MikroORM connects (inside `MikroORM.init` on MikroORM 6,
 *   at `orm.connect()` or the first query of an ORM that connects lazily), or during `MikroORM.init` on MikroORM 7,
 *   which connects lazily, so that `'error'` still fails the init;
 * - history columns of removed properties: right before a schema diff or migration compares the metadata with the
 *   database, when the check did not read them already.
 * With `schemaCheck: 'off'` and no diff, nothing is read and no connection is opened. With `'warn'` (the default) the
 * check only logs, so `MikroORM.init` does not wait for it (30 ms sooner on PostgreSQL, BENCHMARKS.md): it runs
 * alongside the application's start (`AlongsideRead`), and the application's statements, schema diffs and
 * `orm.close()` wait for it. With `'error'`, the start waits, so that it can fail.
 */
export class AuditTableCheck {
  readonly #targets: readonly ReconcileTarget[];
  readonly #platform: Platform;
  readonly #config: Configuration;
  readonly #mode: SchemaCheckMode;
  // The database the ORM was configured with; MikroORM reconnects to another one while it creates it.
  readonly #dbName: unknown;
  #done = false;
  #mismatches: readonly AuditTableMismatch[] | undefined;
  #reading: Promise<void> | undefined;
  readonly #alongside = new AlongsideRead();

  private constructor(platform: Platform, targets: readonly ReconcileTarget[], mode: SchemaCheckMode) {
    this.#platform = platform;
    this.#config = platform.getConfig();
    this.#targets = targets;
    this.#mode = mode;
    this.#dbName = this.#config.get('dbName');
  }

  /**
   * Installs the reads for one ORM at `afterDiscovered`. Returns the read `MikroORM.init` must wait for (MikroORM 7
   * with the check on), or `undefined`: nothing else is asynchronous, for `MikroORM.initSync()` / `new MikroORM()`.
   */
  static install(storage: MetadataStorage, platform: Platform, targets: readonly ReconcileTarget[], mode: SchemaCheckMode): Promise<void> | undefined {
    const check = new AuditTableCheck(platform, targets, mode);
    CHECKS.set(check.#config, check);
    afterConnect(check.#config, (connection, by) => check.#afterConnect(connection, by));
    if (mode === 'warn') {
      // What the read finds changes the audit entities (history columns of removed properties): no statement may
      // run, and no history be read, before it is done.
      holdStatements(check.#config, () => check.#alongside.running);
    }
    beforeClose(check.#config, () => check.#alongside.settle());
    if (targets.some(target => target.options.dropRemovedColumns !== true)) {
      beforeSchemaDiff(check.#config, () => check.#beforeDiff());
    }
    const config = check.#config;
    if (mode === 'off' || initConnects(config) || config.get('connect' as never) === false || !mayHoldTablesBeforeConnect(config)) {
      return undefined;
    }
    return check.#duringInit(storage);
  }

  async #duringInit(storage: MetadataStorage): Promise<void> {
    // MikroORM.initSync() / new MikroORM() do not wait: the read then happens when the ORM connects.
    if (await initFinishedWithout(storage, this.#platform)) {
      return;
    }
    const connection = writeConnection(this.#config);
    if (await openWithoutConnecting(this.#config, connection)) {
      await this.#readOrStart(connection, 'connect');
    }
  }

  // The check, waited for unless it runs alongside the application (`'warn'`).
  async #readOrStart(connection: unknown, by: ConnectedBy): Promise<void> {
    if (this.#mode !== 'warn') {
      return this.#read(connection);
    }
    const done = this.#alongside.start(
      cancelled => startStatementsDone(this.#config, by, cancelled),
      () => this.#read(connection),
      error => this.#warnUnread(error),
    );
    if (by === 'statement') {
      // A client connected by the application's first statement: that statement waits, as every later one would.
      await done;
    }
  }

  // Whether nothing is left to do when the ORM connects.
  async #afterConnect(connection: unknown, by: ConnectedBy): Promise<boolean> {
    // A new in-memory SQLite database holds no tables yet.
    if (this.#mode === 'off' || this.#done || isInMemory(this.#config)) {
      return true;
    }
    if (this.#config.get('dbName') !== this.#dbName) {
      return this.#done;
    }
    await this.#readOrStart(connection, by);
    // A check running alongside is not started again: a schema diff reads what a failed one could not.
    return this.#done || this.#mode === 'warn';
  }

  async #beforeDiff(): Promise<void> {
    if (this.#done) {
      return;
    }
    const connection = writeConnection(this.#config);
    // MikroORM connects lazily; connecting runs the check, which reads the columns too.
    await ensureConnected(connection);
    if (!this.#done) {
      await this.#read(connection);
    }
  }

  #read(connection: unknown): Promise<void> {
    this.#reading ??= this.#reconcile(connection).finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #reconcile(connection: unknown): Promise<void> {
    let mismatches;
    try {
      mismatches = await reconcileAuditTables(connection, this.#targets, this.#platform);
    } catch (error) {
      if (!isMissingDatabase(error)) {
        this.#warnUnread(error);
      }
      return;
    }
    this.#done = true;
    this.#mismatches = mismatches;
    try {
      reportMismatches(mismatches, this.#mode, this.#platform);
    } catch (error) {
      // The start is refused: nobody holds this ORM to close its connection.
      await closeConnection(connection);
      throw error;
    }
  }

  /**
   * How the audit tables of the ORM with this config differ from their entities, as its check found them; read now
   * when it did not (`schemaCheck: 'off'`, or its read failed). For the CLI's `status`.
   */
  static async mismatchesOf(config: Configuration): Promise<readonly AuditTableMismatch[]> {
    const check = CHECKS.get(config);
    if (!check) {
      return [];
    }
    await check.#alongside.running;
    if (check.#mismatches === undefined) {
      const connection = writeConnection(config);
      await ensureConnected(connection);
      check.#mismatches = await reconcileAuditTables(connection, check.#targets, check.#platform);
      check.#done = true;
    }
    return check.#mismatches;
  }

  #warnUnread(error: unknown): void {
    this.#config.getLogger().warn(
      'discovery',
      `mikro-orm-audit-trail could not read the audit tables (${(error as Error).message}): columns removed from ` +
        `audited entities are not kept by a schema diff or migration generated by this process, and the tables were not checked.`,
      { enabled: true },
    );
  }
}
