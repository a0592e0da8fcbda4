import type { Platform } from '@mikro-orm/core';

/**
 * A key read back from the database, in the form of the keys the write knows (`like`): drivers return a date
 * key as text where MikroORM parses dates itself, so such a value is parsed as MikroORM would. Compare the
 * result with `keyString`.
 */
export function readBackKey(platform: Platform, like: readonly unknown[], values: readonly unknown[]): unknown[] {
  return values.map((value, i) => (like[i] instanceof Date && typeof value === 'string' ? platform.parseDate(value) : value));
}
