import type { EntityManager } from '@mikro-orm/core';
import type { ResolvedAuditTrailOptions } from '../define/AuditTrailOptions.js';
import { auditPlansOf } from './auditPlanOf.js';

/** What the audit trail knows about one audited entity of a running ORM. */
export interface AuditedEntityInfo {
  readonly entityName: string;
  readonly auditEntityName: string;
  /** Schema-qualified when the entity lives outside the default schema. */
  readonly auditTableName: string;
  readonly options: ResolvedAuditTrailOptions;
}

/** The audited entities of the ORM `em` belongs to, by name (empty when it was not set up with `withAuditTrail`). */
export function getAuditedEntities(em: EntityManager): AuditedEntityInfo[] {
  const plans = auditPlansOf(em);
  const sorted = [...(plans?.bySource.values() ?? [])].sort((a, b) => a.sourceName.localeCompare(b.sourceName));
  return sorted.map(plan => ({
    entityName: plan.sourceName,
    auditEntityName: plan.auditName,
    auditTableName: plan.shape.auditTable,
    options: plan.options,
  }));
}
