import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildSelectByKeys } from '../sql/selectByKeys.js';
import type { SqlNames } from '../sql/SqlStatement.js';

const KEYS_PER_QUERY = 1000;

/**
 * Reads `columns` of the rows of `table` (unquoted, possibly `schema.table`) whose `keyColumns` hold one of
 * `keys`, inside `transaction`, in queries of 1,000 keys; each row comes back as its values in `columns` order.
 * With `forUpdate` the rows are locked until the transaction ends (see `buildSelectByKeys`).
 */
export async function selectByKeys(
  em: EntityManager,
  transaction: object,
  names: SqlNames,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
  columns: readonly string[],
  forUpdate = false,
): Promise<unknown[][]> {
  const found: unknown[][] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const statement = buildSelectByKeys(names, table, keyColumns, keys.slice(start, start + KEYS_PER_QUERY), columns, forUpdate);
    const rows = await executeStatement(em, transaction, statement, 'all');
    found.push(...rows.map(row => columns.map((_, i) => row[`c${i}`])));
  }
  return found;
}
