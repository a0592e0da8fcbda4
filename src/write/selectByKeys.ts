import type { EntityManager, Transaction } from '@mikro-orm/core';
import { AUDIT_SQL_MARKER } from './AuditWriteGuard.js';

const KEYS_PER_QUERY = 1000;

/**
 * Reads `columns` of the rows of `table` (unquoted, possibly `schema.table`) whose `keyColumns` hold one of
 * `keys`, inside `transaction`, in queries of 1,000 keys; each row comes back as its values in `columns` order.
 */
export async function selectByKeys(
  em: EntityManager,
  transaction: unknown,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  columns: readonly string[],
): Promise<unknown[][]> {
  const q = (name: string) => em.getPlatform().quoteIdentifier(name);
  const single = keyColumns.length === 1;
  const target = single ? q(keyColumns[0]!) : `(${keyColumns.map(q).join(', ')})`;
  const select = columns.map((column, i) => `${q(column)} as ${q(`c${i}`)}`).join(', ');
  const found: unknown[][] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const chunk = keys.slice(start, start + KEYS_PER_QUERY);
    const list = chunk.map(key => (single ? '?' : `(${key.map(() => '?').join(', ')})`)).join(', ');
    const sql = `select ${select} from ${q(table)} where ${target} in (${list}) ${AUDIT_SQL_MARKER}`;
    const rows = (await em.getConnection('write').execute(sql, chunk.flat(), 'all', transaction as Transaction)) as Record<string, unknown>[];
    found.push(...rows.map(row => columns.map((_, i) => row[`c${i}`])));
  }
  return found;
}
