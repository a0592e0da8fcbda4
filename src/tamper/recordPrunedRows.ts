import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { auditPlansOf } from '../read/auditPlanOf.js';
import { databaseClock } from '../sql/databaseClock.js';
import { buildPrunedInsert } from '../sql/sealQueries.js';
import { storedTimeZoneOffset } from '../write/storedTimeZone.js';
import { auditTableSource, rowsByIds, type AuditTableSource } from './auditRows.js';
import type { SealKey } from './SealKey.js';
import { prunedMac, type PrunedFields } from './sealRecord.js';
import { backstopHash } from './segmentDigest.js';

// Ids read per statement, and records written per statement (7 values each).
const CHUNK = 1000;

// The columns of an audit table do not change while an ORM runs its prunes: read them once per plan.
const sources = new WeakMap<AuditPlan, Promise<AuditTableSource>>();

/**
 * Records, in `audit_trail_pruned`, the audit rows a prune of a tamper-evident table is about to delete, each with
 * a MAC under `key`, so that verify bridges their chains and seal digests instead of reporting them as removed.
 * Call it on the prune's transaction right BEFORE the DELETE of those ids: it reads the rows (their transaction,
 * and the content of trigger-backstop rows, whose hash stands for them in digests) and writes the records in the
 * same transaction, so a prune that rolls back leaves no record. `rows[].hash` is not trusted: the rows are read
 * again. Ids no longer present are skipped.
 */
export async function recordPrunedRows(
  em: EntityManager,
  transaction: object | undefined,
  plan: AuditPlan,
  rows: readonly { id: unknown; hash: string | null }[],
  key: SealKey,
): Promise<void> {
  if (!transaction) {
    throw TamperErrors.pruneOutsideTransaction(plan.sourceName);
  }
  if (rows.length === 0) {
    return;
  }
  let source = sources.get(plan);
  if (!source) {
    source = auditTableSource(em, auditPlansOf(em)!, plan, transaction).catch((error: unknown) => {
      sources.delete(plan);
      throw error;
    });
    sources.set(plan, source);
  }
  const table = await source;
  const clock = databaseClock(plan.shape.dialect, storedTimeZoneOffset(plan));
  for (let start = 0; start < rows.length; start += CHUNK) {
    const found = await rowsByIds(em, transaction, table, rows.slice(start, start + CHUNK).map(row => row.id));
    const records = found.map(row => {
      const fields: PrunedFields = {
        audit_table: table.auditTable,
        audit_id: row.id.toString(),
        audit_transaction: row.tx,
        audit_hash: row.hash,
        backstop_hash: row.hash === null ? backstopHash(row.canonical ?? '') : null,
        key_id: key.id,
      };
      return [fields.audit_table, fields.audit_id, fields.audit_transaction, fields.audit_hash, fields.backstop_hash, fields.key_id, prunedMac(key, fields)];
    });
    if (records.length > 0) {
      await executeStatement(em, transaction, buildPrunedInsert(table, clock, records), 'run');
    }
  }
}
