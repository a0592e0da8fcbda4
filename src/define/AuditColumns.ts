/** Names of the columns (and properties) the audit trail adds to every audit table. */
export const AUDIT_ID = '_audit_id';
export const AUDIT_TIMESTAMP = '_audit_timestamp';
export const AUDIT_CHANGE_TYPE = '_audit_change_type';
/** One id shared by every audit row written in the same database transaction. */
export const AUDIT_TRANSACTION = '_audit_transaction';
/** Why the change was made, from `auditContext.run({ reason })`. */
export const AUDIT_REASON = '_audit_reason';
/** Who made the change, from `auditContext.run({ user })` (module option `actor`). */
export const AUDIT_ACTOR = '_audit_actor';
/**
 * Tamper evidence (`tamperEvidence`): the row's link in the hash chain of its table and transaction (see
 * `tamper/chain.ts`); NULL in rows the trigger backstop wrote.
 */
export const AUDIT_HASH = '_audit_hash';

/** Every generated name starts with this; a user's property or column with it is a configuration error. */
export const AUDIT_PREFIX = '_audit_';

/** What happened to the row: `I` insert, `U` update, `D` delete. */
export type ChangeType = 'I' | 'U' | 'D';
