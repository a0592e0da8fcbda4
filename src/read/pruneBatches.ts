import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildDeleteByIds, buildKeyRangeEnd, buildPruneSelect, type HistoryTable, type KeyRange, type PruneCriteria } from '../sql/historyQueries.js';
import { buildCountInRange, buildRowsToPrune } from '../sql/pruneQueries.js';
import { inBatchTransaction } from '../write/batchTransaction.js';
import { historyTableOf } from './historyTableOf.js';
import type { PruneRecorder } from './pruneRecorder.js';

/** Where a prune stands, after each range of audit rows it looked at. */
export interface PruneProgress {
  /** Audit rows looked at so far. */
  readonly done: number;
  /** Audit rows when the prune started (raised if more turn up). */
  readonly total: number;
  /** Versions removed so far (with `dryRun`: that would be removed). */
  readonly removed: number;
}

/** How a prune runs, its criteria apart. */
export interface PruneRun {
  readonly batchSize: number;
  readonly dryRun: boolean;
  readonly onProgress: ((progress: PruneProgress) => void | Promise<void>) | undefined;
  readonly recorder: PruneRecorder | undefined;
}

/**
 * Walks the audit table once in key order, a range of about `batchSize` audit rows at a time, ranks the versions
 * of each range and deletes those to prune in batches of `batchSize`. Each delete commits on its own (outside a
 * caller's transaction): an interrupted prune leaves whole batches removed, history still ranked as before
 * (a batch only ever removes a key's oldest versions), and a rerun removes the rest.
 */
export async function pruneByKeyRanges(em: EntityManager, plan: AuditPlan, criteria: PruneCriteria, run: PruneRun): Promise<{ removed: number; batches: number }> {
  const table = historyTableOf(plan);
  const caller = em.getTransactionContext<object>();
  const counted = async (range: KeyRange) => (run.onProgress ? Number((await executeStatement(em, caller, buildCountInRange(table, range), 'all'))[0]?.n ?? 0) : 0);
  let total = await counted({});
  const pending: unknown[] = [];
  let done = 0;
  let removed = 0;
  let batches = 0;
  let after: unknown;
  for (;;) {
    const [end] = await executeStatement(em, caller, buildKeyRangeEnd(table, after, run.batchSize), 'all');
    const range: KeyRange = { after, upTo: end?.k };
    done += await counted(range);
    const found = await executeStatement(em, caller, buildPruneSelect(table, criteria, range), 'all');
    pending.push(...found.map(row => row.id));
    // Full batches as they fill; the rest once the last range was read.
    while (pending.length >= run.batchSize || (range.upTo === undefined && pending.length > 0)) {
      const ids = pending.splice(0, run.batchSize);
      removed += run.dryRun ? ids.length : await deleteBatch(em, plan, table, ids, run.recorder);
      batches++;
    }
    total = Math.max(total, done);
    await run.onProgress?.({ done, total, removed });
    if (range.upTo === undefined) {
      return { removed, batches };
    }
    after = range.upTo;
  }
}

// One batch: a plain delete (one statement, atomic on its own), or, with a recorder, the locking read, the record
// and the delete in one transaction.
async function deleteBatch(em: EntityManager, plan: AuditPlan, table: HistoryTable, ids: unknown[], recorder: PruneRecorder | undefined): Promise<number> {
  if (!recorder) {
    const result = await executeStatement(em, em.getTransactionContext<object>(), buildDeleteByIds(table, ids), 'run');
    return result.affectedRows;
  }
  return await inBatchTransaction(em, plan, async trx => {
    const transaction = trx.getTransactionContext<object>()!;
    const found = await executeStatement(trx, transaction, buildRowsToPrune(table, ids, recorder.hashColumn), 'all');
    if (found.length === 0) {
      return 0;
    }
    const rows = found.map(row => ({ id: row.id, hash: row.hash === null || row.hash === undefined ? null : String(row.hash as string) }));
    await recorder.record(trx, transaction, rows);
    const result = await executeStatement(trx, transaction, buildDeleteByIds(table, rows.map(row => row.id)), 'run');
    return result.affectedRows;
  });
}
