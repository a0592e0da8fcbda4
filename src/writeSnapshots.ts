import type { EntityManager, Transaction } from '@mikro-orm/core';
import type { AuditPlan } from './AuditPlan.js';
import { toDatabaseValue } from './databaseValues.js';
import { AuditTrailError } from './errors.js';
import { buildSnapshotInsert, type SnapshotRow } from './SnapshotStatement.js';

/**
 * Copies the given source rows into the audit table on the change's own transaction, in statements of at most
 * `batchSize` rows. A source row that is gone fails the flush: a missing audit row must never go unnoticed.
 */
export async function writeSnapshots(
  em: EntityManager,
  transaction: unknown,
  plan: AuditPlan,
  timestamp: Date,
  rows: readonly SnapshotRow[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  if (!transaction) {
    throw AuditTrailError.outsideTransaction(plan.sourceName);
  }
  const statementValues = [toDatabaseValue(plan.timestampProp, timestamp, plan.platform)];
  const connection = em.getConnection('write');
  for (let start = 0; start < rows.length; start += plan.batchSize) {
    const chunk = rows.slice(start, start + plan.batchSize);
    const { sql, params } = buildSnapshotInsert(plan.shape, statementValues, chunk);
    const result = (await connection.execute(sql, params, 'run', transaction as Transaction)) as { affectedRows?: number };
    if (result.affectedRows !== undefined && result.affectedRows !== chunk.length) {
      throw AuditTrailError.snapshotMissing(plan.sourceName, chunk.length, result.affectedRows);
    }
  }
}
