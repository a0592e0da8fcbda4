import { connect } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@mikro-orm/core';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';

export type DriverName = 'sqlite' | 'postgresql' | 'mariadb';

export interface TestDatabase {
  readonly name: DriverName;
  /** Whether the server answered; SQLite is embedded and always available. */
  readonly available: boolean;
  /** How to reach it, for messages. */
  readonly address: string;
  /** Connection options for a database of the given name (created by MikroORM if missing). */
  config(dbName: string): Options;
}

const env = process.env;
const pg = { host: env.AUDIT_PG_HOST ?? '127.0.0.1', port: Number(env.AUDIT_PG_PORT ?? 5432), user: env.AUDIT_PG_USER ?? 'postgres' };
const my = {
  host: env.AUDIT_MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.AUDIT_MYSQL_PORT ?? 3306),
  user: env.AUDIT_MYSQL_USER ?? 'root',
  password: env.AUDIT_MYSQL_PASSWORD ?? '',
};

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host, port, timeout: 1500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const [pgUp, myUp] = await Promise.all([reachable(pg.host, pg.port), reachable(my.host, my.port)]);

/** Every database each behavioural test runs against. */
export const DATABASES: readonly TestDatabase[] = [
  {
    name: 'sqlite',
    available: true,
    address: 'embedded',
    config: () => ({ driver: SqliteDriver, dbName: ':memory:' }),
  },
  {
    name: 'postgresql',
    available: pgUp,
    address: `${pg.host}:${pg.port} (AUDIT_PG_HOST, AUDIT_PG_PORT, AUDIT_PG_USER)`,
    config: dbName => ({ driver: PostgreSqlDriver, dbName, host: pg.host, port: pg.port, user: pg.user }),
  },
  {
    name: 'mariadb',
    available: myUp,
    address: `${my.host}:${my.port} (AUDIT_MYSQL_HOST, AUDIT_MYSQL_PORT, AUDIT_MYSQL_USER, AUDIT_MYSQL_PASSWORD)`,
    config: dbName => ({ driver: MySqlDriver, dbName, host: my.host, port: my.port, user: my.user, password: my.password }),
  },
];

/** A database name of its own for each test file, so files can run in parallel. */
export function dbNameFor(fileUrl: string): string {
  const file = basename(fileURLToPath(fileUrl)).replace(/\.test\.ts$/, '');
  return `audit_${file.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 60);
}
