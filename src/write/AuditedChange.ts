import type { EntityMetadata } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import type { PivotPlan } from '../discover/AuditPlan.js';

/** One changed row: the entity (track field callbacks receive it) and what happened to it. */
export interface AuditedChange {
  /** The changed entity; for a row known only by `key`, callbacks receive a reference holding the key. */
  readonly entity?: object;
  readonly changeType: ChangeType;
  /** The key as database values, when known without reading the entity (rows known only by key). */
  readonly key?: unknown[];
  /** The properties an update changed, when the adapter knows them: `skipUnchanged` drops updates of none audited. */
  readonly changedProperties?: readonly string[];
}

/** Changed rows of one entity, audited or not (the writer decides what to record). */
export interface ChangedRows {
  readonly meta: EntityMetadata;
  readonly changes: readonly AuditedChange[];
}

/** What an adapter knows before the statements of a write run. */
export interface BeforeStatements {
  /** Rows the write is about to delete: their `D` rows are written now, and the rows the database cascades to found. */
  readonly deleting?: readonly ChangedRows[];
  /** Whether the write changes this row itself (so a database cascade reaching it is not recorded twice). */
  readonly changesItself?: (className: string, key: readonly unknown[]) => boolean;
  /** Owners whose many-to-many pivot rows the write may change. */
  readonly pivotOwners?: ReadonlyMap<PivotPlan, ReadonlySet<object>>;
}

/** What an adapter knows once the statements of a write ran. */
export interface AfterStatements {
  /** Rows inserted or updated, with their keys now known. */
  readonly changed?: readonly ChangedRows[];
  /**
   * A flush's updates: MikroORM updates by key and lets an update of a row another transaction deleted first
   * through, having changed nothing, so such a row needs no `U` row. Native writes name rows they locked or
   * wrote: a row of theirs that is gone fails the write.
   */
  readonly updatesMayBeGone?: boolean;
}
