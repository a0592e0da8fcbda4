import type { EntityManager } from '@mikro-orm/core';
import { auditContext, type AuditContextData } from '../context/AuditContext.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { OperationErrors } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { auditPlanOf } from '../read/auditPlanOf.js';
import { historyTableOf } from '../read/historyTableOf.js';
import { buildCountWithoutHistory } from '../sql/backfillQueries.js';
import { auditWriterOf } from './AuditWriter.js';
import { backfillBatch, type BackfillRun } from './backfillBatch.js';
import { inBatchTransaction } from './batchTransaction.js';

/** Options of `backfillAudit()`. */
export interface BackfillOptions {
  /** Rows looked at per batch; each batch runs in a transaction of its own. Defaults to 1,000. */
  batchSize?: number;
  /**
   * Called after each batch committed (an error it throws stops the run; what committed stays, and a rerun goes on
   * from there). Defaults to none.
   */
  onProgress?: (progress: BackfillProgress) => void | Promise<void>;
  /** Stored in `_audit_reason` of every version the backfill writes. Defaults to `'backfill'`. */
  reason?: string;
}

/** Where a backfill stands, after a batch. */
export interface BackfillProgress {
  /** Rows without history looked at so far. */
  readonly done: number;
  /**
   * Rows without history when the run started (raised if more turn up). Rows the application deletes or gives a
   * version of its own meanwhile are not looked at, so `done` may end below it.
   */
  readonly total: number;
  /** `I` versions written so far. */
  readonly written: number;
}

/** What `backfillAudit()` did. */
export interface BackfillResult {
  /** `I` versions written. */
  readonly written: number;
  /** Batches (transactions) that found rows to look at. */
  readonly batches: number;
}

/**
 * Gives every live row of an audited entity that has no audit row at all an initial `I` version, for switching
 * auditing on for a table that already has data. The versions are written by the library's one writer, as an
 * insert's would be: the current actor (`auditContext`), track fields (called with the loaded entity), masks, a
 * transaction id per batch, the database clock, and `reason` (`'backfill'` unless given) in `_audit_reason`.
 *
 * The rows are walked in key order (keyset, composite keys too), `batchSize` at a time, each batch in a
 * transaction of its own (inside the caller's transaction, when there is one, as savepoints). A batch locks its
 * rows as a write would and looks again, under the locks, whether the application wrote a version meanwhile:
 * a row the application inserts or changes while the backfill runs gets its version from the application only.
 * Idempotent: a second run writes nothing; an interrupted run leaves whole batches, and a rerun finishes the rest.
 *
 * @example
 * await auditContext.run({ user: 'ops:alice' }, () => backfillAudit(orm.em.fork(), Person, { onProgress: console.log }));
 */
export async function backfillAudit(em: EntityManager, entityType: AuditableEntity, options: BackfillOptions = {}): Promise<BackfillResult> {
  const plan = auditPlanOf(em, entityType);
  const { batchSize = 1000, onProgress, reason = 'backfill' } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw OperationErrors.invalidOption('backfillAudit()', plan.sourceName, 'batchSize', 'a positive integer', batchSize);
  }
  if (typeof reason !== 'string') {
    throw OperationErrors.invalidOption('backfillAudit()', plan.sourceName, 'reason', 'a string', reason);
  }
  const writer = auditWriterOf(em)!;
  const context: AuditContextData = { ...auditContext.current(), reason };
  writer.checkActor(em, plan.sourceName, context);
  const run: BackfillRun = { plan, writer, context, batchSize };
  let total = onProgress ? await countWithoutHistory(em, plan) : 0;
  let after: unknown[] | undefined;
  let done = 0;
  let written = 0;
  let batches = 0;
  for (;;) {
    const batch = await inBatchTransaction(em, plan, trx => backfillBatch(trx, run, after));
    if (batch.looked === 0) {
      return { written, batches };
    }
    after = batch.last;
    done += batch.looked;
    written += batch.written;
    batches++;
    total = Math.max(total, done);
    await onProgress?.({ done, total, written });
    if (batch.looked < batchSize) {
      return { written, batches };
    }
  }
}

async function countWithoutHistory(em: EntityManager, plan: AuditPlan): Promise<number> {
  const [row] = await executeStatement(em, em.getTransactionContext<object>(), buildCountWithoutHistory(historyTableOf(plan)), 'all');
  return Number(row?.n ?? 0);
}
