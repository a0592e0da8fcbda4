import type { Collection, PrimaryKeyProp } from '@mikro-orm/core';
import type { ChangeType } from './AuditColumns.js';

/** The source entity's keys that are copied into the audit table: collections and methods are not. */
export type AuditedKeys<T> = {
  [K in keyof T]-?: K extends string
    ? NonNullable<T[K]> extends Collection<object, object> | ((...args: never[]) => unknown)
      ? never
      : K
    : never;
}[keyof T];

/** The columns every audit row has, whatever it audits. */
export interface AuditColumnsRow {
  [PrimaryKeyProp]?: '_audit_id';
  /** Autoincrement key of the audit row. */
  _audit_id: number;
  /** When the flush that made the change ran (one value per flush, millisecond precision). */
  _audit_timestamp: Date;
  /** `I` insert, `U` update, `D` delete; absent when `saveChangeType` is off. */
  _audit_change_type?: ChangeType;
  /** Shared by every audit row written in the same database transaction (`null` in rows older than the column). */
  _audit_transaction: string | null;
  /** `auditContext.run({ reason })` at the time of the change. */
  _audit_reason: string | null;
  /**
   * `auditContext.run({ user })` at the time of the change: text by default, a number with the module option
   * `actor: { type: 'number' }`, absent with `actor: false`; in trigger backstop rows, the database user (text only).
   */
  _audit_actor?: string | number | null;
  /**
   * With tamper evidence on: the row's link in the hash chain of its table and transaction (64 hex digits);
   * `null` in trigger backstop rows; absent otherwise.
   */
  _audit_hash?: string | null;
}

/**
 * One version of a `T` row as stored in its audit table. Copied columns are nullable because a column added to
 * `T` later has no value in older versions. `Track` describes the track fields, e.g. `{ username: string | null }`.
 */
export type AuditRow<T extends object, Track extends object = object> = {
  [K in AuditedKeys<T>]: T[K] | null;
} & Track &
  AuditColumnsRow;
