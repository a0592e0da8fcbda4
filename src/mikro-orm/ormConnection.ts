import type { Configuration } from '@mikro-orm/core';
import { existsSync } from 'node:fs';
import { dialectOf } from './dialectOf.js';

interface WriteConnection {
  connect(...args: unknown[]): unknown;
  execute(...args: unknown[]): Promise<unknown>;
  ensureConnection(): Promise<void>;
  isConnected(): Promise<boolean>;
  close(force?: boolean): Promise<void>;
  /** MikroORM 7: creates the kysely client (and its pool) without connecting the ORM. */
  initClient?(): Promise<void>;
  platform?: unknown;
  setPlatform(platform: unknown): void;
}

const hooked = new WeakSet<object>();

/** The ORM's own write connection (MikroORM creates it with the driver, before it connects). */
export function writeConnection(config: Configuration): unknown {
  return config.getDriver().getConnection('write');
}

/**
 * Runs `after(connection)` when MikroORM connects the ORM's write connection, until `after` says it is done:
 * `MikroORM.init` (6), `orm.connect()`, MikroORM 7's first query (it connects lazily), and the first statement
 * MikroORM sends outside a transaction (a MikroORM 6 ORM from `MikroORM.initSync()` creates its client at its first
 * query without connecting). The config's one connection gets own wrappers of `connect()` and `execute()` (MikroORM's
 * classes are not changed); `execute()` is MikroORM's again once `after` is done. A rejection of `after` is the
 * rejection of `connect()` or of the statement. test/core/startup-queries.test.ts and sync-init.test.ts fail if
 * MikroORM connects or sends statements another way.
 */
/** What made the ORM's connection ready: MikroORM connecting it, or the first statement of a client it never connected. */
export type ConnectedBy = 'connect' | 'statement';

export function afterConnect(config: Configuration, after: (connection: unknown, by: ConnectedBy) => Promise<boolean>): void {
  const connection = writeConnection(config) as WriteConnection;
  if (hooked.has(connection)) {
    return;
  }
  hooked.add(connection);
  let done = false;
  const run = async (by: ConnectedBy) => {
    done ||= await after(connection, by);
    // Unless another wrapper (holdStatements) wraps this one by now: that one stays, and this one passes through.
    if (done && connection.execute === wrapper) {
      delete (connection as Partial<WriteConnection>).execute;
    }
  };
  const connect = connection.connect.bind(connection);
  connection.connect = async (...args: unknown[]) => {
    const result: unknown = await connect(...args);
    if (!done) {
      await run('connect');
    }
    return result;
  };
  const execute = connection.execute.bind(connection);
  const wrapper = async (...args: unknown[]) => {
    // Inside a transaction the read would need a second connection (SQLite has one), or could abort it: later.
    if (!done && args[3] == null) {
      await connection.ensureConnection();
      await run('statement');
    }
    return execute(...args);
  };
  connection.execute = wrapper;
}

/**
 * Runs `before()` whenever the ORM's write connection is closed, before it closes: `orm.close()`, and MikroORM's
 * reconnects (creating the database). The connection gets an own wrapper of `close()`, as of `connect()` above.
 */
export function beforeClose(config: Configuration, before: () => Promise<void>): void {
  const connection = writeConnection(config) as WriteConnection;
  const close = connection.close.bind(connection);
  connection.close = async (force?: boolean) => {
    await before();
    return close(force);
  };
}

/**
 * Resolves once MikroORM's own start statements on the connection are done, or `cancel` resolves: a read started
 * then finds the pool's connection idle instead of opening a second one beside them. MikroORM 6's `orm.connect()`
 * (inside `MikroORM.init`) connects, checks that the database exists, and ends by asking the connection
 * `isConnected()`: that call returning is the sign. At once where MikroORM sends no such statements (MikroORM 7
 * connects at the first query; a client a statement opened). test/core/startup-queries.test.ts fails if MikroORM 6
 * stops asking, as the check would then run only at close or at a schema diff.
 */
