import type { Platform } from '@mikro-orm/core';

/** SQL dialects whose audit statements this library builds and tests. */
export type Dialect = 'postgresql' | 'mysql' | 'sqlite';

const PLATFORM_DIALECTS: Readonly<Record<string, Dialect>> = {
  PostgreSqlPlatform: 'postgresql',
  MySqlPlatform: 'mysql',
  MariaDbPlatform: 'mysql',
  BaseSqlitePlatform: 'sqlite',
  SqlitePlatform: 'sqlite',
  BetterSqlitePlatform: 'sqlite',
  LibSqlPlatform: 'sqlite',
};

/**
 * The dialect of a MikroORM platform, found by walking its class chain so that a user's subclass of a platform
 * still matches; `undefined` for drivers the audit trail does not support (MongoDB, MSSQL, ...).
 */
export function dialectOf(platform: Platform): Dialect | undefined {
  for (let proto: unknown = Object.getPrototypeOf(platform); proto; proto = Object.getPrototypeOf(proto)) {
    const dialect = PLATFORM_DIALECTS[(proto as { constructor: { name: string } }).constructor.name];
    if (dialect) {
      return dialect;
    }
  }
  return undefined;
}
