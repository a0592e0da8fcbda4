import type { EntityMetadata } from '@mikro-orm/core';
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
