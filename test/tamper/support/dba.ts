// A database administrator's own connection: the client library directly (pg, mysql2, better-sqlite3 or sqlite3),
// not MikroORM and not the library, so that nothing of the audit trail sees or guards what it sends.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from '@mikro-orm/core';
import type { TestDatabase } from '../../support/databases.js';
import { ormMajor } from '../../support/mikro.js';

export interface Dba {
  /** Runs one statement with `?` placeholders and returns its rows (none for writes). */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Quotes an identifier as this database does. */
  quote(name: string): string;
  close(): Promise<void>;
}

async function load(name: string): Promise<Record<string, unknown>> {
  const module = (await import(/* @vite-ignore */ name)) as { default?: Record<string, unknown> };
  return module.default ?? (module as Record<string, unknown>);
}

/** The ORM config of `dbName` on `db`; SQLite in a file (a second connection cannot see an in-memory database). */
export function fileBackedConfig(db: TestDatabase, dbName: string): Options {
  return db.name === 'sqlite' ? { ...db.config(dbName), dbName: join(tmpdir(), `${dbName}.sqlite`) } : db.config(dbName);
}

/** Opens the administrator's connection to the database `config` names. */
export async function openDba(db: TestDatabase, config: Options): Promise<Dba> {
  const { host, port, user, password, dbName } = config as { host?: string; port?: number; user?: string; password?: string; dbName: string };
  if (db.name === 'postgresql') {
    const pg = await load('pg');
    const client = new (pg.Client as new (options: object) => { connect(): Promise<void>; query(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>; end(): Promise<void> })({ host, port, user, password, database: dbName });
    await client.connect();
    let n = 0;
    return {
      query: async (sql, params = []) => (await client.query(sql.replace(/\?/g, () => `$${++n}`), [...params]).finally(() => (n = 0))).rows,
      quote: name => `"${name}"`,
      close: () => client.end(),
    };
  }
  if (db.name === 'mariadb') {
    const mysql = await load('mysql2/promise');
    const connection = await (mysql.createConnection as (options: object) => Promise<{ query(sql: string, params: unknown[]): Promise<[unknown]>; end(): Promise<void> }>)({ host, port, user, password, database: dbName });
    return {
      query: async (sql, params = []) => {
        const [rows] = await connection.query(sql, [...params]);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      },
      quote: name => `\`${name}\``,
      close: () => connection.end(),
    };
  }
  return openSqlite(dbName);
}

async function openSqlite(file: string): Promise<Dba> {
  if (ormMajor >= 7) {
    const Database = (await load('better-sqlite3')) as unknown as new (file: string) => { prepare(sql: string): { reader: boolean; all(...p: unknown[]): Record<string, unknown>[]; run(...p: unknown[]): unknown }; close(): void };
    const database = new Database(file);
    return {
      query: (sql, params = []) => Promise.resolve(sqliteStatement(database, sql, params)),
      quote: name => `\`${name}\``,
      close: () => Promise.resolve(database.close()),
    };
  }
  const sqlite3 = await load('sqlite3');
  type Db = { all(sql: string, params: unknown[], done: (error: Error | null, rows: Record<string, unknown>[]) => void): void; close(done: () => void): void };
  const database = await new Promise<Db>((resolve, reject) => {
    const opened: Db = new (sqlite3.Database as new (file: string, done: (error: Error | null) => void) => Db)(file, error => (error ? reject(error) : resolve(opened)));
  });
  return {
    query: (sql, params = []) => new Promise((resolve, reject) => database.all(sql, [...params], (error, rows) => (error ? reject(error) : resolve(rows ?? [])))),
    quote: name => `\`${name}\``,
    close: () => new Promise(resolve => database.close(resolve)),
  };
}

function sqliteStatement(database: { prepare(sql: string): { reader: boolean; all(...p: unknown[]): Record<string, unknown>[]; run(...p: unknown[]): unknown } }, sql: string, params: readonly unknown[] = []): Record<string, unknown>[] {
  const statement = database.prepare(sql);
  if (statement.reader) {
    return statement.all(...params);
  }
  statement.run(...params);
  return [];
}