export function startStatementsDone(config: Configuration, by: ConnectedBy, cancel: Promise<void>): Promise<void> {
  if (by === 'statement' || !initConnects(config)) {
    return Promise.resolve();
  }
  const connection = writeConnection(config) as WriteConnection;
  const isConnected = connection.isConnected.bind(connection);
  return Promise.race([
    cancel,
    new Promise<void>(resolve => {
      connection.isConnected = async () => {
        delete (connection as Partial<WriteConnection>).isConnected;
        try {
          return await isConnected();
        } finally {
          resolve();
        }
      };
    }),
  ]);
}

const HELD = ['execute', 'begin', 'stream'] as const;

/**
 * Makes every statement and transaction MikroORM starts on the ORM's write connection wait while `barrier()` returns
 * a promise: `execute()` (queries, native writes, the query builder), `begin()` (every transaction, `transactional()`
 * included) and MikroORM 7's `stream()`. Statements inside a transaction already begun pass. The connection gets
 * own wrappers; MikroORM's classes are not changed. test/core/startup-queries.test.ts fails if a statement passes.
 */
export function holdStatements(config: Configuration, barrier: () => Promise<void> | undefined): void {
  const connection = writeConnection(config) as Record<(typeof HELD)[number], ((...args: unknown[]) => unknown) | undefined>;
  for (const name of HELD) {
    const original = connection[name];
    if (typeof original !== 'function') {
      continue;
    }
    const bound = original.bind(connection);
    connection[name] =
      name === 'stream'
        ? async function* (...args: unknown[]) {
            await barrier();
            yield* bound(...args) as AsyncIterable<unknown>;
          }
        : // Every statement passes here for the ORM's life: no extra promise once nothing is held.
          (...args: unknown[]) => {
            const held = barrier();
            return held ? held.then(() => bound(...args)) : bound(...args);
          };
  }
}

/** Connects the ORM's write connection unless it is connected: what MikroORM does before its first query. */
export async function ensureConnected(connection: unknown): Promise<void> {
  await (connection as WriteConnection).ensureConnection();
}

/** Closes the ORM's connection, for a start that is refused after it connected (nobody else holds the ORM). */
export async function closeConnection(connection: unknown): Promise<void> {
  await (connection as WriteConnection).close(true);
}

/**
 * Whether `MikroORM.init` connects before it returns: MikroORM 6 has a `connect` option (on by default) for that;
 * MikroORM 7 has none and connects at the first query.
 */
export function initConnects(config: Configuration): boolean {
  const defaults = (config.constructor as { DEFAULTS?: Record<string, unknown> }).DEFAULTS;
  return defaults?.connect === true && config.get('connect' as never) !== false;
}

/**
 * Readies the ORM's own connection for reads during discovery, without connecting the ORM: MikroORM 7's `connect()`
 * runs its on-connect work (creating the database, indexes), which needs the finished ORM, and marks the
 * connection connected so that work would never run. `initClient()` only creates the client (and its pool), which
 * `connect()` later keeps. `false` where that is not possible (MikroORM 6 replaces its client when it connects).
 */
export async function openWithoutConnecting(config: Configuration, connection: unknown): Promise<boolean> {
  const write = connection as WriteConnection;
  if (typeof write.initClient !== 'function') {
    return false;
  }
  // MikroORM hands the connection its platform once discovery is over; the MySQL client's options need it.
  if (!write.platform) {
    write.setPlatform(config.getPlatform());
  }
  await write.initClient();
  return true;
}

/**
 * Whether the database could hold audit tables before MikroORM connected: not a new in-memory SQLite database,
 * and not a SQLite file that does not exist (opening it would create it, and MikroORM may be configured to connect
 * to another database through `driverOptions`).
 */
export function mayHoldTablesBeforeConnect(config: Configuration): boolean {
  if (dialectOf(config.getPlatform()) !== 'sqlite') {
    return true;
  }
  const dbName = config.get('dbName');
  return typeof dbName === 'string' && dbName !== ':memory:' && existsSync(dbName);
}

/** Whether the connection is to a new in-memory SQLite database, which holds no tables when it connects. */
export function isInMemory(config: Configuration): boolean {
  return dialectOf(config.getPlatform()) === 'sqlite' && config.get('dbName') === ':memory:';
}
