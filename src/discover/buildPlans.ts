import { EntitySchema, type EntityMetadata, type MetadataStorage, type Platform } from '@mikro-orm/core';
import { findDefinition, findDefinitionByAuditClass, metadataKeys, sourceKeyOf, sourceNameOf, type AuditDefinition } from '../define/AuditRegistry.js';
import { validateFilters } from '../define/propertyFilters.js';
import { AuditTrailConfigError } from '../errors/index.js';
import { dialectOf, platformName } from '../mikro-orm/dialectOf.js';
import { allMetadata } from '../mikro-orm/metadata.js';
import { serializeUnderscored } from '../mikro-orm/serializedProperties.js';
import { AUDIT_PREFIX } from '../define/AuditColumns.js';
import { AuditWriter, registerAuditWriter } from '../write/AuditWriter.js';
import { installAuditedEntityManager } from '../capture/AuditedEntityManager.js';
import { beforeCollectionSync } from '../mikro-orm/collectionSync.js';
import type { DiscoveryRun, DiscoverySettings } from './DiscoveryRun.js';
import { createAuditPlan, type AuditPlan, type PivotPlan } from './AuditPlan.js';
import { alignWithSource } from './completeAuditEntity.js';
import { dropsRemovedColumn } from './retainedColumns.js';
import { DatabaseCascades } from './DatabaseCascades.js';
import { KeyChangeCascades } from './KeyChangeCascades.js';
import { installBackstop } from './installBackstop.js';
import { protectTamperTables } from './tamperTables.js';
import { addAuditedPivotEntities, completePivotAudit, warnUnauditedCollections } from './pivotPlans.js';
import type { ReconcileTarget } from './reconcileAuditTables.js';
import { usesSingleTableInheritance, validateColumns, validateTable } from './validateAuditEntity.js';

/**
 * `afterDiscovered`: completes, validates and plans every audit entity of one ORM, registers its writer and
 * guarded tables, and installs the audited EntityManager class. Returns the audit tables to reconcile with the
 * database.
 */
export function buildPlans(storage: MetadataStorage, platform: Platform, run: DiscoveryRun, settings: DiscoverySettings): ReconcileTarget[] {
  const config = platform.getConfig();
  const dialect = dialectOf(platform);
  const metas = allMetadata(storage);
  const audits = auditEntitiesOf(metas, run, platform, settings.autoLoadEntities);
  const { guard } = settings;
  const planOf = (args: Omit<Parameters<typeof createAuditPlan>[0], 'platform' | 'dialect' | 'defaultSchema' | 'batchSize' | 'actor'>) =>
    createAuditPlan({ ...args, platform, dialect: dialect!, defaultSchema: config.get('schema'), batchSize: settings.batchSize, actor: settings.actor });

  const bySource = new Map<string, AuditPlan>();
  const targets: ReconcileTarget[] = [];
  for (const { audit, definition } of audits) {
    const sourceKey = sourceKeyOf(definition.source);
    const source = metas.find(meta => metadataKeys(meta).includes(sourceKey));
    const options = run.options.get(audit.className);
    if (!source || !options) {
      throw AuditTrailConfigError.notDiscovered(sourceNameOf(definition.source));
    }
    // A child's discriminator is only known once discovery processed the hierarchy.
    if (usesSingleTableInheritance(source)) {
      throw AuditTrailConfigError.unsupportedInheritance(source.className);
    }
    validateFilters(source, options);
    alignWithSource(audit, source, platform, options);
    validateColumns(audit, source, options);
    validateTable(audit, source, metas);
    const plan = planOf({ source, audit, options });
    bySource.set(source.className, plan);
    targets.push({ audit, source, options });
    guard.protect(plan.shape.auditTable, audit.className, plan.shape.dialect, column => dropsRemovedColumn(options.dropRemovedColumns, column));
    guard.protectSource(plan.shape.sourceTable, source.className);
  }
  const auditEntities = new Set([...audits.map(a => a.audit.className), ...protectTamperTables(metas, guard, dialect ?? 'sqlite')]);
  const pivots = new Map<string, PivotPlan>();
  for (const meta of metas) {
    const pending = run.pivots.get(meta.className);
    const completed = pending && completePivotAudit(meta, pending, metas, platform);
    if (pending && !completed) {
      // No pivot table to audit after all (the collection is not what its decorators said): no table either.
      meta.virtual = true;
    }
    if (pending && completed) {
      const plan = planOf({ source: completed.source, audit: completed.audit, options: pending.options });
      bySource.set(completed.source.className, plan);
      pivots.set(`${completed.owner.className}.${pending.definition.property}`, { plan, owner: completed.owner, ownerColumns: completed.ownerColumns });
      auditEntities.add(meta.className);
      guard.protect(plan.shape.auditTable, meta.className, plan.shape.dialect);
    }
  }
  addAuditedPivotEntities(pivots, metas, bySource, new Set(run.pivots.keys()));
  finish(storage, platform, settings, { bySource, auditEntities, pivots, metas, targets });
  return targets;
}

