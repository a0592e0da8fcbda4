import type { EntityManager, Transaction } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { toDatabaseValue } from './databaseValues.js';
import { AuditTrailError } from '../errors/errors.js';
import type { SnapshotRows } from './FlushAudit.js';
import { AUDIT_SQL_MARKER } from './AuditWriteGuard.js';
import { buildSnapshotInsert, varies } from '../sql/snapshotInsert.js';

// SQLite accepts 32,766 parameters per statement; MariaDB receives them inlined by the driver, and PostgreSQL as
// a few arrays. Staying under this bound keeps every dialect to one statement for most flushes.
const MAX_PARAMETERS = 30_000;

/** The values every audit row of one statement shares. */
export interface StatementValues {
  readonly timestamp: Date;
  readonly transactionId: string;
  readonly reason: string | null;
}

/**
 * Copies the given source rows into the audit table on the change's own transaction, in as few statements as
 * the dialect allows (or `batchSize` rows each, when set). A source row that is gone fails the flush: a missing
 * audit row must never go unnoticed.
 */
export async function writeSnapshots(
  em: EntityManager,
  transaction: unknown,
  plan: AuditPlan,
  shared: StatementValues,
  rows: SnapshotRows,
): Promise<void> {
  if (rows.keys.length === 0) {
    return;
  }
  if (!transaction) {
    throw AuditTrailError.outsideTransaction(plan.sourceName);
  }
  const statementValues = statementValuesOf(plan, shared);
  const connection = em.getConnection('write');
  const size = chunkSize(plan, rows);
  for (let start = 0; start < rows.keys.length; start += size) {
    const keys = rows.keys.slice(start, start + size);
    const { sql, params } = buildSnapshotInsert(plan.shape, statementValues, { keys, values: rows.values.slice(start, start + size) });
    const result = (await connection.execute(`${sql} ${AUDIT_SQL_MARKER}`, params, 'run', transaction as Transaction)) as {
      affectedRows?: number;
    };
    if (result.affectedRows !== undefined && result.affectedRows !== keys.length) {
      throw AuditTrailError.snapshotMissing(plan.sourceName, keys.length, result.affectedRows);
    }
  }
}

/** The database values of the statement columns (`plan.statementProps`): timestamp, transaction id, reason. */
export function statementValuesOf(plan: AuditPlan, shared: StatementValues): unknown[] {
  const [timestampProp, transactionProp, reasonProp] = plan.statementProps;
  return [
    toDatabaseValue(timestampProp!, shared.timestamp, plan.platform),
    toDatabaseValue(transactionProp!, shared.transactionId, plan.platform),
    toDatabaseValue(reasonProp!, shared.reason, plan.platform),
  ];
}

/** Rows per statement: only the keys and the row values that differ between rows are sent per row. */
export function chunkSize({ batchSize, shape }: AuditPlan, rows: SnapshotRows): number {
  if (batchSize !== undefined) {
    return batchSize;
  }
  if (shape.dialect === 'postgresql') {
    return Number.POSITIVE_INFINITY;
  }
  const varying = shape.rowColumns.filter((_, i) => varies(rows.values, i)).length;
  return Math.max(1, Math.floor(MAX_PARAMETERS / (shape.keyColumns.length + varying)));
}
