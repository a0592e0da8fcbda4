import type { EntityManager } from '@mikro-orm/core';
import { auditPlanOf } from './auditPlanOf.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { pruneByKeyRanges, type PruneProgress } from './pruneBatches.js';
import { pruneRecorderOf, type PruneRecorder } from './pruneRecorder.js';
import { toDatabaseValue } from '../write/databaseValues.js';
import type { SealKey } from '../tamper/SealKey.js';
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
  /** Count what would be removed (`removed`, `batches`, progress), and remove nothing. Defaults to `false`. */
  dryRun?: boolean;
  /**
   * Called after each range of about `batchSize` audit rows was looked at and its full batches removed (an error
   * it throws stops the prune; removed batches stay removed, and a rerun goes on). Defaults to none.
   */
  onProgress?: (progress: PruneProgress) => void | Promise<void>;
  /** Records what each batch removes, in the batch's transaction, before its delete (see `PruneRecorder`). Defaults to none. */
  onBatch?: PruneRecorder;
  /**
   * The seal key (`loadSealKey()`): needed to prune a tamper-evident entity, whose removed rows are recorded with
   * a MAC so that verify does not report them as removed. Defaults to none.
   */
  sealKey?: SealKey;
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
 * its square. Each batch commits on its own (outside a caller's transaction), and a batch only removes a row's
 * oldest versions: an interrupted prune leaves history consistent, and running it again finishes the work.
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
  const run = { batchSize, dryRun: options.dryRun === true, onProgress: options.onProgress, recorder: pruneRecorderOf(plan, options.onBatch, options.sealKey, options.dryRun === true) };
  return await pruneByKeyRanges(em, plan, { olderThan: olderThanValue, keepLast, pruneNewest }, run);
}
