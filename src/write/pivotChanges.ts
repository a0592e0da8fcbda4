import { ReferenceKind, type EntityManager, type Transaction, type UnitOfWork } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlans, PivotPlan } from '../discover/AuditPlan.js';
import { AUDIT_SQL_MARKER } from './AuditWriteGuard.js';
import { primaryKeyValues } from './databaseValues.js';
import type { AuditedChange, FlushAudit } from './FlushAudit.js';
import { keyString } from './keyString.js';
import { selectByKeys } from './selectByKeys.js';
import { statementValuesOf, type StatementValues } from './writeSnapshots.js';

const ROWS_PER_STATEMENT = 500;

/** Pivot rows by key string (of the pivot's key columns): each row's copied columns, in the plan's order. */
export type PivotRows = Map<string, unknown[]>;

/**
 * The owners (entities on the owning side) whose pivot rows a flush may change, per audited pivot: the owner of
 * each changed owning collection, and the items of each changed inverse collection.
 */
export function collectPivotOwners(em: EntityManager, uow: UnitOfWork, plans: AuditPlans): Map<PivotPlan, Set<object>> {
  const owners = new Map<PivotPlan, Set<object>>();
  const add = (pivot: PivotPlan | undefined, entities: Iterable<object>) => {
    if (pivot) {
      const set = owners.get(pivot) ?? new Set<object>();
      owners.set(pivot, set);
      for (const entity of entities) {
        set.add(entity);
      }
    }
  };
  for (const collection of uow.getCollectionUpdates()) {
    const prop = collection.property;
    if (prop.kind !== ReferenceKind.MANY_TO_MANY) {
      continue;
    }
    if (prop.owner) {
      const owner = em.getMetadata().find(collection.owner.constructor as never);
      add(owner && plans.pivots.get(`${owner.className}.${prop.name}`), [collection.owner]);
    } else if (prop.mappedBy && prop.targetMeta) {
      const items = [...(collection.getSnapshot() ?? []), ...collection.getItems(false)];
      add(plans.pivots.get(`${prop.targetMeta.className}.${prop.mappedBy}`), items as object[]);
    }
  }
  return owners;
}

/** The pivot rows of the given owners (those with a key yet), read inside the transaction. */
export async function readPivotRows(em: EntityManager, transaction: object, pivot: PivotPlan, owners: Iterable<object>): Promise<PivotRows> {
  const { sourceTable, keyColumns, copiedColumns } = pivot.plan.shape;
  const keyIndexes = keyColumns.map(column => copiedColumns.indexOf(column.name));
  const keys = [...owners].map(owner => primaryKeyValues(owner)).filter((key): key is unknown[] => key !== null && key.every(v => v != null));
  const rows: PivotRows = new Map();
  for (const values of await selectByKeys(em, transaction, sourceTable, pivot.ownerColumns, keys, copiedColumns)) {
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
  flush: FlushAudit,
  shared: StatementValues,
): Promise<void> {
  const changes: AuditedChange[] = [];
  const { copiedColumns, keyColumns } = pivot.plan.shape;
  const keyIndexes = keyColumns.map(column => copiedColumns.indexOf(column.name));
  const rowValues: unknown[][] = [];
  const change = (values: unknown[], changeType: ChangeType): AuditedChange => {
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
  const rows = await flush.rows(plan, changes, em);
  const { quote: q, auditTable, statementColumns, rowColumns } = plan.shape;
  const statementValues = statementValuesOf(plan, shared);
  const columns = [...copiedColumns, ...[...statementColumns, ...rowColumns].map(column => column.name)].map(q).join(', ');
  for (let start = 0; start < rows.keys.length; start += ROWS_PER_STATEMENT) {
    const params: unknown[] = [];
    const tuples = rowValues.slice(start, start + ROWS_PER_STATEMENT).map((copied, i) => {
      const values = [...copied, ...statementValues, ...rows.values[start + i]!];
      params.push(...values);
      return `(${values.map(() => '?').join(', ')})`;
    });
    const sql = `insert into ${q(auditTable)} (${columns}) values ${tuples.join(', ')} ${AUDIT_SQL_MARKER}`;
    await em.getConnection('write').execute(sql, params, 'run', transaction as Transaction);
  }
}
