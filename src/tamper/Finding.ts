/**
 * What verify found wrong with history:
 * - `changed`: a row's content or hash is not what was written (its chain link fails, or its hash differs from
 *   the one its seal recorded);
 * - `removed`: a row its seal lists is neither present nor recorded as pruned;
 * - `inserted`: a row that was never written by the library: not in its seal's ids, or fitting its chain only
 *   as a row squeezed in, or continuing a transaction that had ended before a seal;
 * - `removed-tail`: the newest rows a seal covers are gone, and no row after them exists;
 * - `forged-seal`: a seal whose MAC does not verify under the key, or whose predecessor is missing or changed;
 * - `bad-prune-record`: a prune record whose MAC does not verify (it may hide a removal).
 */
export type FindingKind = 'changed' | 'removed' | 'inserted' | 'removed-tail' | 'forged-seal' | 'bad-prune-record';

/** One thing verify found wrong. */
export interface Finding {
  /** The audit table, as the library names it (`schema.table` outside the default schema). */
  readonly table: string;
  /** The `_audit_id` concerned (the first of a range), as decimal text. */
  readonly auditId: string;
  /** For a range of rows (removed rows, a seal's segment): the last `_audit_id` of it. */
  readonly lastAuditId?: string;
  readonly kind: FindingKind;
  /** What is wrong, for people: the ids, the transaction, what the likely tampering was. */
  readonly message: string;
  /** Other ids that the same tampering shows in (the next row whose chain link fails, recomputed hashes). */
  readonly relatedIds?: readonly string[];
  /** The seal concerned (`audit_trail_seal.id`), for seal findings and rows judged against a seal. */
  readonly sealId?: string;
}

/** What verify saw of one tamper-evident audit table. */
export interface TableReport {
  readonly table: string;
  readonly entity: string;
  /** Audit rows read (live rows, not prune records). */
  readonly rows: number;
  /** Prune records read. */
  readonly prunedRecords: number;
  readonly seals: number;
  /** `_audit_id` up to which seals cover the table; `null` without a seal. Rows after it are checked by chains only. */
  readonly sealedTo: string | null;
  /** Rows without a hash (trigger backstop, or written before tamper evidence was on): not chained. */
  readonly backstopRows: number;
  /** Up to 100 of their ids, lowest first. */
  readonly backstopIds: readonly string[];
}

/** The result of `verifyAuditTrail()`. */
export interface VerifyResult {
  /** Empty when history is intact as far as verify can tell. */
  readonly findings: readonly Finding[];
  /** Findings beyond `maxFindings` that were counted but not kept. */
  readonly omittedFindings: number;
  readonly tables: readonly TableReport[];
  /**
   * `'checked'` with a key; `'not-checked'` without one (only chains were verified), `'none'` when no seal exists
   * and no key was given.
   */
  readonly seals: 'checked' | 'not-checked' | 'none';
  /** The id of the key seals were checked with (the current key). */
  readonly keyId: string | undefined;
  /** The ids of the retired keys given to check older seals, newest first. */
  readonly retiredKeyIds: readonly string[];
}
