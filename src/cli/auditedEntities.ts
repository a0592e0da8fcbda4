import type { EntityManager } from '@mikro-orm/core';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { CliUsageError } from '../errors/CliUsageError.js';
import { auditPlansOf } from '../read/auditPlanOf.js';
import { parseKey } from '../read/parseValue.js';

/** An audited entity as commands address it: its name, the type the read and write functions take, its plan. */
export interface CliEntity {
  /** The entity's class name, as users type it (case-sensitive). */
  readonly name: string;
  /** What `auditHistory`, `asOf`, `pruneAudit` take for this entity (its class, or the class of its schema). */
  readonly type: AuditableEntity;
  readonly plan: AuditPlan;
}

/** The audited entities of the ORM, by name; a usage error with the fix when the config has none. */
export function auditedEntities(em: EntityManager): CliEntity[] {
  const plans = auditPlansOf(em);
  if (!plans || plans.bySource.size === 0) {
    throw CliUsageError.noAuditedEntities(plans !== undefined);
  }
  return [...plans.bySource.values()]
    .sort((a, b) => (a.sourceName < b.sourceName ? -1 : a.sourceName > b.sourceName ? 1 : 0))
    .map(plan => ({ name: plan.sourceName, type: plan.source.class as AuditableEntity, plan }));
}

/** The audited entity of that exact name; a usage error listing the audited entities otherwise. */
export function auditedEntity(em: EntityManager, name: string): CliEntity {
  const all = auditedEntities(em);
  const found = all.find(entity => entity.name === name);
  if (!found) {
    throw CliUsageError.unknownEntity(name, all.map(entity => entity.name));
  }
  return found;
}

/** The `<id>` argument as the entity's key: the value, or a JSON array for a composite key; a usage error otherwise. */
export function entityKey(entity: CliEntity, text: string): unknown {
  return parseKey(entity.plan.source, text, expected => {
    throw CliUsageError.badValue(`<id> of ${entity.name}`, expected, text);
  });
}
