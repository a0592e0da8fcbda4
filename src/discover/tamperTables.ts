import type { EntityMetadata, EntityProperty, Platform } from '@mikro-orm/core';
import { dialectOf } from '../mikro-orm/dialectOf.js';
import type { Dialect } from '../sql/Dialect.js';
import { TAMPER_ENTITY_NAMES } from '../tamper/tamperEntities.js';
import type { AuditWriteGuard } from '../write/AuditWriteGuard.js';

/**
 * The seal and prune record tables are history about history: like audit tables, the application may read them
 * but not change them through MikroORM (flushes are refused as for audit entities, statements by the write
 * guard). Returns the names of those of them this ORM has.
 */
export function protectTamperTables(metas: readonly EntityMetadata[], guard: AuditWriteGuard, dialect: Dialect): string[] {
  const found = metas.filter(meta => TAMPER_ENTITY_NAMES.includes(meta.className) && !meta.embeddable);
  for (const meta of found) {
    guard.protect(meta.tableName, meta.className, dialect);
  }
  return found.map(meta => meta.className);
}

/**
 * `onMetadata` of the seal and prune record entities: on SQLite their `bigint` keys become `number`, as audit
 * keys do (`completeAuditEntity`): SQLite's integer key is 64-bit already, and MikroORM's schema diff reads a
 * `bigint` autoincrement key back as `integer`, so every later migration would rebuild the tables.
 */
export function alignTamperEntity(meta: EntityMetadata, platform: Platform): void {
  if (TAMPER_ENTITY_NAMES.includes(meta.className) && dialectOf(platform) === 'sqlite') {
    (meta.properties['id' as keyof typeof meta.properties] as EntityProperty).type = 'number';
  }
}
