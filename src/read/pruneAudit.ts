import type { EntityManager } from '@mikro-orm/core';
import { AUDIT_ID, AUDIT_TIMESTAMP } from '../define/AuditColumns.js';
import { auditPlanOf } from './auditPlanOf.js';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { AUDIT_SQL_MARKER } from '../write/AuditWriteGuard.js';
import { toDatabaseValue } from '../write/databaseValues.js';
import { AuditTrailError } from '../errors/index.js';

/** Which versions `pruneAudit()` removes: those matching every given criterion. */
export interface PruneOptions {
  /** Versions written before this instant. */
  olderThan?: Date;
  /** Keep the newest `keepLast` versions of each row (0 or more). */
  keepLast?: number;
  /**
   * Also remove the newest version of a row that still exists (its current state). Defaults to `false`: a live
   * row always keeps at least its newest version, so its history never becomes empty while it exists.
   */
  pruneNewest?: boolean;
  /** Rows removed per statement. Defaults to 5,000. */
  batchSize?: number;
}

/** What `pruneAudit()` did. */
export interface PruneResult {
  readonly removed: number;
  readonly batches: number;
}

/**
 * Retention: deletes old versions of an entity's history in batches (one short statement each, so memory and
 * lock time stay bounded), and reports how many it removed. Versions are ranked per row, newest first, by
 * timestamp then audit id.
 *
 * @example
 * await pruneAudit(em, Person, { olderThan: new Date(Date.now() - 365 * 86_400_000), keepLast: 10 });
 */
export async function pruneAudit(em: EntityManager, entityType: AuditableEntity, options: PruneOptions): Promise<PruneResult> {
  const plan = auditPlanOf(em, entityType);
  const { olderThan, keepLast, pruneNewest = false, batchSize = 5000 } = options;
  if (olderThan === undefined && keepLast === undefined) {
    throw AuditTrailError.pruneCriteriaMissing(plan.sourceName);
  }
  if (olderThan !== undefined && (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))) {
    throw AuditTrailError.invalidDate(plan.sourceName, 'pruneAudit() olderThan', olderThan);
  }
  if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0)) {
    throw AuditTrailError.invalidPruneOption(plan.sourceName, 'keepLast', 'an integer of 0 or more', keepLast);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw AuditTrailError.invalidPruneOption(plan.sourceName, 'batchSize', 'a positive integer', batchSize);
  }

  const { quote: q, auditTable, sourceTable, keyColumns } = plan.shape;
  const keys = keyColumns.map(column => q(column.name));
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (olderThan) {
    conditions.push(`v.${q(AUDIT_TIMESTAMP)} < ?`);
    params.push(toDatabaseValue(plan.statementProps[0]!, olderThan, plan.platform));
  }
  if (keepLast !== undefined) {
    conditions.push(`v.${q('rn')} > ?`);
    params.push(keepLast);
  }
  if (!pruneNewest) {
    const sameKey = keys.map(key => `s.${key} = v.${key}`).join(' and ');
    conditions.push(`not (v.${q('rn')} = 1 and exists (select 1 from ${q(sourceTable)} s where ${sameKey}))`);
  }
  const ranked =
    `select ${q(AUDIT_ID)}, ${q(AUDIT_TIMESTAMP)}, ${keys.join(', ')}, row_number() over (partition by ${keys.join(', ')} ` +
    `order by ${q(AUDIT_TIMESTAMP)} desc, ${q(AUDIT_ID)} desc) as ${q('rn')} from ${q(auditTable)}`;
  const select = `select v.${q(AUDIT_ID)} as ${q('id')} from (${ranked}) v where ${conditions.join(' and ')} order by v.${q(AUDIT_ID)} limit ${batchSize}`;

  const connection = em.getConnection('write');
  let removed = 0;
  let batches = 0;
  for (;;) {
    const found = (await connection.execute(select, params, 'all')) as { id: unknown }[];
    if (found.length === 0) {
      break;
    }
    const ids = found.map(row => row.id);
    const sql = `delete from ${q(auditTable)} where ${q(AUDIT_ID)} in (${ids.map(() => '?').join(', ')}) ${AUDIT_SQL_MARKER}`;
    await connection.execute(sql, ids, 'run');
    removed += ids.length;
    batches++;
    if (found.length < batchSize) {
      break;
    }
  }
  return { removed, batches };
}
