import { ReferenceKind, type EntityMetadata, type EntityProperty, type MetadataStorage, type Platform } from '@mikro-orm/core';
import { AUDIT_ID, AUDIT_PREFIX } from '../define/AuditColumns.js';
import { createAuditPlan, type AuditPlan, type AuditPlans, type PivotPlan } from './AuditPlan.js';
import { auditColumnProperties, copyProcessedProperty, copyProperty, isCopied } from '../define/auditProperties.js';
import { findPivotAuditByClass, type PivotAuditDefinition } from '../define/auditOfCollection.js';
import {
  findDefinition,
  findDefinitionByAuditClass,
  metadataKeys,
  sourceKeyOf,
  sourceNameOf,
  type AuditDefinition,
} from '../define/AuditRegistry.js';
import type { ResolvedAuditTrailOptions, SchemaCheckMode, TrackField } from '../define/AuditTrailOptions.js';
import { DatabaseCascades } from './DatabaseCascades.js';
import { dialectOf } from '../sql/Dialect.js';
import { allMetadata } from '../mikro-orm/metadata.js';
import type { AuditWriteGuard } from '../write/AuditWriteGuard.js';
import { AuditTrailConfigError } from '../errors/errors.js';
import { reconcileAuditTables, reportMismatches, type ReconcileTarget } from './reconcileAuditTables.js';
import { isExcluded, validateFilters } from '../define/propertyFilters.js';
import { installAuditedEntityManager } from '../capture/AuditedEntityManager.js';
import { installBackstopMigrations } from '../mikro-orm/backstopMigrationGenerator.js';
import { backstopTriggerDefinitions, type TriggerBackstopOptions, type TriggerDefinition } from '../write/triggerBackstop.js';
import { resolveOptions } from '../define/resolveOptions.js';
import { isMissingDatabase } from '../mikro-orm/sqlSchema.js';

interface DiscoveryRun {
  /** Every entity seen so far, by class and name: the audit entity may be seen before or after its source. */
  readonly byKey: Map<object | string, EntityMetadata>;
  discovered: number;
  /** Audit entities whose source was not seen yet, by source key. */
  readonly waiting: Map<object | string, { audit: EntityMetadata; definition: AuditDefinition }>;
  /** Resolved options by audit entity name (discovery replaces the metadata objects after `onMetadata`). */
  readonly options: Map<string, ResolvedAuditTrailOptions>;
  /** Pivot audit entities seen, by audit entity name; their table and columns are set after discovery. */
  readonly pivots: Map<string, { definition: PivotAuditDefinition; options: ResolvedAuditTrailOptions }>;
}

/**
 * Completes the audit entities during `MikroORM.init`: `onMetadata` copies the source's own columns while
 * discovery can still process them; `afterDiscovered` adds inherited columns, aligns column types with the
 * processed source, validates, and produces the plans used at flush time.
 */
export class AuditDiscovery {
  // One entry per `MikroORM.init` (each has its own platform), so re-initialising never mixes two runs.
  readonly #runs = new WeakMap<Platform, DiscoveryRun>();
  readonly #plans = new WeakMap<MetadataStorage, AuditPlans>();
  readonly #globalTrackFields: readonly TrackField[];
  readonly #batchSize: number | undefined;
  readonly #guard: AuditWriteGuard;
  readonly #schemaCheck: SchemaCheckMode;
  readonly #backstop: TriggerBackstopOptions | undefined;

  constructor(
    globalTrackFields: readonly TrackField[],
    batchSize: number | undefined,
    guard: AuditWriteGuard,
    schemaCheck: SchemaCheckMode,
    backstop?: TriggerBackstopOptions,
  ) {
    this.#globalTrackFields = globalTrackFields;
    this.#batchSize = batchSize;
    this.#guard = guard;
    this.#schemaCheck = schemaCheck;
    this.#backstop = backstop;
  }

  /** The plans of the ORM whose metadata this is (`em.getMetadata()`). */
  plansFor(metadata: MetadataStorage): AuditPlans | undefined {
    return this.#plans.get(metadata);
  }

