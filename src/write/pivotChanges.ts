import type { EntityManager } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import { qualifiedTableName, type PivotPlan } from '../discover/AuditPlan.js';
import { primaryKeyValues } from '../mikro-orm/entityKeys.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildValuesInsert } from '../sql/valuesInsert.js';
import { keyString } from './keyString.js';
import { selectByKeys } from './selectByKeys.js';
import { writeChainedValues } from './chainedValues.js';
import { statementValuesOf, type StatementValues } from './SnapshotWriter.js';
import { snapshotRows, type EntityChange } from './snapshotRows.js';
import type { AuditContextData } from '../context/AuditContext.js';

const ROWS_PER_STATEMENT = 500;
// A chained pre-read has a UNION ALL term per row: SQLite takes at most 500.
const CHAINED_ROWS_PER_STATEMENT = 400;

/** Pivot rows by key string (of the pivot's key columns): each row's copied columns, in the plan's order. */
export type PivotRows = Map<string, unknown[]>;

/**
 * The pivot rows of the given owners (those with a key yet), read inside the transaction. With `lockOwners` (the
 * read before the write's statements) the owners' rows are locked first: another transaction changing the same
 * owners' pivot rows (its foreign key check takes a share lock on the owner) waits until this one commits, so
 * the rows that differ between this read and the one after the statements are this write's own.
 */
export async function readPivotRows(em: EntityManager, transaction: object, pivot: PivotPlan, owners: Iterable<object>, lockOwners = false): Promise<PivotRows> {
  const { sourceTable, keyColumns, copiedColumns } = pivot.plan.shape;
  const keyIndexes = keyColumns.map(column => copiedColumns.indexOf(column.name));
  const keys = [...owners].map(owner => primaryKeyValues(owner)).filter((key): key is unknown[] => key !== null && key.every(v => v != null));
  if (lockOwners && keys.length > 0) {
    const ownerKey = pivot.owner.getPrimaryProps().flatMap(prop => prop.fieldNames);
    await selectByKeys(em, transaction, pivot.plan.shape, qualifiedTableName(pivot.owner, em.getPlatform()), ownerKey, keys, ownerKey, true);
  }
  const rows: PivotRows = new Map();
  for (const values of await selectByKeys(em, transaction, pivot.plan.shape, sourceTable, pivot.ownerColumns, keys, copiedColumns)) {
    rows.set(keyString(keyIndexes.map(index => values[index])), values);
  }
  return rows;
}

/**
 * Writes the `I` rows of pivot rows that appeared and the `D` rows of those that disappeared between `before`
 * and `after`, from the values read (a removed row cannot be copied any more), in multi-row INSERTs.
 */
export async function writePivotChanges(
  em: EntityManager,
  transaction: object,
  pivot: PivotPlan,
  before: PivotRows,
  after: PivotRows,
  skip: ReadonlySet<string>,
  context: AuditContextData | undefined,
  shared: StatementValues,
): Promise<void> {
  const changes: EntityChange[] = [];
  const { copiedColumns, keyColumns } = pivot.plan.shape;
  const keyIndexes = keyColumns.map(column => copiedColumns.indexOf(column.name));
  const rowValues: unknown[][] = [];
  const change = (values: unknown[], changeType: ChangeType): EntityChange => {
    rowValues.push(values);
    return { entity: Object.fromEntries(copiedColumns.map((column, i) => [column, values[i]])), key: keyIndexes.map(i => values[i]), changeType };
  };
  for (const [id, values] of after) {
    if (!before.has(id)) {
      changes.push(change(values, 'I'));
    }
  }
  for (const [id, values] of before) {
    if (!after.has(id) && !skip.has(id)) {
      changes.push(change(values, 'D'));
    }
  }
  if (changes.length === 0) {
    return;
  }
  const { plan } = pivot;
  const rows = await snapshotRows(plan, changes, em, context);
  const { auditTable, statementColumns, rowColumns } = plan.shape;
  const statementValues = statementValuesOf(plan, shared);
  const columns = [...copiedColumns, ...[...statementColumns, ...rowColumns].map(column => column.name)];
  const perStatement = plan.chain ? CHAINED_ROWS_PER_STATEMENT : ROWS_PER_STATEMENT;
  for (let start = 0; start < rowValues.length; start += perStatement) {
    const tuples = rowValues.slice(start, start + perStatement).map((copied, i) => [...copied, ...statementValues, ...rows.values[start + i]!]);
    if (plan.chain) {
      await writeChainedValues(em, transaction, plan, tuples, shared.transactionId);
    } else {
      await executeStatement(em, transaction, buildValuesInsert(plan.shape, auditTable, columns, tuples), 'run');
    }
  }
}
