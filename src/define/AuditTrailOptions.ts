import type { EntityManager, EntityName, PropertyOptions } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { ChangeType } from './AuditColumns.js';

/** What a track field's `value` callback receives for each audited change. */
export interface TrackFieldArgs<T extends object = object> {
  /** The changed entity (its state after an insert or update, before a delete). */
  entity: T;
  changeType: ChangeType;
  /** The EntityManager that is flushing the change. */
  em: EntityManager;
  /** `auditContext.current()` at the time of the flush. */
  context: AuditContextData | undefined;
}

/** A value a track field can store as it is. */
export type TrackFieldConstant = string | number | boolean | bigint | Date | null | readonly unknown[] | { readonly [key: string]: unknown };

/** A track field's value: a constant, or a function of the change (it may return a promise). */
export type TrackFieldValue<T extends object> = TrackFieldConstant | ((args: TrackFieldArgs<T>) => unknown);

interface TrackFieldBase<T extends object> {
  /** Property and column name in the audit table (the column goes through the naming strategy). */
  name: string;
  value: TrackFieldValue<T>;
  /** Defaults to `true`. */
  nullable?: boolean;
}

/** An extra scalar column of the audit table, e.g. the user name from `auditContext`. */
export interface ScalarTrackField<T extends object = object> extends TrackFieldBase<T> {
  /** MikroORM property type: `'string'`, `'number'`, `'boolean'`, `'Date'`, `'json'`, a `Type` class, ... */
  type: PropertyOptions<object>['type'];
  entity?: never;
  length?: number;
}

/** An extra reference column of the audit table (a plain indexed FK column, no FK constraint). */
export interface ReferenceTrackField<T extends object = object> extends TrackFieldBase<T> {
  /** The referenced entity; `value` returns an instance, a reference or a primary key. */
  entity: () => EntityName<object>;
  type?: never;
}

/** An extra column of the audit table whose value is a constant or a callback, evaluated for every change. */
export type TrackField<T extends object = object> = ScalarTrackField<T> | ReferenceTrackField<T>;

/** A property name of `T`, or any string when `T` is not known (plain `@AuditTrail()`). */
export type PropertyName<T extends object> = object extends T ? string : Extract<keyof T, string>;

/** Turns a column's stored value into what history keeps instead, e.g. the last four digits. */
export type MaskFunction = (value: unknown) => unknown;

/** Per-entity options of `@AuditTrail()` / `auditTrail()`. */
export interface AuditTrailOptions<T extends object = object> {
  /** Store the change type (`I`/`U`/`D`) in `_audit_change_type`. Defaults to `true`. */
  saveChangeType?: boolean;
  /** Write a `D` snapshot when a row is deleted. Defaults to `true`. */
  auditDeletes?: boolean;
  /** Extra columns of this entity's audit table. Defaults to `[]`. */
  trackFields?: TrackField<T>[];
  /** Name of the audit table. Defaults to `<table>_audit`. */
  tableName?: string;
  /** List the entity in the read-only history browser. Defaults to `false`. */
  showInAdmin?: boolean;
  /**
   * What happens to a history column whose source column was removed from the entity. By default the audit
   * table keeps it (with its data; new rows leave it NULL), so the schema diff never drops history. `true`
   * lets the next migration drop every such column; a list of column names drops only those.
   */
  dropRemovedColumns?: boolean | string[];
  /** Properties not copied into the audit table at all, e.g. `['passwordHash']`. Not the primary key. */
  exclude?: PropertyName<T>[];
  /**
   * Scalar properties stored transformed: `{ ssn: v => `***-**-${String(v).slice(-4)}` }`. The function receives
   * the column's stored value (read inside the change's transaction) and returns what the audit row keeps; the
   * original never reaches the audit table.
   */
  mask?: { [K in PropertyName<T>]?: MaskFunction };
  /**
   * Write no `U` row for an update that changes no audited column: only excluded properties, version or
   * `onUpdate` columns, or collections. Defaults to `true`.
   */
  skipUnchanged?: boolean;
  /**
   * Chain every audit row of this entity to the rows its transaction wrote before it in the audit table, through
   * a hash in `_audit_hash` (see the module option). Defaults to the module option `tamperEvidence`.
   */
  tamperEvidence?: boolean;
}

