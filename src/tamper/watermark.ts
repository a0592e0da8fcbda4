import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { buildLockTimeout, buildWatermark } from '../sql/sealQueries.js';
import type { TamperTables } from '../sql/sealQueries.js';

/**
 * The highest `_audit_id` of `auditTable`, or of a row pruned from it, below which no transaction can still commit a
 * row (`null` for an empty table without prune records). Ids are taken in insert order but committed in any order: a plain `max` could be the id of a row
 * whose neighbour below is still uncommitted, and a seal up to it would report that neighbour as inserted later.
 * So the max is read under a lock that waits for every writer in flight and holds new ones back for that one
 * read (see `buildWatermark`); it is released at once. A writer that has not inserted yet takes its id after the
 * lock, above the max. With `lockSeconds`, a writer that keeps its transaction open longer makes the seal fail
 * instead of stalling every new writer behind the queued lock.
 */
export async function readWatermark(em: EntityManager, names: TamperTables, auditTable: string, lockSeconds: number): Promise<bigint | null> {
  const timeout = buildLockTimeout(names.dialect, lockSeconds);
  return await em.fork().transactional(async trx => {
    const transaction = trx.getTransactionContext<object>();
    const run = (statement: { sql: string; params: unknown[] }) => executeStatement(trx, transaction, statement, 'all');
    let restore: string | undefined;
    if (names.dialect === 'mysql' && timeout) {
      // A session setting on a pooled connection: put it back.
      const [current] = await run({ sql: 'select @@session.lock_wait_timeout as t', params: [] });
      restore = String(Number(current?.t ?? 31536000));
    }
    try {
      if (timeout) {
        await run(timeout);
      }
      let max: unknown = null;
      for (const statement of buildWatermark(names, auditTable)) {
        const rows = await run(statement);
        if (rows[0] && 'm' in rows[0]) {
          max = rows[0].m;
        }
      }
      return max === null || max === undefined ? null : BigInt(max as string | number);
    } catch (error) {
      throw isLockTimeout(error) ? TamperErrors.sealLockTimeout(auditTable, lockSeconds, error) : error;
    } finally {
      if (names.dialect === 'mysql') {
        // Never hand a connection holding a table lock back to the pool (a no-op when the lock was released).
        await run({ sql: 'unlock tables', params: [] });
      }
      if (restore !== undefined) {
        await run({ sql: `set session lock_wait_timeout = ${restore}`, params: [] });
      }
    }
  });
}

// PostgreSQL 55P03 (lock_not_available), MySQL/MariaDB 1205 (ER_LOCK_WAIT_TIMEOUT), whichever way MikroORM wraps it.
function isLockTimeout(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error as { code?: unknown; errno?: unknown; cause?: unknown; sqlState?: unknown } | undefined; e && !seen.has(e); e = e.cause as typeof e) {
    seen.add(e);
    if (e.code === '55P03' || e.errno === 1205 || e.code === 'ER_LOCK_WAIT_TIMEOUT') {
      return true;
    }
  }
  return false;
}
