import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { auditPlansOf } from '../read/auditPlanOf.js';
import { TAMPER_ENTITY_NAMES } from './tamperEntities.js';

/** Whether `plan`'s audit rows carry chain hashes. */
export function isTamperEvident(plan: AuditPlan): boolean {
  return plan.options.tamperEvidence;
}

/**
 * The plans of `em`'s ORM whose audit tables are tamper-evident, one per table, in table name order; an error
 * when there are some but the seal and prune record tables are not part of the ORM.
 */
export function tamperEvidentPlans(em: EntityManager): { plans: AuditPlans | undefined; tamperEvident: AuditPlan[] } {
  const plans = auditPlansOf(em);
  const byTable = new Map<string, AuditPlan>();
  for (const plan of plans?.bySource.values() ?? []) {
    if (isTamperEvident(plan) && !byTable.has(plan.shape.auditTable)) {
      byTable.set(plan.shape.auditTable, plan);
    }
  }
  const tamperEvident = [...byTable.values()].sort((a, b) => (a.shape.auditTable < b.shape.auditTable ? -1 : 1));
  if (tamperEvident.length > 0 && TAMPER_ENTITY_NAMES.some(name => !plans!.auditEntities.has(name))) {
    throw TamperErrors.sealTablesMissing();
  }
  return { plans, tamperEvident };
}