  onMetadata(meta: EntityMetadata, platform: Platform): void {
    const run = this.#run(platform);
    run.discovered++;

    const pivot = findPivotAuditByClass(meta.class);
    if (pivot) {
      const owner = findDefinition(pivot.owner)!;
      const options = resolveOptions(sourceNameOf(pivot.owner), owner.options, this.#globalTrackFields);
      if (dialectOf(platform) === 'sqlite') {
        (meta.properties[AUDIT_ID as keyof typeof meta.properties] as EntityProperty).type = 'number';
      }
      meta.tableName = `${meta.className}_pending`;
      for (const prop of auditColumnProperties(options)) {
        meta.addProperty(prop as EntityProperty);
      }
      run.pivots.set(meta.className, { definition: pivot, options });
      return;
    }
    const definition = findDefinitionByAuditClass(meta.class);
    if (definition) {
      const sourceKey = sourceKeyOf(definition.source);
      const source = run.byKey.get(sourceKey);
      if (source) {
        this.#complete(run, meta, source, definition, platform);
      } else {
        run.waiting.set(sourceKey, { audit: meta, definition });
      }
      return;
    }
    for (const key of metadataKeys(meta)) {
      run.byKey.set(key, meta);
      const waiting = run.waiting.get(key);
      if (waiting) {
        run.waiting.delete(key);
        this.#complete(run, waiting.audit, meta, waiting.definition, platform);
      }
    }
  }

  async afterDiscovered(storage: MetadataStorage, platform: Platform): Promise<void> {
    const run = this.#run(platform);
    this.#runs.delete(platform);
    const config = platform.getConfig();
    const dialect = dialectOf(platform);
    const metas = allMetadata(storage);
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
        throw AuditTrailConfigError.auditSchemaMissing(meta.className);
      }
    }
    if (audits.length > 0 && !dialect) {
      throw AuditTrailConfigError.noTransactions(`the ${platform.constructor.name} platform is not supported (use PostgreSQL, MySQL/MariaDB or SQLite)`);
    }
    if (audits.length > 0 && config.get('implicitTransactions') === false) {
      throw AuditTrailConfigError.noTransactions('`implicitTransactions` is off, so a flush may run without one');
    }

