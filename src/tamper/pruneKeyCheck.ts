import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { auditPlansOf } from '../read/auditPlanOf.js';
import { buildSealKeys } from '../sql/sealQueries.js';
import { tamperTables } from './auditRows.js';
import type { SealKey } from './SealKey.js';

/**
 * Refuses to prune `plan`'s history with a key a rotation retired: one that made seals of the table, when a later
 * seal was made with another key. Its records for history written after the rotation would be findings in every
 * verify from then on, and prune records cannot be taken back. A key that made no seal yet (a new key before its
 * first seal) passes: nothing tells it apart from a retired one.
 */
export async function checkPruneKey(em: EntityManager, transaction: object, plan: AuditPlan, key: SealKey): Promise<void> {
  const tables = tamperTables(auditPlansOf(em)!);
  const rows = await executeStatement(em, transaction, buildSealKeys(tables, plan.shape.auditTable), 'all');
  const reach = rows.map(row => ({ keyId: String(row.k as string), to: BigInt(row.t as string | number | bigint) }));
  const own = reach.find(entry => entry.keyId === key.id);
  const newer = own && reach.find(entry => entry.to > own.to);
  if (newer) {
    throw TamperErrors.pruneWithRetiredKey(plan.sourceName, plan.shape.auditTable, key.id, newer.keyId);
  }
}
