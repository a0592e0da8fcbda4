import { ReferenceKind, type EntityManager, type EntityMetadata, type EntityName, type EntityProperty } from '@mikro-orm/core';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_PREFIX, AUDIT_REASON } from '../define/AuditColumns.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { auditOf } from '../define/auditOf.js';
import type { AuditPlan } from '../discover/AuditPlan.js';

/**
 * An audited entity as history readers for people show it (the browser, the CLI): its metadata, its audit entity,
 * and the audit columns a listing shows.
 */
export interface HistoryEntity {
  readonly name: string;
  readonly type: AuditableEntity;
  readonly source: EntityMetadata;
  readonly audit: EntityName<object>;
  readonly auditMeta: EntityMetadata;
  readonly hasChangeType: boolean;
  readonly hasActor: boolean;
  /** The track fields' properties, in declaration order. */
  readonly trackFields: readonly EntityProperty[];
  /** The copied columns' properties (key first, as the audit table holds them): what history shows of the row. */
  readonly columns: readonly EntityProperty[];
  /** The fields a listing may filter on: `_audit_actor` (when there is one), `_audit_reason` and the track fields. */
  readonly filterFields: ReadonlyMap<string, EntityProperty>;
}

/** The history view of the audited entity that `plan` describes. */
export function historyEntity(em: EntityManager, plan: AuditPlan): HistoryEntity {
  const source = plan.source;
  const trackNames = plan.trackFields.map(t => t.field.name);
  const type = source.class as AuditableEntity;
  const audit = auditOf(type);
  const auditMeta = em.getMetadata().find(audit.meta.class as EntityName<object>)!;
  const props = (auditMeta.props as readonly EntityProperty[]).filter(prop => !prop.embedded && prop.kind !== ReferenceKind.ONE_TO_MANY && prop.kind !== ReferenceKind.MANY_TO_MANY);
  const byName = new Map<string, EntityProperty>(props.map(prop => [prop.name, prop]));
  const trackFields = trackNames.map(name => byName.get(name)).filter(prop => prop !== undefined);
  const tracked = new Set(trackNames);
  const keys = source.primaryKeys.map(name => byName.get(name)).filter(prop => prop !== undefined);
  const others = props.filter(prop => !(prop.name).startsWith(AUDIT_PREFIX) && !tracked.has(prop.name) && !keys.includes(prop));
  const filterFields = new Map<string, EntityProperty>();
  for (const name of [AUDIT_ACTOR, AUDIT_REASON, ...trackNames]) {
    const prop = byName.get(name);
    if (prop) {
      filterFields.set(name, prop);
    }
  }
  return {
    name: source.className,
    type,
    source,
    audit: audit as unknown as EntityName<object>,
    auditMeta,
    hasChangeType: byName.has(AUDIT_CHANGE_TYPE),
    hasActor: byName.has(AUDIT_ACTOR),
    trackFields,
    columns: [...keys, ...others],
    filterFields,
  };
}
