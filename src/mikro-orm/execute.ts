import type { EntityManager, Platform } from '@mikro-orm/core';
import { inlineMysqlLiterals, numberedPlaceholders } from '../sql/inlineLiterals.js';
import { SqlArray, type SqlStatement } from '../sql/SqlStatement.js';
import { toPostgresArray } from '../sql/snapshotInsert.js';
import { dialectOf } from './dialectOf.js';

/** What a statement returns: rows (`all`), or the affected row count (`run`). */
export type StatementResult<M extends 'all' | 'run'> = M extends 'all' ? Record<string, unknown>[] : { affectedRows: number; rows?: Record<string, unknown>[] };

// MikroORM's `connection.execute(sql, params)` formats every value into the SQL text on the client
// (`platform.formatQuery`), in both 6 and 7, and the mysql2 driver does the same with its own parameters.
// Audit statements carry application data (actors, reasons, track values, masked values), so they bypass
// that: the seam hands the text and the values separately to the query builder library MikroORM runs on
// (knex in 6, kysely in 7). PostgreSQL and SQLite then bind them on the server; for MySQL/MariaDB the values
// become setting-proof literals (`inlineMysqlLiterals`). MikroORM's own `executeQuery` still logs the
// statement, so query logs show audit statements as before. They do not pass MikroORM's `onQuery` hook, where
// the write guard looks at application SQL: the library's statements never look like the application's.
interface ConnectionInternals {
  getKnex?(): { raw(sql: string, bindings?: readonly unknown[]): { transacting(trx: unknown): unknown } & PromiseLike<unknown> };
  getClient?(): { executeQuery(query: object): Promise<unknown> };
  executeQuery<T>(sql: string, run: () => Promise<T>, context?: object): Promise<T>;
  transformRawResult(result: unknown, method: 'all' | 'run'): unknown;
}

/**
 * Runs one of the library's statements on `transaction` (MikroORM's transaction context; `undefined` for none),
 * with its values as bind parameters (setting-proof literals on MySQL/MariaDB), never formatted into the text.
 */
export function executeStatement<M extends 'all' | 'run'>(
  em: EntityManager,
  transaction: object | undefined,
  statement: SqlStatement,
  method: M,
): Promise<StatementResult<M>> {
  return runOnConnection(em.getConnection('write'), em.getPlatform(), transaction, statement, method);
}

/**
 * `executeStatement` on a connection rather than an EntityManager's, for reads before MikroORM created one. On
 * MikroORM 6 the connection must be connected; on MikroORM 7 its client must exist (`openClient`).
 */
export async function runOnConnection<M extends 'all' | 'run'>(
  ormConnection: unknown,
  platform: Platform,
  transaction: object | undefined,
  statement: SqlStatement,
  method: M,
): Promise<StatementResult<M>> {
  const connection = ormConnection as ConnectionInternals;
  const dialect = dialectOf(platform);
  const sql = dialect === 'mysql' ? inlineMysqlLiterals(statement, date => mysqlDate(platform, date)) : statement.sql;
  const params =
    dialect === 'mysql' ? [] : dialect === 'sqlite' ? statement.params.map(sqliteValue) : statement.params.map(value => postgresValue(platform, value));
  const run = async (): Promise<unknown> => {
    if (typeof connection.getKnex === 'function') {
      // MikroORM 6: knex turns `?` into the driver's placeholders and passes the bindings separately.
      const query = connection.getKnex().raw(sql, params);
      return await (transaction ? (query.transacting(transaction) as PromiseLike<unknown>) : query);
    }
    // MikroORM 7: the transaction context is a kysely transaction; a compiled query carries its parameters.
    const text = dialect === 'postgresql' ? numberedPlaceholders(sql) : sql;
    const executor = (transaction ?? connection.getClient!()) as { executeQuery(query: object): Promise<unknown> };
    return await executor.executeQuery({ sql: text, parameters: params, query: { kind: 'RawNode', sqlFragments: [text], parameters: [] }, queryId: { queryId: '' } });
  };
  try {
    const result = await connection.executeQuery(statement.sql, async () => connection.transformRawResult(await run(), method), { query: statement.sql });
    return result as StatementResult<M>;
  } catch (error) {
    // As MikroORM reports its own statements' errors: a deadlock on an audit statement is a DeadlockException an
    // application's retry logic recognises, a lost connection a ConnectionException.
    throw error instanceof Error ? platform.getConfig().getDriver().convertException(error) : error;
  }
}

// SQLite's drivers bind numbers, strings, bigints, buffers and null (better-sqlite3 refuses the rest): values as
// MikroORM's SQLite platform stores them.
function sqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

// Dates as MikroORM formats them for MySQL/MariaDB (its `timezone` option applied): digits and separators only.
function mysqlDate(platform: Platform, date: Date): string {
  return platformDate(platform, date, /^'([0-9: .-]+)'$/);
}

// Dates, alone or in an array, as MikroORM writes them on PostgreSQL: UTC digits under `forceUtcTimezone` (its
// default there), local ones otherwise. The pg driver would send local digits whatever the option, and a
// `timestamp` (without time zone) column keeps the digits, so a date key would match no row MikroORM wrote.
function postgresValue(platform: Platform, value: unknown): unknown {
  const date = (d: Date) => platformDate(platform, d, /^'([0-9A-Z:.+ -]+)'$/);
  return value instanceof Date ? date(value) : value instanceof SqlArray ? toPostgresArray(value.values, date) : value;
}

function platformDate(platform: Platform, date: Date, form: RegExp): string {
  const quoted = platform.quoteValue(date);
  const match = form.exec(quoted);
  if (!match) {
    throw new Error(`unexpected date format from the platform: ${quoted}`);
  }
  return match[1]!;
}
