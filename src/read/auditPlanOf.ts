import { EntitySchema, type EntityManager, type EntityName } from '@mikro-orm/core';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { AuditTrailError } from '../errors/index.js';
import { auditWriterOf } from '../write/AuditWriter.js';

/** The audit plans of the ORM `em` belongs to; `undefined` when it was not set up with `withAuditTrail`. */
export function auditPlansOf(em: EntityManager): AuditPlans | undefined {
  return auditWriterOf(em)?.plans;
}

/** The plan of an audited entity of `em`'s ORM, or an error naming the entity and the fix. */
export function auditPlanOf(em: EntityManager, entityType: AuditableEntity): AuditPlan {
  const name = entityType instanceof EntitySchema ? entityType.meta.className : (entityType as { name: string }).name;
  const meta = em.getMetadata().find(entityType as EntityName<object>);
  if (!meta) {
    throw AuditTrailError.notAnEntity(name);
  }
  const plan = auditPlansOf(em)?.bySource.get(meta.className);
  if (!plan) {
    throw AuditTrailError.notAudited(meta.className);
  }
  return plan;
}
