import type { Platform } from '@mikro-orm/core';
import type { Dialect } from '../sql/Dialect.js';

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
 * still matches; `undefined` for drivers the audit trail does not support (MongoDB, MSSQL, ...). MikroORM has no
 * public "dialect" property; class names survive in the published packages, which are not minified. Memoised:
 * one walk per platform.
 */
export function dialectOf(platform: Platform): Dialect | undefined {
  if (known.has(platform)) {
    return known.get(platform);
  }
  let dialect: Dialect | undefined;
  for (let proto: unknown = Object.getPrototypeOf(platform); proto && !dialect; proto = Object.getPrototypeOf(proto)) {
    dialect = PLATFORM_DIALECTS[(proto as { constructor: { name: string } }).constructor.name];
  }
  known.set(platform, dialect);
  return dialect;
}

const known = new WeakMap<Platform, Dialect | undefined>();

/** The platform's class name, for messages (`PostgreSqlPlatform`). */
export function platformName(platform: Platform): string {
  return platform.constructor.name;
}
