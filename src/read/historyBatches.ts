import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { AUDIT_ID } from '../define/AuditColumns.js';
import type { AuditRow } from '../define/AuditRow.js';
import type { HistoryEntity } from './historyEntity.js';
import { withReadSession } from './readSession.js';

/** An audit row as history readers read it. */
export type HistoryRow = AuditRow<Record<string, unknown>> & Record<string, unknown>;

/** Rows read per query by `historyBatches`: the most an export holds in memory at a time. */
export const EXPORT_BATCH_SIZE = 500;

/** Up to `limit` audit rows matching `where` and the bound on `_audit_id`, in `_audit_id` order. */
export function findBatch(em: EntityManager, entity: HistoryEntity, where: object, bound: object | undefined, order: 'asc' | 'desc', limit: number): Promise<HistoryRow[]> {
  const condition = bound === undefined ? where : { ...where, [AUDIT_ID]: bound };
  return em.find(entity.audit, condition as FilterQuery<object>, { orderBy: { [AUDIT_ID]: order } as never, limit }) as Promise<HistoryRow[]>;
}

/**
 * The audit rows of `entity` matching `where`, in `_audit_id` order, batch by batch: keyset pages (no OFFSET, so
 * the last batch costs what the first does), each read in a session of its own (`withReadSession`) so that a
 * consumer that waits on a slow reader between batches holds no connection or transaction meanwhile, and
 * nothing is kept in the identity map. Memory stays that of one batch, whatever the size of the history.
 */
export async function* historyBatches(em: EntityManager, entity: HistoryEntity, where: object, order: 'asc' | 'desc', size = EXPORT_BATCH_SIZE): AsyncGenerator<HistoryRow[]> {
  let bound: object | undefined;
  for (;;) {
    const rows = await withReadSession(em, session => findBatch(session, entity, where, bound, order, size));
    em.clear();
    if (rows.length > 0) {
      yield rows;
    }
    if (rows.length < size) {
      return;
    }
    const last = rows.at(-1)!._audit_id;
    bound = order === 'desc' ? { $lt: last } : { $gt: last };
  }
}
