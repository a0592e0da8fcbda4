import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import { AUDIT_ID, AUDIT_TIMESTAMP } from '../define/AuditColumns.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { auditPlanOf } from './auditPlanOf.js';
import type { AuditableEntity, EntityOf } from '../define/AuditRegistry.js';
import type { AuditRow } from '../define/AuditRow.js';
import { auditOf } from '../define/auditOf.js';
import { toDatabaseValue } from '../write/databaseValues.js';
import { AuditTrailError } from '../errors/index.js';
import { keyFilter } from './keyFilter.js';
import { buildLatestVersionCondition } from '../sql/historyQueries.js';
import { historyTableOf } from './historyTableOf.js';

type RowOf<E> = AuditRow<EntityOf<E> & object>;

interface QueryBuilderLike<T> {
  select(fields: string): this;
  where(cond: object): this;
  andWhere(sql: string, params: unknown[]): this;
  getResultList(): Promise<T[]>;
}

/**
 * The state of a row at an instant: its latest version written at or before `at`, or `null` if the row did not
 * exist then (or was deleted). One indexed query (the newest version of that key up to `at`).
 *
 * @example
 * const invoice = await asOf(em, Invoice, 42, new Date('2026-03-01T00:00:00Z'));
 */
export function asOf<E extends AuditableEntity>(em: EntityManager, entityType: E, id: unknown, at: Date): Promise<RowOf<E> | null>;
/**
 * The state of every row at an instant (rows deleted by then left out), optionally filtered on that state.
 * One query: the newest version per key up to `at`, picked by a window function in the database.
 *
 * @example
 * const openInvoices = await asOf(em, Invoice, new Date('2026-03-01T00:00:00Z'), { status: 'open' });
 */
export function asOf<E extends AuditableEntity>(em: EntityManager, entityType: E, at: Date, where?: FilterQuery<RowOf<E>>): Promise<RowOf<E>[]>;
export async function asOf(em: EntityManager, entityType: AuditableEntity, idOrAt: unknown, atOrWhere?: unknown): Promise<unknown> {
  const plan = auditPlanOf(em, entityType);
  if (!plan.options.saveChangeType) {
    throw AuditTrailError.changeTypeNeeded(plan.sourceName, 'asOf()');
  }
  if (atOrWhere instanceof Date || !(idOrAt instanceof Date)) {
    checkDate(plan, atOrWhere);
    return rowAsOf(em, entityType, plan, idOrAt, atOrWhere);
  }
  checkDate(plan, idOrAt);
  return allAsOf(em, entityType, plan, idOrAt, (atOrWhere ?? {}) as object);
}

function checkDate(plan: AuditPlan, at: unknown): asserts at is Date {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw AuditTrailError.invalidDate(plan.sourceName, 'asOf()', at);
  }
}

async function rowAsOf(em: EntityManager, entityType: AuditableEntity, plan: AuditPlan, id: unknown, at: Date): Promise<AuditRow<object> | null> {
  const where = { ...keyFilter(plan.source, id), [AUDIT_TIMESTAMP]: { $lte: at } };
  const row = (await em.findOne(auditOf(entityType), where as never, {
    orderBy: { [AUDIT_ID]: 'desc' } as never,
  })) as AuditRow<object> | null;
  return row && row._audit_change_type !== 'D' ? row : null;
}

function allAsOf(em: EntityManager, entityType: AuditableEntity, plan: AuditPlan, at: Date, where: object): Promise<AuditRow<object>[]> {
  const condition = buildLatestVersionCondition(historyTableOf(plan), toDatabaseValue(plan.statementProps[0]!, at, plan.platform));
  return queryBuilder<AuditRow<object>>(em, auditOf(entityType) as EntityName<object>)
    .select('*')
    .where(where)
    .andWhere(condition.sql, condition.params)
    .getResultList();
}

// `createQueryBuilder` belongs to the SQL drivers' EntityManager (the only ones the audit trail supports).
function queryBuilder<T>(em: EntityManager, entity: EntityName<object>): QueryBuilderLike<T> {
  const sqlEm = em as unknown as { createQueryBuilder(entity: EntityName<object>, alias: string): QueryBuilderLike<T> };
  return sqlEm.createQueryBuilder(entity, 'a');
}
