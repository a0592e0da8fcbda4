import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { clockParameter } from '../sql/databaseClock.js';
import { buildValuesCanonicalSelect } from '../sql/snapshotCanonicalSelect.js';
import type { ParameterColumn } from '../sql/snapshotSelect.js';
import { buildValuesInsert } from '../sql/valuesInsert.js';
import { canonicalEncoder, chainHashes } from '../tamper/chain.js';
import { canonicalTexts } from './chainedSnapshot.js';

/**
 * Writes audit rows given by value (pivot rows) to a tamper-evident audit table: the pre-read of their canonical
 * texts and of the chain head, then one `INSERT … VALUES` carrying each row's `_audit_hash` (see
 * `writeChainedBatch`). `tuples` hold the copied, statement and row columns' values, in `plan.shape`'s order.
 */
export async function writeChainedValues(em: EntityManager, transaction: object, plan: AuditPlan, tuples: readonly (readonly unknown[])[], transactionId: string): Promise<void> {
  const { shape } = plan;
  const chain = plan.chain!;
  const columns: ParameterColumn[] = [
    ...shape.copiedColumns.map((name, i) => ({ name, castType: chain.copiedColumnTypes[i]! })),
    ...shape.statementColumns,
    ...shape.rowColumns,
  ];
  const statementColumns = { from: shape.copiedColumns.length, to: shape.copiedColumns.length + shape.statementColumns.length };
  const shared = (i: number) => i >= statementColumns.from && i < statementColumns.to;
  const rows = await executeStatement(em, transaction, buildValuesCanonicalSelect(shape, columns, tuples, transactionId, shared), 'all');
  const names = columns.map(column => column.name);
  const head = (rows[0]?.h as string | null | undefined) ?? null;
  const texts = canonicalTexts(rows, names.length, shared, false);
  const hashes = chainHashes(shape.auditTable, transactionId, head, texts.map(canonicalEncoder(names)));
  const clock = clockParameter(shape.dialect, shape.statementColumns[0]!.castType, texts[0]![statementColumns.from]!);
  const values = tuples.map((tuple, i) => tuple.map((value, c) => (c === statementColumns.from ? clock : value)).concat(hashes[i]));
  const result = await executeStatement(em, transaction, buildValuesInsert(shape, shape.auditTable, [...names, chain.hashColumn.name], values), 'run');
  if (result.affectedRows !== undefined && result.affectedRows !== tuples.length) {
    throw AuditTrailError.snapshotMissing(plan.sourceName, tuples.length, result.affectedRows);
  }
}