    const bySource = new Map<string, AuditPlan>();
    const targets: ReconcileTarget[] = [];
    for (const { audit, definition } of audits) {
      const sourceKey = sourceKeyOf(definition.source);
      const source = metas.find(meta => metadataKeys(meta).includes(sourceKey));
      const options = run.options.get(audit.className);
      if (!source || !options) {
        throw AuditTrailConfigError.notAnEntity(sourceNameOf(definition.source));
      }
      // A child's discriminator is only known once discovery processed the hierarchy.
      if (usesSingleTableInheritance(source)) {
        throw AuditTrailConfigError.unsupportedInheritance(source.className);
      }
      validateFilters(source, options);
      alignWithSource(audit, source, platform, options);
      validateColumns(audit, source, options);
      validateTable(audit, source, metas);
      const plan = createAuditPlan({
        source,
        audit,
        options,
        platform,
        dialect: dialect!,
        defaultSchema: config.get('schema'),
        batchSize: this.#batchSize,
      });
      bySource.set(source.className, plan);
      targets.push({ audit, source, options });
      this.#guard.protect(plan.shape.auditTable, audit.className);
      this.#guard.protectSource(plan.shape.sourceTable, source.className);
    }
    const auditEntities = new Set(audits.map(a => a.audit.className));
    const pivots = new Map<string, PivotPlan>();
    for (const meta of metas) {
      const pivot = run.pivots.get(meta.className);
      const completed = pivot && completePivotAudit(meta, pivot.definition, pivot.options, metas, platform);
      if (pivot && !completed) {
        // No pivot table to audit after all (the collection is not what its decorators said): no table either.
        meta.virtual = true;
      }
      if (completed) {
        const plan = createAuditPlan({ ...completed, options: pivot.options, platform, dialect: dialect!, defaultSchema: config.get('schema'), batchSize: this.#batchSize });
        bySource.set(completed.source.className, plan);
        pivots.set(`${completed.owner.className}.${pivot.definition.property}`, { plan, ownerColumns: completed.ownerColumns });
        auditEntities.add(meta.className);
        this.#guard.protect(plan.shape.auditTable, meta.className);
      }
    }
    // Collections whose pivot is an entity the user audits: their collection changes write pivot rows without
    // changesets, recorded like generated pivots'.
    for (const meta of metas) {
      for (const prop of meta.props) {
        const pivotMeta = prop.kind === ReferenceKind.MANY_TO_MANY && prop.owner ? metas.find(m => m.pivotTable && m.tableName === prop.pivotTable) : undefined;
        const plan = pivotMeta && bySource.get(pivotMeta.className);
        if (plan && !pivots.has(`${meta.className}.${prop.name}`) && !run.pivots.has(plan.auditName)) {
          pivots.set(`${meta.className}.${prop.name}`, { plan, ownerColumns: [...prop.joinColumns] });
        }
      }
    }
    const cascades = new DatabaseCascades(metas, config);
    this.#plans.set(storage, { bySource, auditEntities, cascades, pivots, strict: this.#guard.strict, backstop: this.#backstop });
    if (this.#backstop && targets.length > 0) {
      if (dialect === 'sqlite') {
        throw AuditTrailConfigError.backstopUnsupported(platform.constructor.name);
      }
      const sourcePlans = [...bySource.values()];
      const actorField = this.#backstop.actorField;
      const withoutActor = actorField === undefined ? undefined : sourcePlans.find(plan => !plan.trackFields.some(track => track.field.name === actorField));
      if (withoutActor) {
        throw AuditTrailConfigError.backstopActorMissing(withoutActor.sourceName, actorField!);
      }
      const metadataTriggers = sourcePlans.every(plan => Array.isArray((plan.source as { triggers?: unknown }).triggers));
      if (metadataTriggers && dialect === 'mysql') {
        throw AuditTrailConfigError.backstopUnsupported(`${platform.constructor.name} with MikroORM 7, whose schema diff re-creates MySQL/MariaDB triggers in every migration`);
      }
      if (metadataTriggers) {
        // MikroORM 7 manages triggers declared in the metadata: its schema diff creates and keeps them.
        for (const plan of sourcePlans) {
          (plan.source as unknown as { triggers: TriggerDefinition[] }).triggers.push(...backstopTriggerDefinitions(plan, this.#backstop));
        }
      } else {
        await installBackstopMigrations(config, sourcePlans, this.#backstop);
      }
    }
    if (targets.length > 0) {
      await installAuditedEntityManager(config);
      warnUnauditedCollections(targets, pivots, bySource, metas, platform);
    }
    if (targets.length > 0 && readsDatabaseAtInit(platform)) {
      await this.#reconcile(targets, platform);
    }
  }

  // A removed source column must stay in the audit entity before any schema diff or migration reads the metadata,
  // so the database is read here, while `MikroORM.init` still awaits discovery.
  async #reconcile(targets: ReconcileTarget[], platform: Platform): Promise<void> {
    let mismatches;
    try {
      mismatches = await reconcileAuditTables(targets, platform);
    } catch (error) {
      if (isMissingDatabase(error)) {
        return;
      }
      platform.getConfig().getLogger().warn(
        'discovery',
        `mikro-orm-audit-trail could not read the audit tables (${(error as Error).message}): columns removed from ` +
          `audited entities are not kept by a schema diff or migration generated by this process, and the tables were not checked.`,
        { enabled: true },
      );
      return;
    }
    reportMismatches(mismatches, this.#schemaCheck, platform);
  }

  #complete(run: DiscoveryRun, audit: EntityMetadata, source: EntityMetadata, definition: AuditDefinition, platform: Platform): void {
    const options = resolveOptions(source.className, definition.options, this.#globalTrackFields);
    if (source.virtual || source.expression) {
      throw AuditTrailConfigError.noPrimaryKey(source.className);
    }
    if (usesSingleTableInheritance(source)) {
      throw AuditTrailConfigError.unsupportedInheritance(source.className);
    }
    for (const prop of Object.values(source.properties)) {
      if (prop.name.startsWith(AUDIT_PREFIX)) {
        throw AuditTrailConfigError.reservedName(source.className, prop.name, prop.name);
      }
    }
    const namingStrategy = platform.getConfig().getNamingStrategy();
    // MikroORM itself rejects two properties with one column while processing, with no hint at track fields.
    const columns = new Map<string, string>();
    for (const prop of Object.values(source.properties)) {
      if (prop.kind === ReferenceKind.SCALAR && isCopied(prop)) {
        columns.set((prop as { fieldName?: string }).fieldName ?? namingStrategy.propertyToColumnName(prop.name), prop.name);
      }
    }
    for (const field of options.trackFields) {
      if (field.name in source.properties) {
        throw AuditTrailConfigError.trackFieldClash(source.className, field.name);
      }
      const column = namingStrategy.propertyToColumnName(field.name);
      if (!field.entity && columns.has(column)) {
        throw AuditTrailConfigError.trackFieldColumnClash(source.className, field.name, column, columns.get(column)!);
      }
      if (field.name.startsWith(AUDIT_PREFIX)) {
        throw AuditTrailConfigError.reservedName(source.className, `trackFields['${field.name}']`, field.name);
      }
    }
    if (dialectOf(platform) === 'sqlite') {
      // SQLite's integer key is 64-bit already, and MikroORM's schema diff reads a `bigint` autoincrement key
      // back as `integer`, so every later migration would rebuild the audit table.
      (audit.properties[AUDIT_ID as keyof typeof audit.properties] as EntityProperty).type = 'number';
    }
    audit.tableName = options.tableName ?? `${source.tableName ?? namingStrategy.classToTableName(source.className)}_audit`;
    audit.schema = source.schema;
    for (const prop of Object.values(source.properties)) {
      if (isCopied(prop) && !isExcluded(prop, options)) {
        audit.addProperty(copyProperty(prop) as EntityProperty);
      }
    }
    for (const prop of auditColumnProperties(options)) {
      audit.addProperty(prop as EntityProperty);
    }
    run.options.set(audit.className, options);
    definition.trackFieldNames = new Set(options.trackFields.map(field => field.name));
  }

  #run(platform: Platform): DiscoveryRun {
    let run = this.#runs.get(platform);
    if (!run) {
      run = { byKey: new Map(), discovered: 0, waiting: new Map(), options: new Map(), pivots: new Map() };
      this.#runs.set(platform, run);
    }
    return run;
  }
}

// Inherited properties only reach the source after `onMetadata`, and column types, `unsigned` (MariaDB keys)
// and lengths are only final once discovery processed the source: copy them from the processed property so
// that every audit column has exactly its source column's type.
function alignWithSource(audit: EntityMetadata, source: EntityMetadata, platform: Platform, options: ResolvedAuditTrailOptions): void {
  for (const prop of source.props) {
    if (!isCopied(prop) || !prop.fieldNames?.length || isExcluded(prop, options)) {
      continue;
    }
    const copy = audit.properties[prop.name] as EntityProperty | undefined;
    if (!copy) {
      audit.addProperty(copyProcessedProperty(prop, platform));
      continue;
    }
    // An autoincrement key's type names a sequence (`serial`); the copy keeps discovery's plain integer type.
    if (!prop.autoincrement) {
      copy.columnTypes = [...prop.columnTypes];
    }
    copy.unsigned = prop.unsigned;
  }
}

function validateColumns(audit: EntityMetadata, source: EntityMetadata, options: ResolvedAuditTrailOptions): void {
  const sourceColumns = new Map<string, string>();
  for (const prop of source.props) {
    for (const column of isCopied(prop) ? (prop.fieldNames ?? []) : []) {
      if (column.startsWith(AUDIT_PREFIX)) {
        throw AuditTrailConfigError.reservedName(source.className, prop.name, column);
      }
      sourceColumns.set(column, prop.name);
    }
  }
  for (const field of options.trackFields) {
    const prop = audit.properties[field.name] as EntityProperty;
    const clash = prop.fieldNames.find(column => sourceColumns.has(column));
    if (clash) {
      throw AuditTrailConfigError.trackFieldColumnClash(source.className, field.name, clash, sourceColumns.get(clash)!);
    }
  }
}

function validateTable(audit: EntityMetadata, source: EntityMetadata, metas: EntityMetadata[]): void {
  const other = metas.find(meta => meta !== audit && !meta.embeddable && !meta.virtual && meta.tableName === audit.tableName && meta.schema === audit.schema);
  if (other) {
    throw AuditTrailConfigError.tableClash(source.className, audit.tableName, other.className);
  }
}

// Pivot rows have no audit table yet: say so at startup rather than let collection changes go unrecorded unnoticed.
function warnUnauditedCollections(
  targets: readonly ReconcileTarget[],
  pivots: ReadonlyMap<string, PivotPlan>,
  audited: ReadonlyMap<string, AuditPlan>,
  metas: EntityMetadata[],
  platform: Platform,
): void {
  const pivotAudited = (table: string) => metas.some(meta => meta.tableName === table && audited.has(meta.className));
  const collections = targets.flatMap(({ source }) =>
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

// The pivot table and its columns are only known once discovery processed the collection: the pivot audit
// entity takes its name from the pivot table and its columns from the pivot entity, as an audit entity does from
// its source. A pivot entity with columns of its own is audited as an entity instead (its changes are flushes).
function completePivotAudit(
  audit: EntityMetadata,
  definition: PivotAuditDefinition,
  options: ResolvedAuditTrailOptions,
  metas: EntityMetadata[],
  platform: Platform,
): { source: EntityMetadata; audit: EntityMetadata; owner: EntityMetadata; ownerColumns: string[] } | undefined {
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

// `connect: false` asks for no database access at init, and an in-memory SQLite database would be a new, empty one.
function readsDatabaseAtInit(platform: Platform): boolean {
  const config = platform.getConfig();
  return config.get('connect' as never) !== false && !(dialectOf(platform) === 'sqlite' && config.get('dbName') === ':memory:');
}

function usesSingleTableInheritance(meta: EntityMetadata): boolean {
  return !!(meta.discriminatorColumn || meta.discriminatorValue !== undefined || meta.root?.discriminatorColumn);
}
