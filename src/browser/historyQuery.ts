import type { EntityManager } from '@mikro-orm/core';
import { AUDIT_CHANGE_TYPE, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { findBatch, type HistoryRow } from '../read/historyBatches.js';
import { BrowserRequestError } from './BrowserRequestError.js';
import { coerceParameter, keyWhere, parseKey } from './coerceParameter.js';
import type { HistoryFilters, HistoryPosition } from './parseQuery.js';
import type { ShownEntity } from './shownEntities.js';

/** One page of history, newest first, and whether there are newer and older rows beyond it. */
export interface HistoryPage {
  readonly rows: readonly HistoryRow[];
  readonly hasNewer: boolean;
  readonly hasOlder: boolean;
}

/** The filters as an `em.find` condition on the audit entity: every value a bound parameter. */
export function historyWhere(entity: ShownEntity, filters: HistoryFilters): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filters.types.length > 0) {
    if (!entity.hasChangeType) {
      throw BrowserRequestError.badParameter('type', `absent: ${entity.name} has saveChangeType: false`);
    }
    where[AUDIT_CHANGE_TYPE] = { $in: filters.types };
  }
  if (filters.field !== undefined) {
    const prop = entity.filterFields.get(filters.field);
    if (!prop) {
      throw BrowserRequestError.badParameter('field', `one of ${[...entity.filterFields.keys()].join(', ')}`);
    }
    where[filters.field] = coerceParameter(prop, filters.value, 'value');
  }
  if (filters.from !== undefined || filters.to !== undefined) {
    where[AUDIT_TIMESTAMP] = { ...(filters.from && { $gte: filters.from }), ...(filters.to && { $lte: filters.to }) };
  }
  if (filters.key !== undefined) {
    Object.assign(where, keyWhere(entity, parseKey(entity, filters.key, 'key')));
  }
  if (filters.tx !== undefined) {
    where[AUDIT_TRANSACTION] = filters.tx;
  }
  return where;
}

/**
 * A page of history by keyset on `_audit_id` (no OFFSET, so a page deep in a large table costs what the first
 * does): `before` reads older rows newest first; `after` reads newer rows oldest first and reverses them.
 */
export async function findHistoryPage(em: EntityManager, entity: ShownEntity, where: object, position: HistoryPosition, size: number): Promise<HistoryPage> {
  const newer = position.after !== undefined;
  const bound = newer ? { $gt: position.after } : position.before !== undefined ? { $lt: position.before } : undefined;
  const found = await findBatch(em, entity, where, bound, newer ? 'asc' : 'desc', size + 1);
  const more = found.length > size;
  const rows = found.slice(0, size);
  if (newer) {
    rows.reverse();
  }
  // The other direction: one indexed probe past the page's edge (there is nothing before the first page).
  const edge = newer ? rows.at(-1)?._audit_id ?? position.after : rows[0]?._audit_id ?? position.before;
  const beyond = edge === undefined ? false : (await findBatch(em, entity, where, newer ? { $lt: edge } : { $gt: edge }, newer ? 'desc' : 'asc', 1)).length > 0;
  return { rows, hasNewer: newer ? more : beyond, hasOlder: newer ? beyond : more };
}
