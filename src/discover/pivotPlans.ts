import { ReferenceKind, type EntityMetadata, type Platform } from '@mikro-orm/core';
import { isCopied } from '../define/auditProperties.js';
import type { PivotAuditDefinition } from '../define/auditOfCollection.js';
import type { ResolvedAuditTrailOptions } from '../define/AuditTrailOptions.js';
import { metadataKeys, sourceKeyOf } from '../define/AuditRegistry.js';
import type { AuditPlan, PivotPlan } from './AuditPlan.js';
import { alignWithSource } from './completeAuditEntity.js';

/** A pivot audit entity seen during discovery: its table and columns are set once the collection is processed. */
export interface PendingPivotAudit {
  readonly definition: PivotAuditDefinition;
  readonly options: ResolvedAuditTrailOptions;
}

/** A completed pivot audit entity: the pivot entity it audits, and the owner's columns in the pivot table. */
export interface CompletedPivotAudit {
  readonly source: EntityMetadata;
  readonly audit: EntityMetadata;
  readonly owner: EntityMetadata;
  readonly ownerColumns: string[];
}

/**
 * The options of a collection's pivot audit table: the owner's (its audit columns, track fields, tamper evidence),
 * without `mask` and `exclude`. Those name the owner's properties, are checked against the owner, and apply to the
 * owner's audit table only: on the pivot they would name properties it does not have (a crash at init), or, should
 * a name match one of the pivot's relations (MikroORM names them `Owner_owner` and `Target_inverse`), drop or mask
 * its key columns.
 */
export function pivotOptions(owner: ResolvedAuditTrailOptions): ResolvedAuditTrailOptions {
  return Object.freeze({ ...owner, mask: Object.freeze({}), exclude: Object.freeze([]) });
}

/**
 * The pivot table and its columns are only known once discovery processed the collection: the pivot audit
 * entity takes its name from the pivot table and its columns from the pivot entity, as an audit entity does from
 * its source. A pivot entity with columns of its own is audited as an entity instead (its changes are flushes).
 */
export function completePivotAudit(audit: EntityMetadata, pending: PendingPivotAudit, metas: EntityMetadata[], platform: Platform): CompletedPivotAudit | undefined {
  const { definition, options } = pending;
  const owner = metas.find(meta => metadataKeys(meta).includes(sourceKeyOf(definition.owner)));
  const prop = owner?.properties[definition.property];
  const source = prop && metas.find(meta => meta.pivotTable && meta.tableName === prop.pivotTable && meta.schema === owner.schema);
  if (!owner || !prop || !source || source.props.some(p => isCopied(p) && !p.primary)) {
    return undefined;
  }
  audit.tableName = `${prop.pivotTable}_audit`;
  audit.schema = source.schema;
  alignWithSource(audit, source, platform, options);
  return { source, audit, owner, ownerColumns: [...prop.joinColumns] };
}

/**
 * Collections whose pivot is an entity the user audits: their collection changes write pivot rows without
 * change sets, recorded like generated pivots'. Added to `pivots` by `Owner.property`.
 */
export function addAuditedPivotEntities(pivots: Map<string, PivotPlan>, metas: EntityMetadata[], bySource: ReadonlyMap<string, AuditPlan>, generated: ReadonlySet<string>): void {
  for (const meta of metas) {
    for (const prop of meta.props) {
      const pivotMeta = prop.kind === ReferenceKind.MANY_TO_MANY && prop.owner ? metas.find(m => m.pivotTable && m.tableName === prop.pivotTable) : undefined;
      const plan = pivotMeta && bySource.get(pivotMeta.className);
      if (plan && !pivots.has(`${meta.className}.${prop.name}`) && !generated.has(plan.auditName)) {
        pivots.set(`${meta.className}.${prop.name}`, { plan, owner: meta, ownerColumns: [...prop.joinColumns] });
      }
    }
  }
}

/** Says at startup which many-to-many collections of audited entities leave no history, rather than let it go unnoticed. */
export function warnUnauditedCollections(
  sources: readonly EntityMetadata[],
  pivots: ReadonlyMap<string, PivotPlan>,
  audited: ReadonlyMap<string, AuditPlan>,
  metas: EntityMetadata[],
  platform: Platform,
): void {
  const pivotAudited = (table: string) => metas.some(meta => meta.tableName === table && audited.has(meta.className));
  const collections = sources.flatMap(source =>
    source.props
      .filter(prop => prop.kind === ReferenceKind.MANY_TO_MANY && prop.owner)
      .filter(prop => !pivots.has(`${source.className}.${prop.name}`) && !pivotAudited(prop.pivotTable))
      .map(prop => `${source.className}.${prop.name}`),
  );
  if (collections.length > 0) {
    platform.getConfig().getLogger().warn(
      'discovery',
      `mikro-orm-audit-trail does not record many-to-many collection changes yet: ${collections.join(', ')}. ` +
        `Adding or removing items writes pivot rows that leave no history. To audit them now, map the pivot table as an ` +
        `entity of its own, mark it with @AuditTrail(), and change it through that entity.`,
      { enabled: true },
    );
  }
}