/** Options of the whole module, given to `withAuditTrail(config, options)`. */
export interface AuditTrailModuleOptions {
  /** Track fields added to every audited entity. Defaults to `[]`. */
  globalTrackFields?: TrackField[];
  /**
   * Rows per audit INSERT statement; larger flushes are written in chunks (still in the flush's transaction).
   * Defaults to as many as the dialect takes in one statement: all of them on PostgreSQL, up to 30,000
   * parameters' worth on SQLite and MySQL/MariaDB.
   */
  batchSize?: number;
  /**
   * What happens at startup when an existing audit table does not match its entity (created by hand, or a
   * migration not run yet): `'warn'` logs one message naming each table and column, from a read that runs alongside
   * the start (`MikroORM.init` does not wait for it; the application's statements, `orm.close()` and schema diffs
   * do); `'error'` makes
   * `MikroORM.init` wait for the read and throw it; `'off'` reads nothing. Defaults to `'warn'`, so that
   * `migration:create` can still run to fix it.
   */
  schemaCheck?: SchemaCheckMode;
  /**
   * Refuse, before it reaches the database, every statement that writes to an audited entity's table outside
   * `em.flush()` and the audited native writes (a query builder's insert/update/delete,
   * `em.execute()`), since nothing would record it. `allowUnauditedWrites(() => …)` lets deliberate maintenance
   * through. Defaults to `true`.
   */
  strict?: boolean;
  /**
   * PostgreSQL and MySQL/MariaDB: make `migration:create` also install row triggers on every audited table that
   * record the writes the application did not (raw SQL, other applications, manual fixes), with the database user
   * as actor in `actorField` when the application gave none. The library's own writes are marked, so no write is
   * recorded twice. Off by default.
   */
  triggerBackstop?: boolean | TriggerBackstopOptions;
  /**
   * The built-in `_audit_actor` column of every audit table, filled with `auditContext.current()?.user` as
   * `_audit_reason` is with its `reason`. By default a nullable, indexed `varchar(255)`: a number given as user is
   * stored as its decimal string. `{ type: 'number' }` makes it a `bigint` for numeric user ids (a user that is
   * not an integer then fails the write before it runs), `{ length }` sizes the string column, and `false` leaves
   * the column out (a track field can then hold the actor, e.g. a reference to a User entity).
   * Defaults to `{ type: 'string', length: 255 }`.
   */
  actor?: false | AuditActorOptions;
  /**
   * What a write of audited entities does when the audit context names no actor: no `auditContext.run()` around
   * it, or one without `user`. An explicit `user: null` declares a change no user made (a system job) and passes.
   * `'error'` fails the write before any of its statements runs (`AUDIT_ACTOR_MISSING`), `'warn'` logs it once
   * per ORM through MikroORM's logger, `false` records the change with a NULL actor. Defaults to `false`.
   */
  requireActor?: RequireActorMode;
  /**
   * Tamper evidence: every audit table gets a `_audit_hash` column, and each audit row the library writes carries
   * the SHA-256 of its canonical content chained to the previous row its transaction wrote in that table, so that
   * `verify` can tell a changed, removed or inserted row. Costs one extra read per audit statement. An entity's
   * `@AuditTrail({ tamperEvidence })` overrides it. Defaults to `false`.
   */
  tamperEvidence?: boolean;
}

/** The module option `actor`: the type of the built-in `_audit_actor` column. */
export interface AuditActorOptions {
  /** `'string'` (`varchar`) or `'number'` (`bigint`, for numeric user ids). Defaults to `'string'`. */
  type?: 'string' | 'number';
  /** Length of the string column. Defaults to `255`. */
  length?: number;
}

/** See {@link AuditTrailModuleOptions.requireActor}. */
export type RequireActorMode = 'error' | 'warn' | false;

/** The module option `triggerBackstop`: database triggers that record writes the application did not. */
export interface TriggerBackstopOptions {
  /** The track field that receives the actor: the application's (`auditContext` user), else the database user. */
  actorField?: string;
}

/** See {@link AuditTrailModuleOptions.schemaCheck}. */
export type SchemaCheckMode = 'warn' | 'error' | 'off';

/** Per-entity options after defaults were applied and the values were checked. */
export interface ResolvedAuditTrailOptions {
  readonly saveChangeType: boolean;
  readonly auditDeletes: boolean;
  readonly trackFields: readonly TrackField[];
  readonly tableName: string | undefined;
  readonly showInAdmin: boolean;
  readonly dropRemovedColumns: boolean | readonly string[];
  readonly exclude: readonly string[];
  readonly mask: Readonly<Record<string, MaskFunction>>;
  readonly skipUnchanged: boolean;
  /** The entity's own option, else the module's. */
  readonly tamperEvidence: boolean;
}

export const DEFAULT_OPTIONS = Object.freeze({
  saveChangeType: true,
  auditDeletes: true,
  trackFields: Object.freeze([]) as readonly TrackField[],
  tableName: undefined,
  showInAdmin: false,
  dropRemovedColumns: false,
  exclude: Object.freeze([]) as readonly string[],
  mask: Object.freeze({}) as Readonly<Record<string, MaskFunction>>,
  skipUnchanged: true,
  tamperEvidence: false,
} satisfies ResolvedAuditTrailOptions);

/** The `_audit_actor` column after defaults were applied. */
export interface ResolvedActorColumn {
  readonly type: 'string' | 'number';
  /** The string column's length; `undefined` for numbers. */
  readonly length: number | undefined;
}

export const DEFAULT_MODULE_OPTIONS = Object.freeze({
  globalTrackFields: Object.freeze([]) as readonly TrackField[],
  schemaCheck: 'warn' as SchemaCheckMode,
  strict: true,
  actor: Object.freeze({ type: 'string', length: 255 }) as ResolvedActorColumn,
  requireActor: false as RequireActorMode,
  tamperEvidence: false,
});
