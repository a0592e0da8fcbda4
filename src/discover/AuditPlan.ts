import { ReferenceKind, type EntityMetadata, type EntityProperty, type Platform } from '@mikro-orm/core';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_HASH, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import type { MaskFunction, RequireActorMode, ResolvedActorColumn, ResolvedAuditTrailOptions, TrackField, TriggerBackstopOptions } from '../define/AuditTrailOptions.js';
import { isCopied } from '../define/auditProperties.js';
import { primaryKeyValues } from '../mikro-orm/entityKeys.js';
import type { DatabaseCascades } from './DatabaseCascades.js';
import type { KeyChangeCascades } from './KeyChangeCascades.js';
import type { Dialect } from '../sql/Dialect.js';
import { auditedPropertyNames, isExcluded, isMasked } from '../define/propertyFilters.js';
import type { ParameterColumn, SnapshotStatementShape } from '../sql/snapshotSelect.js';
import type { SqlNames } from '../sql/SqlStatement.js';
import type { ChainShape } from '../sql/snapshotCanonicalSelect.js';

/** A track field together with the audit property discovery made of it. */
export interface PlannedTrackField {
  readonly field: TrackField;
  readonly prop: EntityProperty;
}

/** A masked property: its source column, read inside the transaction, goes through `mask` into `prop`. */
export interface PlannedMask {
  readonly sourceColumn: string;
  readonly prop: EntityProperty;
  readonly mask: MaskFunction;
}

/** Everything the subscriber needs at flush time to audit one entity, computed once after discovery. */
export interface AuditPlan {
  readonly sourceName: string;
  /** The processed metadata of the audited entity. */
  readonly source: EntityMetadata;
  readonly auditName: string;
  readonly options: ResolvedAuditTrailOptions;
  readonly shape: SnapshotStatementShape;
  /** The columns with one value per statement: timestamp, transaction id, reason, and the actor (when on). */
  readonly statementProps: readonly EntityProperty[];
  /** The built-in `_audit_actor` column (the module option `actor`), absent with `actor: false`. */
  readonly actor: { readonly column: ResolvedActorColumn; readonly prop: EntityProperty } | undefined;
  readonly trackFields: readonly PlannedTrackField[];
  /** Row columns after the track fields, in this order. */
  readonly masks: readonly PlannedMask[];
  /** Properties whose change is worth a `U` row (see `skipUnchanged`). */
  readonly auditedProperties: ReadonlySet<string>;
  readonly platform: Platform;
  /** The source key of an entity as database values, one per key column. */
  readonly readKey: (entity: object) => unknown[] | null;
  /** Rows per statement; `undefined` lets the dialect decide. */
  readonly batchSize: number | undefined;
  /** With `tamperEvidence`: what the chained statements need beyond `shape`. */
  readonly chain: ChainShape | undefined;
}

/** The audit plans of one MikroORM instance, by source entity name. */
export interface AuditPlans {
  readonly bySource: ReadonlyMap<string, AuditPlan>;
  readonly auditEntities: ReadonlySet<string>;
  /** The relations along which the database deletes or nulls rows when a row is deleted. */
  readonly cascades: DatabaseCascades;
  /** The relations along which the database updates rows when a referenced row's key changes. */
  readonly keyCascades: KeyChangeCascades;
  /** The pivot tables of audited many-to-many collections, by `Owner.property`. */
  readonly pivots: ReadonlyMap<string, PivotPlan>;
  /** How statements name tables and columns on this ORM's database. */
  readonly names: SqlNames;
  /** The module's `strict` option. */
  readonly strict: boolean;
  /** The module's `triggerBackstop` option, when on. */
  readonly backstop: TriggerBackstopOptions | undefined;
  /** The module's `requireActor` option. */
  readonly requireActor: RequireActorMode;
  /** The module's `actor` option: the `_audit_actor` column, absent with `actor: false`. */
  readonly actor: ResolvedActorColumn | undefined;
}

/** How to audit the pivot table of one many-to-many collection: the plan of its pivot entity, and its columns. */
export interface PivotPlan {
  readonly plan: AuditPlan;
  /** The owning side's entity. */
  readonly owner: EntityMetadata;
  /** The pivot columns that reference the owning side. */
  readonly ownerColumns: readonly string[];
}

/** Source columns copied as they are into the audit table (not excluded or masked), in property order, each once. */
export function copiedColumns(source: EntityMetadata, options: Pick<ResolvedAuditTrailOptions, 'exclude' | 'mask'>): string[] {
  const columns = new Set<string>();
  for (const prop of source.props) {
    if (!isCopied(prop) || (prop.kind === ReferenceKind.EMBEDDED && !prop.object) || (prop.embedded && isInObjectEmbeddable(source, prop))) {
      continue;
    }
    if (isExcluded(prop, options) || isMasked(prop, options)) {
      continue;
    }
    prop.fieldNames?.forEach(column => columns.add(column));
  }
  return [...columns];
}

