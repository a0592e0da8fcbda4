import { ChangeSetType, type ChangeSet, type EntityManager, type UnitOfWork } from '@mikro-orm/core';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { collectPivotOwners } from './pivotOwners.js';

/**
 * The first entity whose audit rows a flush will write, or `undefined` when it writes none: an audited entity it
 * changes, one whose deletion the database cascades into audited rows, or an audited collection's owner.
 */
export function auditedEntityOfFlush(em: EntityManager, uow: UnitOfWork, plans: AuditPlans, changeSets: readonly ChangeSet<object>[]): string | undefined {
  for (const { meta, type } of changeSets) {
    const deletes = type === ChangeSetType.DELETE || type === ChangeSetType.DELETE_EARLY;
    if (plans.bySource.has(meta.className) || (deletes && plans.cascades.reachesAudited(meta.root.className, plans.bySource))) {
      return meta.className;
    }
  }
  if (plans.pivots.size === 0 || uow.getCollectionUpdates().length === 0) {
    return undefined;
  }
  const [pivot] = collectPivotOwners(em, uow, plans).keys();
  return pivot?.owner.className;
}
