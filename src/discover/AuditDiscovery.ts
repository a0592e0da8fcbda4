import type { EntityMetadata, EntityProperty, MetadataStorage, Platform } from '@mikro-orm/core';
import { AUDIT_ID } from '../define/AuditColumns.js';
import { auditColumnProperties } from '../define/auditProperties.js';
import { findPivotAuditByClass } from '../define/auditOfCollection.js';
import { findDefinition, findDefinitionByAuditClass, metadataKeys, sourceKeyOf, sourceNameOf, type AuditDefinition } from '../define/AuditRegistry.js';
import { resolveOptions } from '../define/resolveOptions.js';
import { dialectOf } from '../mikro-orm/dialectOf.js';
import { addProperties } from '../mikro-orm/metadata.js';
import { completeAuditEntity } from './completeAuditEntity.js';
import { buildPlans } from './buildPlans.js';
import type { DiscoveryRun, DiscoverySettings } from './DiscoveryRun.js';
import { AuditTableCheck } from './AuditTableCheck.js';
import { alignTamperEntity } from './tamperTables.js';
import { pivotOptions } from './pivotPlans.js';

/**
 * MikroORM's discovery hooks: `onMetadata` copies each source's own columns into its audit entity while
 * discovery can still process them; `afterDiscovered` completes, validates and plans every audit entity, and
 * registers the writer of this ORM. Everything but MikroORM 7's startup check of the audit tables is synchronous,
 * so `MikroORM.initSync()` / `new MikroORM()` (which do not await the hooks) get a complete audit trail; the audit
 * tables are read when the ORM connects or diffs its schema (`AuditTableCheck`).
 */
export class AuditDiscovery {
  // One entry per `MikroORM.init` (each has its own platform), so re-initialising never mixes two runs.
  readonly #runs = new WeakMap<Platform, DiscoveryRun>();
  readonly #settings: DiscoverySettings;

  constructor(settings: DiscoverySettings) {
    this.#settings = settings;
  }

  onMetadata(meta: EntityMetadata, platform: Platform): void {
    const run = this.#run(platform);
    run.discovered++;
    alignTamperEntity(meta, platform);
    const pivot = findPivotAuditByClass(meta.class);
    if (pivot) {
      const owner = findDefinition(pivot.owner)!;
      const options = pivotOptions(resolveOptions(sourceNameOf(pivot.owner), owner.options, this.#settings));
      if (dialectOf(platform) === 'sqlite') {
        (meta.properties[AUDIT_ID as keyof typeof meta.properties] as EntityProperty).type = 'number';
      }
      meta.tableName = `${meta.className}_pending`;
      addProperties(meta, auditColumnProperties(options, this.#settings.actor) as EntityProperty[]);
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

  afterDiscovered(storage: MetadataStorage, platform: Platform): Promise<void> | undefined {
    const run = this.#run(platform);
    this.#runs.delete(platform);
    const targets = buildPlans(storage, platform, run, this.#settings);
    return targets.length > 0 ? AuditTableCheck.install(storage, platform, targets, this.#settings.schemaCheck) : undefined;
  }

  #complete(run: DiscoveryRun, audit: EntityMetadata, source: EntityMetadata, definition: AuditDefinition, platform: Platform): void {
    const options = resolveOptions(source.className, definition.options, this.#settings);
    completeAuditEntity(audit, source, options, platform, this.#settings.actor);
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
