import type { EntityManager } from '@mikro-orm/core';
import { auditPlanOf } from './auditPlanOf.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildDeleteByIds, buildKeyRangeEnd, buildPruneSelect, type HistoryTable, type PruneCriteria } from '../sql/historyQueries.js';
import { historyTableOf } from './historyTableOf.js';
import { toDatabaseValue } from '../write/databaseValues.js';
import { AuditTrailError } from '../errors/index.js';

/** Which versions `pruneAudit()` removes: those matching every given criterion. */
export interface PruneOptions {
  /** Versions written before this instant. */
  olderThan?: Date;
  /** Keep the newest `keepLast` versions of each row (0 or more). */
  keepLast?: number;
  /**
   * Also remove the newest version of a row that still exists (its current state). Defaults to `false`: a live
   * row always keeps at least its newest version, so its history never becomes empty while it exists.
   */
  pruneNewest?: boolean;
  /** Rows removed per statement, and about how many audit rows each select ranks. Defaults to 5,000. */
  batchSize?: number;
}

/** What `pruneAudit()` did. */
export interface PruneResult {
  readonly removed: number;
  readonly batches: number;
}

/**
 * Retention: deletes old versions of an entity's history in batches (one short statement each, so memory and
 * lock time stay bounded), and reports how many it removed. Versions are ranked per row, newest first, in commit order
 * (audit id), as every history reader ranks them. The table is walked once in key order, a range of about
 * `batchSize` audit rows at a time (more when many rows share the value of the key's first column: a range holds
 * whole values of it), and versions are ranked within their range: the work grows with the table's size, not with
 * its square.
 *
 * @example
 * await pruneAudit(em, Person, { olderThan: new Date(Date.now() - 365 * 86_400_000), keepLast: 10 });
 */
export async function pruneAudit(em: EntityManager, entityType: AuditableEntity, options: PruneOptions): Promise<PruneResult> {
  const plan = auditPlanOf(em, entityType);
  const { olderThan, keepLast, pruneNewest = false, batchSize = 5000 } = options;
  if (olderThan === undefined && keepLast === undefined) {
    throw AuditTrailError.pruneCriteriaMissing(plan.sourceName);
  }
  if (olderThan !== undefined && (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))) {
    throw AuditTrailError.invalidDate(plan.sourceName, 'pruneAudit() olderThan', olderThan);
  }
  if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0)) {
    throw AuditTrailError.invalidPruneOption(plan.sourceName, 'keepLast', 'an integer of 0 or more', keepLast);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw AuditTrailError.invalidPruneOption(plan.sourceName, 'batchSize', 'a positive integer', batchSize);
  }
  const olderThanValue = olderThan === undefined ? undefined : toDatabaseValue(plan.statementProps[0]!, olderThan, plan.platform);
  return await pruneByKeyRanges(em, historyTableOf(plan), { olderThan: olderThanValue, keepLast, pruneNewest }, batchSize);
}

async function pruneByKeyRanges(em: EntityManager, table: HistoryTable, criteria: PruneCriteria, batchSize: number): Promise<PruneResult> {
  // In the caller's transaction when there is one; otherwise each statement commits on its own.
  const transaction = em.getTransactionContext<object>();
  const pending: unknown[] = [];
  let removed = 0;
  let batches = 0;
  let after: unknown;
  for (;;) {
    const [end] = await executeStatement(em, transaction, buildKeyRangeEnd(table, after, batchSize), 'all');
    const upTo = end?.k;
    const found = await executeStatement(em, transaction, buildPruneSelect(table, criteria, { after, upTo }), 'all');
    pending.push(...found.map(row => row.id));
    // Full batches as they fill; the rest once the last range was read.
    while (pending.length >= batchSize || (upTo === undefined && pending.length > 0)) {
      const ids = pending.splice(0, batchSize);
      await executeStatement(em, transaction, buildDeleteByIds(table, ids), 'run');
      removed += ids.length;
      batches++;
    }
    if (upTo === undefined) {
      return { removed, batches };
    }
    after = upTo;
  }
}
