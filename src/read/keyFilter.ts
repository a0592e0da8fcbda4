import type { EntityMetadata } from '@mikro-orm/core';

/** `{ id: 1 }` (or one entry per key property of a composite key) for a primary key value or array of values. */
export function keyFilter(meta: EntityMetadata, id: unknown): Record<string, unknown> {
  const keys = Array.isArray(id) ? (id as unknown[]) : [id];
  return Object.fromEntries(meta.primaryKeys.map((name, i) => [name, keys[i]]));
}
