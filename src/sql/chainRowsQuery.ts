import { AUDIT_HASH, AUDIT_ID, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { canonicalExpression } from './canonicalValues.js';
import type { SqlNames, SqlStatement } from './SqlStatement.js';

/** An audit table's column as the catalog declares it. */
export interface ChainColumn {
  readonly name: string;
  readonly type: string;
}

/** Where a keyset batch of chain rows starts: after this row in (`_audit_transaction`, `_audit_id`) order. */
export interface ChainPosition {
  readonly transaction: string;
  readonly id: number | string;
}

/**
 * The columns of an audit table with their declared types, in table order, read from the catalog (rows `name`,
 * `type`): a chain covers every column the table has, also those its entity no longer declares (retained history
 * columns), so they come from the database, not from the metadata. `table` is unquoted, possibly `schema.table`.
 */
export function buildChainColumnsQuery(names: SqlNames, table: string): SqlStatement {
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  if (names.dialect === 'postgresql') {
    return {
      sql: 'select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_catalog.pg_attribute a where a.attrelid = cast(? as regclass) and a.attnum > 0 and not a.attisdropped order by a.attnum',
      params: [names.quote(table)],
    };
  }
  if (names.dialect === 'mysql') {
    return {
      sql: 'select column_name as name, column_type as type from information_schema.columns where table_schema = coalesce(?, database()) and table_name = ? order by ordinal_position',
      params: [schema ?? null, name],
    };
  }
  return { sql: 'select name, type from pragma_table_info(?) order by cid', params: [name] };
}

/**
 * One keyset batch of an audit table's rows in chain order (`_audit_transaction`, then `_audit_id`), each with `i`
 * (`_audit_id`), `t` (`_audit_transaction`), `h` (`_audit_hash`) and `c0`, `c1`, … the canonical text of each of
 * `columns` (as the writer's pre-read computes it, `canonicalExpression`). Rows without a transaction id are in no
 * chain and not read; with `chainedOnly`, neither are rows without a hash (trigger backstop rows).
 */
export function buildChainRowsQuery(
  names: SqlNames,
  table: string,
  columns: readonly ChainColumn[],
  options: { after?: ChainPosition; limit: number; chainedOnly?: boolean },
): SqlStatement {
  const q = names.quote;
  const [id, transaction, hash] = [q(AUDIT_ID), q(AUDIT_TRANSACTION), q(AUDIT_HASH)];
  const list = [`${id} as ${q('i')}`, `${transaction} as ${q('t')}`, `${hash} as ${q('h')}`];
  columns.forEach((column, i) => list.push(`${canonicalExpression(names.dialect, q(column.name), column.type)} as ${q(`c${i}`)}`));
  const where = [`${transaction} is not null`];
  const params: unknown[] = [];
  if (options.chainedOnly) {
    where.push(`${hash} is not null`);
  }
  if (options.after) {
    where.push(`(${transaction} > ? or (${transaction} = ? and ${id} > ?))`);
    params.push(options.after.transaction, options.after.transaction, options.after.id);
  }
  const limit = Math.max(1, Math.floor(options.limit));
  return { sql: `select ${list.join(', ')} from ${q(table)} where ${where.join(' and ')} order by ${transaction}, ${id} limit ${limit}`, params };
}
