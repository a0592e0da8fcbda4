import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { historyTableOf } from '../read/historyTableOf.js';
import { buildOtherVersions } from '../sql/historyQueries.js';
import { keyString } from './keyString.js';
import { readBackKey } from './readBackKey.js';

const KEYS_PER_QUERY = 1000;

/**
 * The keys, among `keys`, whose row existed before this transaction wrote it: their newest version written by
 * another transaction is not a deletion. An upsert that read no row and then waited for another transaction's
 * insert of the same unique key updated that row; its pre-read cannot know, its history can (the other
 * transaction's `I` row committed before the upsert could go on). Keys as `keyString`.
 *
 * A plain read: it sees that row under READ COMMITTED (the upsert's own transaction on MySQL/MariaDB runs under
 * it, see `upsertSteps`), not from a REPEATABLE READ snapshot taken before the wait. A locking read would, but
 * its gap locks on the audit table made concurrent upserts of new keys fail on MariaDB (52 of 200).
 */
export async function keysLiveBefore(em: EntityManager, transaction: object, plan: AuditPlan, keys: readonly unknown[][], transactionId: string): Promise<Set<string>> {
  const live = new Set<string>();
  const table = historyTableOf(plan);
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const chunk = keys.slice(start, start + KEYS_PER_QUERY);
    const statement = buildOtherVersions(table, chunk, transactionId, plan.options.saveChangeType);
    const newest = new Map<string, { id: number; type: unknown }>();
    for (const row of await executeStatement(em, transaction, statement, 'all')) {
      const key = keyString(readBackKey(plan.platform, chunk[0]!, table.keyColumns.map((_, i) => row[`k${i}`])));
      const id = Number(row.id);
      if ((newest.get(key)?.id ?? -1) < id) {
        newest.set(key, { id, type: row.t });
      }
    }
    for (const [key, { type }] of newest) {
      if (type !== 'D') {
        live.add(key);
      }
    }
  }
  return live;
}
