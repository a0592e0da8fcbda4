import type { EntityManager } from '@mikro-orm/core';
import { AUDIT_HASH } from '../define/AuditColumns.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { checkPruneKey } from '../tamper/pruneKeyCheck.js';
import { recordPrunedRows } from '../tamper/recordPrunedRows.js';
import type { SealKey } from '../tamper/SealKey.js';

/** A version a prune batch is about to delete: its `_audit_id`, and the hash `hashColumn` holds (else `null`). */
export interface PrunedRow {
  readonly id: unknown;
  readonly hash: string | null;
}

/**
 * Records what each batch of a prune deletes. With one, every batch runs in a transaction of its own (inside the
 * caller's, when there is one): it reads its rows with a locking read, hands them to `record`, and deletes them,
 * so a record exists exactly for the rows that went (tamper evidence records pruned rows this way, so that
 * `verify` tells them from rows removed behind the application's back).
 */
export interface PruneRecorder {
  /** An audit column each row's `hash` is read from (`_audit_hash` for tamper evidence). Defaults to none: `null`. */
  readonly hashColumn?: string;
  /** Called on the batch's transaction, before its delete; an error rolls the batch back and stops the prune. */
  record(em: EntityManager, transaction: object, rows: readonly PrunedRow[]): Promise<void>;
}

/**
 * The recorder of a prune of `plan`'s history: the one the caller gave, and for a tamper-evident audit table the
 * prune records (`recordPrunedRows`, which needs the seal key), so that verify tells the removed rows from rows
 * removed behind the application's back. A dry run removes nothing and needs no key.
 */
export function pruneRecorderOf(plan: AuditPlan, given: PruneRecorder | undefined, sealKey: SealKey | undefined, dryRun: boolean): PruneRecorder | undefined {
  if (!plan.options.tamperEvidence || dryRun) {
    return given;
  }
  if (!sealKey) {
    throw TamperErrors.pruneNeedsKey(plan.sourceName);
  }
  let keyChecked = false;
  return {
    hashColumn: AUDIT_HASH,
    async record(em, transaction, rows) {
      if (!keyChecked) {
        await checkPruneKey(em, transaction, plan, sealKey);
        keyChecked = true;
      }
      await given?.record(em, transaction, rows);
      await recordPrunedRows(em, transaction, plan, rows, sealKey);
    },
  };
}
