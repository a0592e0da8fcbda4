import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { clockParameter } from '../sql/databaseClock.js';
import { buildCanonicalSelect } from '../sql/snapshotCanonicalSelect.js';
import { insertFromSelect } from '../sql/snapshotInsert.js';
import { buildSnapshotSelect, type SnapshotBatch } from '../sql/snapshotSelect.js';
import { canonicalEncoding, chainHashes } from '../tamper/chain.js';
import { canonicalText } from '../tamper/chainRows.js';

/** What a pre-read row says: the batch index, the chain head, and the canonical text of each audit column. */
export type CanonicalRow = Record<string, unknown>;

/**
 * Writes one batch of a tamper-evident plan (`plan.chain`): a pre-read of the canonical texts of the values the
 * INSERT will store and of the chain head, the hashes computed here in batch order, then the INSERT carrying each
 * row's `_audit_hash`. The clock the pre-read read is passed to the INSERT, so both hold the same instant.
 * Returns the number of rows written (`undefined` when the driver does not tell).
 */
export async function writeChainedBatch(
  em: EntityManager,
  transaction: object,
  plan: AuditPlan,
  statementValues: readonly unknown[],
  transactionId: string,
  batch: SnapshotBatch,
): Promise<number | undefined> {
  const { shape } = plan;
  const chain = plan.chain!;
  const select = buildSnapshotSelect(shape, statementValues, batch, true);
  const rows = await executeStatement(em, transaction, buildCanonicalSelect(shape, chain, select, transactionId), 'all');
  if (rows.length === 0) {
    return 0;
  }
  const names = select.columns.map(column => column.name);
  const statementColumns = { from: shape.copiedColumns.length, to: shape.copiedColumns.length + shape.statementColumns.length };
  const hashes = chainHashes(shape.auditTable, transactionId, (rows[0]!.h as string | null) ?? null, canonicalRows(names, rows, statementColumns));
  const hashOf: (string | null)[] = batch.keys.map(() => null);
  rows.forEach((row, i) => (hashOf[Number(row.o)] = hashes[i]!));
  const clock = clockParameter(shape.dialect, shape.statementColumns[0]!.castType, rows[0]![`c${statementColumns.from}`] as string);
  const chained = { ...shape, rowColumns: [...shape.rowColumns, chain.hashColumn] };
  const values = batch.values.map((row, i) => [...row, hashOf[i]]);
  const insert = insertFromSelect(chained, buildSnapshotSelect(chained, [clock, ...statementValues.slice(1)], { keys: batch.keys, values }, true));
  const written = (await executeStatement(em, transaction, insert, 'run')).affectedRows;
  if (written !== undefined && written !== rows.length) {
    // A source row appeared or vanished between the two statements, although this write holds its lock.
    throw AuditTrailError.snapshotMissing(plan.sourceName, Math.max(rows.length, written), Math.min(rows.length, written));
  }
  return written;
}

/**
 * The canonical encoding of each pre-read row. The statement columns hold one value for the whole statement: they
 * are taken from the first row (SQLite reads `'now'` again for each row a SELECT returns).
 */
export function canonicalRows(names: readonly string[], rows: readonly CanonicalRow[], statementColumns: { from: number; to: number }): string[] {
  const first = rows[0]!;
  return rows.map(row =>
    canonicalEncoding(
      names.map((name, i) => {
        const value = i >= statementColumns.from && i < statementColumns.to ? first[`c${i}`] : row[`c${i}`];
        return [name, canonicalText(value)];
      }),
    ),
  );
}