// Registers the writer of this ORM, and installs what the audited entities need beyond their plans.
function finish(
  storage: MetadataStorage,
  platform: Platform,
  settings: DiscoverySettings,
  found: { bySource: Map<string, AuditPlan>; auditEntities: Set<string>; pivots: Map<string, PivotPlan>; metas: EntityMetadata[]; targets: ReconcileTarget[] },
): void {
  const { bySource, auditEntities, pivots, metas, targets } = found;
  const config = platform.getConfig();
  const { guard } = settings;
  const names = { dialect: dialectOf(platform) ?? 'sqlite', quote: (identifier: string) => platform.quoteIdentifier(identifier) };
  const cascades = new DatabaseCascades(metas, config);
  const keyCascades = new KeyChangeCascades(metas, config);
  const plans = { bySource, auditEntities, cascades, keyCascades, pivots, names, strict: guard.strict, backstop: settings.backstop, requireActor: settings.requireActor, actor: settings.actor };
  const writer = new AuditWriter(plans);
  registerAuditWriter(storage, writer);
  // History is shown to people: every audit column belongs in its JSON, whatever MikroORM does with `_` names.
  metas.filter(meta => auditEntities.has(meta.className)).forEach(meta => serializeUnderscored(meta, name => name.startsWith(AUDIT_PREFIX)));
  if (settings.backstop && targets.length > 0) {
    installBackstop([...bySource.values()], settings.backstop, platform);
  }
  if (targets.length > 0) {
    installAuditedEntityManager(config);
    beforeCollectionSync(config, transaction => writer.beforePivotWrites(transaction));
    warnUnauditedCollections(targets.map(target => target.source), pivots, bySource, metas, platform);
  }
}

// The audit entities among the discovered ones, once every audited entity is known to have one and the
// platform to support them.
function auditEntitiesOf(metas: EntityMetadata[], run: DiscoveryRun, platform: Platform, autoLoadEntities: boolean): { audit: EntityMetadata; definition: AuditDefinition }[] {
  const config = platform.getConfig();
  const dialect = dialectOf(platform);
  if (metas.length === 0 && run.discovered > 0) {
    // Never audit nothing silently: this means MikroORM changed how discovered metadata is exposed.
    throw AuditTrailConfigError.metadataUnreadable(run.discovered);
  }
  const audits = metas.flatMap(meta => {
    const definition = findDefinitionByAuditClass(meta.class);
    return definition ? [{ audit: meta, definition }] : [];
  });
  for (const meta of metas) {
    const definition = findDefinition(meta.class);
    if (definition && !audits.some(a => a.definition === definition)) {
      const marker = definition.source instanceof EntitySchema ? 'auditTrail()' : '@AuditTrail()';
      throw AuditTrailConfigError.auditSchemaMissing(meta.className, marker, autoLoadEntities);
    }
  }
  if (audits.length > 0 && !dialect) {
    throw AuditTrailConfigError.noTransactions(`the ${platformName(platform)} platform is not supported (use PostgreSQL, MySQL/MariaDB or SQLite)`);
  }
  if (audits.length > 0 && config.get('implicitTransactions') === false) {
    throw AuditTrailConfigError.noTransactions('`implicitTransactions` is off, so a flush may run without one');
  }
  return audits;
}