function isInObjectEmbeddable(source: EntityMetadata, prop: EntityProperty): boolean {
  const parent = source.properties[prop.embedded![0]] as EntityProperty | undefined;
  return !!parent?.object;
}

// Most keys are one plain scalar: read it directly rather than through MikroORM's generic key helpers, which
// showed up in the 10,000-row benchmark profile.
function keyReader(source: EntityMetadata): (entity: object) => unknown[] | null {
  const keys = source.getPrimaryProps();
  const [only] = keys;
  if (keys.length === 1 && only!.kind === ReferenceKind.SCALAR && !only!.customType) {
    const name = only!.name;
    return entity => {
      const value = (entity as Record<string, unknown>)[name];
      return value === null || value === undefined ? null : [value];
    };
  }
  return primaryKeyValues;
}

/** An entity's table, `schema.table` outside the default schema (the config's, else the platform's). */
export function qualifiedTableName(meta: EntityMetadata, platform: Platform): string {
  const schema = meta.schema ?? platform.getConfig().get('schema');
  const qualify = schema && schema !== '*' && schema !== platform.getDefaultSchemaName();
  return qualify ? `${schema}.${meta.tableName}` : meta.tableName;
}

/** Builds the plan from the processed source and audit metadata. */
export function createAuditPlan(args: {
  source: EntityMetadata;
  audit: EntityMetadata;
  options: ResolvedAuditTrailOptions;
  platform: Platform;
  dialect: Dialect;
  defaultSchema: string | undefined;
  batchSize: number | undefined;
  actor: ResolvedActorColumn | undefined;
}): AuditPlan {
  const { source, audit, options, platform } = args;
  const parameterColumns = (prop: EntityProperty): ParameterColumn[] =>
    prop.fieldNames.map((name, i) => ({ name, castType: prop.columnTypes[i] ?? prop.columnTypes[0]! }));
  const auditProp = (name: string): EntityProperty => audit.properties[name]!;
  const actor = args.actor && { column: args.actor, prop: auditProp(AUDIT_ACTOR) };
  const statementProps = [auditProp(AUDIT_TIMESTAMP), auditProp(AUDIT_TRANSACTION), auditProp(AUDIT_REASON), ...(actor ? [actor.prop] : [])];
  const trackFields = options.trackFields.map(field => ({
    field,
    prop: audit.properties[field.name] as EntityProperty,
  }));
  const masks = Object.entries(options.mask).map(([name, mask]) => ({
    sourceColumn: source.properties[name]!.fieldNames[0]!,
    prop: auditProp(name),
    mask,
  }));
  const rowColumns = [
    ...(options.saveChangeType ? parameterColumns(auditProp(AUDIT_CHANGE_TYPE)) : []),
    ...trackFields.flatMap(track => parameterColumns(track.prop)),
    ...masks.flatMap(masked => parameterColumns(masked.prop)),
  ];
  const copied = copiedColumns(source, options);
  return Object.freeze({
    sourceName: source.className,
    source,
    auditName: audit.className,
    options,
    platform,
    batchSize: args.batchSize,
    statementProps,
    actor,
    trackFields,
    masks,
    auditedProperties: auditedPropertyNames(source, options),
    readKey: keyReader(source),
    chain: options.tamperEvidence ? chainShape(audit, copied, parameterColumns(auditProp(AUDIT_HASH))[0]!) : undefined,
    shape: Object.freeze({
      dialect: args.dialect,
      quote: (identifier: string) => platform.quoteIdentifier(identifier),
      auditTable: qualifiedTableName(audit, platform),
      sourceTable: qualifiedTableName(source, platform),
      copiedColumns: copied,
      // Typed after the audit copy: the source key's type may be a sequence type such as `serial`.
      keyColumns: source.getPrimaryProps().flatMap(prop => parameterColumns(audit.properties[prop.name] as EntityProperty)),
      statementColumns: statementProps.flatMap(parameterColumns),
      rowColumns,
    }),
  });
}

// The declared type of each copied column, as the audit entity has it (the same as its source column's).
function chainShape(audit: EntityMetadata, copied: readonly string[], hashColumn: ParameterColumn): ChainShape {
  const types = new Map<string, string>();
  for (const prop of audit.props) {
    prop.fieldNames?.forEach((name, i) => types.set(name, prop.columnTypes?.[i] ?? prop.columnTypes?.[0] ?? ''));
  }
  return Object.freeze({ copiedColumnTypes: copied.map(name => types.get(name) ?? ''), hashColumn });
}
