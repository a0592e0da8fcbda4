import type { EntityManager } from '@mikro-orm/core';
import { auditPlanOf } from './auditPlanOf.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildDeleteByIds, buildPruneSelect } from '../sql/historyQueries.js';
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
  /** Rows removed per statement. Defaults to 5,000. */
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
 * (audit id), as every history reader ranks them.
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

  const table = historyTableOf(plan);
  const olderThanValue = olderThan === undefined ? undefined : toDatabaseValue(plan.statementProps[0]!, olderThan, plan.platform);
  const select = buildPruneSelect(table, { olderThan: olderThanValue, keepLast, pruneNewest, batchSize });
  // In the caller's transaction when there is one; otherwise each batch commits on its own.
  const transaction = em.getTransactionContext<object>();
  let removed = 0;
  let batches = 0;
  for (;;) {
    const ids = (await executeStatement(em, transaction, select, 'all')).map(row => row.id);
    if (ids.length === 0) {
      break;
    }
    await executeStatement(em, transaction, buildDeleteByIds(table, ids), 'run');
    removed += ids.length;
    batches++;
    if (ids.length < batchSize) {
      break;
    }
  }
  return { removed, batches };
}
