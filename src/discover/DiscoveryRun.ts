import type { EntityMetadata } from '@mikro-orm/core';
import type { AuditDefinition } from '../define/AuditRegistry.js';
import type { RequireActorMode, ResolvedActorColumn, ResolvedAuditTrailOptions, SchemaCheckMode, TrackField, TriggerBackstopOptions } from '../define/AuditTrailOptions.js';
import type { AuditWriteGuard } from '../write/AuditWriteGuard.js';
import type { PendingPivotAudit } from './pivotPlans.js';

/** What one `MikroORM.init` has seen so far, between `onMetadata` calls. */
export interface DiscoveryRun {
  /** Every entity seen so far, by class and name: the audit entity may be seen before or after its source. */
  readonly byKey: Map<object | string, EntityMetadata>;
  discovered: number;
  /** Audit entities whose source was not seen yet, by source key. */
  readonly waiting: Map<object | string, { audit: EntityMetadata; definition: AuditDefinition }>;
  /** Resolved options by audit entity name (discovery replaces the metadata objects after `onMetadata`). */
  readonly options: Map<string, ResolvedAuditTrailOptions>;
  /** Pivot audit entities seen, by audit entity name. */
  readonly pivots: Map<string, PendingPivotAudit>;
}

/** The module options discovery needs. */
export interface DiscoverySettings {
  readonly globalTrackFields: readonly TrackField[];
  readonly batchSize: number | undefined;
  readonly guard: AuditWriteGuard;
  readonly schemaCheck: SchemaCheckMode;
  readonly backstop: TriggerBackstopOptions | undefined;
  /** `@mikro-orm/nestjs` adds the `forFeature()` entities to the config after `withAuditTrail` saw it. */
  readonly autoLoadEntities: boolean;
  readonly actor: ResolvedActorColumn | undefined;
  readonly requireActor: RequireActorMode;
  readonly tamperEvidence: boolean;
}
