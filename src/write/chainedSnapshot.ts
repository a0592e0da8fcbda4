import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { clockParameter } from '../sql/databaseClock.js';
import { buildCanonicalSelect } from '../sql/snapshotCanonicalSelect.js';
import { insertFromSelect } from '../sql/snapshotInsert.js';
import { buildSnapshotSelect, type SnapshotBatch } from '../sql/snapshotSelect.js';
import { unpackQuotedTexts } from '../sql/packedCanonicalTexts.js';
import { canonicalEncoder, chainHashes } from '../tamper/chain.js';
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
  firstRowMayBeGone: boolean,
): Promise<number | undefined> {
  const { shape } = plan;
  const chain = plan.chain!;
  const select = buildSnapshotSelect(shape, statementValues, batch, true);
  const rows = await executeStatement(em, transaction, buildCanonicalSelect(shape, chain, select, transactionId, firstRowMayBeGone), 'all');
  if (rows.length === 0) {
    return 0;
  }
  if (rows[0]!.t !== undefined && Number(rows[0]!.t) !== 1) {
    throw TamperErrors.transactionLost(plan.sourceName);
  }
  const names = select.columns.map(column => column.name);
  const texts = canonicalTexts(rows, names.length, i => !select.columns[i]!.perRow, shape.dialect === 'sqlite');
  const hashes = chainHashes(shape.auditTable, transactionId, canonicalText(rows[0]!.h), texts.map(canonicalEncoder(names)));
  const hashOf: (string | null)[] = batch.keys.map(() => null);
  rows.forEach((row, i) => (hashOf[Number(row.o)] = hashes[i]!));
  const clock = clockParameter(shape.dialect, shape.statementColumns[0]!.castType, texts[0]![shape.copiedColumns.length]!);
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
 * The canonical texts of each pre-read row, one per column in select order (`buildCanonicalSelect`). A `shared`
 * column holds one value for the whole statement, which the pre-read reads in its first row only (also because
 * SQLite reads `'now'` again for each row a SELECT returns). `packed`: SQLite's texts come in `c` and `s`.
 */
export function canonicalTexts(rows: readonly CanonicalRow[], count: number, shared: (index: number) => boolean, packed: boolean): (string | null)[][] {
  const columns = Array.from({ length: count }, (_, i) => i);
  if (!packed) {
    const first = columns.map(i => (shared(i) ? canonicalText(rows[0]![`c${i}`]) : null));
    return rows.map(row => columns.map(i => (shared(i) ? first[i]! : canonicalText(row[`c${i}`]))));
  }
  const [own, common] = [columns.filter(i => !shared(i)), columns.filter(shared)];
  const first = unpackQuotedTexts(canonicalText(rows[0]!.s) ?? '', common.length);
  return rows.map(row => {
    const texts: (string | null)[] = new Array<string | null>(count);
    unpackQuotedTexts(canonicalText(row.c) ?? '', own.length).forEach((text, i) => (texts[own[i]!] = text));
    common.forEach((column, i) => (texts[column] = first[i]!));
    return texts;
  });
}
