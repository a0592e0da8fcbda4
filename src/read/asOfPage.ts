import type { EntityManager, EntityName } from '@mikro-orm/core';
import { auditOf } from '../define/auditOf.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import type { AuditRow } from '../define/AuditRow.js';
import { AuditTrailError } from '../errors/index.js';
import { buildLatestVersionCondition } from '../sql/historyQueries.js';
import { toDatabaseValue } from '../write/databaseValues.js';
import { auditPlanOf } from './auditPlanOf.js';
import { historyTableOf } from './historyTableOf.js';

interface PagedQueryBuilder<T> {
  select(fields: string): this;
  where(cond: object): this;
  andWhere(sql: string, params: unknown[]): this;
  orderBy(order: object): this;
  limit(limit: number): this;
  getResultList(): Promise<T[]>;
}

/**
 * `asOf(em, Entity, at)` one page at a time, in primary key order: the rows as they were at `at` whose key comes
 * after `afterKey` (none: from the first), at most `limit` of them. Keyset on the key, so no OFFSET.
 */
export function asOfPage(em: EntityManager, entityType: AuditableEntity, at: Date, afterKey: unknown, limit: number): Promise<AuditRow<object>[]> {
  const plan = auditPlanOf(em, entityType);
  if (!plan.options.saveChangeType) {
    throw AuditTrailError.changeTypeNeeded(plan.sourceName, 'asOf()');
  }
  if (Number.isNaN(at.getTime())) {
    throw AuditTrailError.invalidDate(plan.sourceName, 'asOf()', at);
  }
  const keys = plan.source.primaryKeys;
  const condition = buildLatestVersionCondition(historyTableOf(plan), toDatabaseValue(plan.statementProps[0]!, at, plan.platform));
  const sqlEm = em as unknown as { createQueryBuilder(entity: EntityName<object>, alias: string): PagedQueryBuilder<AuditRow<object>> };
  return sqlEm
    .createQueryBuilder(auditOf(entityType) as EntityName<object>, 'a')
    .select('*')
    .where(afterKey === undefined ? {} : keysetAfter(keys, Array.isArray(afterKey) ? afterKey : [afterKey]))
    .andWhere(condition.sql, condition.params)
    .orderBy(Object.fromEntries(keys.map(name => [name, 'asc'])))
    .limit(limit)
    .getResultList();
}

// (a, b) > (x, y) as `a > x or (a = x and b > y)`, which every dialect and MikroORM's condition objects express.
function keysetAfter(keys: readonly string[], values: readonly unknown[]): object {
  const alternatives = keys.map((name, i) => ({
    ...Object.fromEntries(keys.slice(0, i).map((earlier, j) => [earlier, values[j]])),
    [name]: { $gt: values[i] },
  }));
  return alternatives.length === 1 ? alternatives[0]! : { $or: alternatives };
}
