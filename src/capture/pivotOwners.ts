import { ReferenceKind, type Collection, type EntityManager, type UnitOfWork } from '@mikro-orm/core';
import type { AuditPlans, PivotPlan } from '../discover/AuditPlan.js';
import { itemsBeforeAndNow } from '../mikro-orm/collectionItems.js';

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
  for (const collection of uow.getCollectionUpdates() as Collection<object, object>[]) {
    const prop = collection.property;
    if (prop.kind !== ReferenceKind.MANY_TO_MANY) {
      continue;
    }
    if (prop.owner) {
      const owner = em.getMetadata().find(collection.owner.constructor as never);
      add(owner && plans.pivots.get(`${owner.className}.${prop.name}`), [collection.owner]);
    } else if (prop.mappedBy && prop.targetMeta) {
      add(plans.pivots.get(`${prop.targetMeta.className}.${prop.mappedBy}`), itemsBeforeAndNow(collection));
    }
  }
  return owners;
}
