import { AUDIT_ID } from '../define/AuditColumns.js';
import type { Dialect } from './Dialect.js';
import type { SqlExpression, SqlNames, SqlStatement } from './SqlStatement.js';

/** The seal and prune record tables as statements name them. */
export interface TamperTables extends SqlNames {
  readonly sealTable: string;
  readonly prunedTable: string;
}

/**
 * The statements that find a seal's watermark, the highest `_audit_id` below which no transaction can still
 * commit a row, in the order they run on one connection (the caller wraps them in a transaction). The ids of rows
 * pruned from the end of the table count too (their prune records hold them): every id up to the watermark was
 * taken before the seal, so a row above it was written after the seal, which key rotation relies on.
 * - PostgreSQL: `lock table … in share mode` conflicts with the ROW EXCLUSIVE lock every writer of the table
 *   holds from its INSERT until it commits, so it waits for the writers in flight and lets no new one start
 *   until the transaction ends, right after the `max`. An id is taken from the sequence inside the INSERT, after
 *   that lock, so every id a later writer takes is above the max.
 * - MySQL/MariaDB: `lock tables … read` waits for the metadata locks writers hold until they commit, the same
 *   way; `unlock tables` releases it at once.
 * - SQLite: one writer at a time, and the seal is written in a write transaction: a plain read.
 */
export function buildWatermark(tables: TamperTables, auditTable: string): SqlStatement[] {
  const q = tables.quote;
  const max: SqlStatement = {
    sql:
      `select max(${q('m')}) as ${q('m')} from (select max(${q(AUDIT_ID)}) as ${q('m')} from ${q(auditTable)} ` +
      `union all select max(${q('audit_id')}) from ${q(tables.prunedTable)} where ${q('audit_table')} = ?) ${q('w')}`,
    params: [auditTable],
  };
  switch (tables.dialect) {
    case 'postgresql':
      // A prune deletes (holding ROW EXCLUSIVE until it commits) in the transaction that writes its records.
      return [{ sql: `lock table ${q(auditTable)} in share mode`, params: [] }, max];
    case 'mysql':
      // Under LOCK TABLES a session reads only the tables it locked.
      return [{ sql: `lock tables ${q(auditTable)} read, ${q(tables.prunedTable)} read`, params: [] }, max, { sql: 'unlock tables', params: [] }];
    default:
      return [max];
  }
}

/**
 * How long the watermark waits for writers before giving up (so that a forgotten open transaction makes the
 * seal fail instead of holding every new writer back behind its lock), in whole seconds.
 */
export function buildLockTimeout(dialect: Dialect, seconds: number): SqlStatement | undefined {
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new TypeError(`a lock timeout is a whole number of seconds, got ${seconds}`);
  }
  // Values cannot be bound in SET: the number is checked above and written as digits.
  if (dialect === 'postgresql') {
    return { sql: `set local lock_timeout = '${seconds}s'`, params: [] };
  }
  return dialect === 'mysql' ? { sql: `set session lock_wait_timeout = ${seconds}`, params: [] } : undefined;
}

/** The database clock as UTC ISO 8601 text (`2026-01-02T03:04:05.678901Z`), as `t`. */
export function buildClockText(names: SqlNames): SqlStatement {
  const q = names.quote;
  const clock: Record<Dialect, string> = {
    postgresql: `to_char(statement_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    mysql: `date_format(utc_timestamp(6), '%Y-%m-%dT%H:%i:%s.%fZ')`,
    sqlite: `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  };
  return { sql: `select ${clock[names.dialect]} as ${q('t')}`, params: [] };
}

const SEAL_HEADER = ['id', 'sealed_at', 'audit_table', 'from_id', 'to_id', 'watermark', 'row_count', 'digest', 'previous_mac', 'key_id', 'mac'];
const SEAL_BODY = ['id_ranges', 'fingerprints'];

/** The newest seal of `auditTable`, every column, or no row. */
export function buildLastSeal(tables: TamperTables, auditTable: string): SqlStatement {
  const q = tables.quote;
  const columns = [...SEAL_HEADER, ...SEAL_BODY].map(q).join(', ');
  return {
    sql: `select ${columns} from ${q(tables.sealTable)} where ${q('audit_table')} = ? order by ${q('to_id')} desc, ${q('id')} desc limit 1`,
    params: [auditTable],
  };
}

/**
 * A batch of `auditTable`'s seals in `to_id` order after the seal `(afterTo, afterId)` (none: from the first),
 * with `body` every column, else the short ones only (a segment's ids and fingerprints are read when needed).
 */
export function buildSeals(tables: TamperTables, auditTable: string, after: { toId: string; id: string } | undefined, limit: number, body: boolean): SqlStatement {
  const q = tables.quote;
  const columns = [...SEAL_HEADER, ...(body ? SEAL_BODY : [])].map(q).join(', ');
  const params: unknown[] = [auditTable];
  let where = `${q('audit_table')} = ?`;
  if (after) {
    where += ` and (${q('to_id')} > ? or (${q('to_id')} = ? and ${q('id')} > ?))`;
    params.push(after.toId, after.toId, after.id);
  }
  params.push(limit);
  return { sql: `select ${columns} from ${q(tables.sealTable)} where ${where} order by ${q('to_id')}, ${q('id')} limit ?`, params };
}

/** Per key that sealed `auditTable`: its id `k` and the highest `to_id` `t` of its seals. */
export function buildSealKeys(tables: TamperTables, auditTable: string): SqlStatement {
  const q = tables.quote;
  return {
    sql: `select ${q('key_id')} as ${q('k')}, max(${q('to_id')}) as ${q('t')} from ${q(tables.sealTable)} where ${q('audit_table')} = ? group by ${q('key_id')}`,
    params: [auditTable],
  };
}

/** One seal, every column, by id. */
export function buildSealById(tables: TamperTables, id: string): SqlStatement {
  const q = tables.quote;
  return { sql: `select ${[...SEAL_HEADER, ...SEAL_BODY].map(q).join(', ')} from ${q(tables.sealTable)} where ${q('id')} = ?`, params: [id] };
}

/** Whether any seal exists, as `n` (0 or 1). */
export function buildAnySeal(tables: TamperTables): SqlStatement {
  const q = tables.quote;
  return { sql: `select count(*) as ${q('n')} from (select ${q('id')} from ${q(tables.sealTable)} limit 1) ${q('s')}`, params: [] };
}

/** Inserts one seal row: `values` maps every seal column but `id` to its text. */
export function buildSealInsert(tables: TamperTables, values: Readonly<Record<string, string>>): SqlStatement {
  const q = tables.quote;
  const columns = Object.keys(values);
  return {
    sql: `insert into ${q(tables.sealTable)} (${columns.map(q).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    params: columns.map(column => values[column]),
  };
}

/** Inserts prune records: each row's values in `PRUNED_COLUMNS` order; `pruned_at` is the database clock. */
export function buildPrunedInsert(tables: TamperTables, clock: SqlExpression, rows: readonly (readonly unknown[])[]): SqlStatement {
  const q = tables.quote;
  const tuple = `(${clock.sql}, ${PRUNED_COLUMNS.map(() => '?').join(', ')})`;
  return {
    sql: `insert into ${q(tables.prunedTable)} (${q('pruned_at')}, ${PRUNED_COLUMNS.map(q).join(', ')}) values ${rows.map(() => tuple).join(', ')}`,
    params: rows.flat(),
  };
}

/** The columns of a prune record the library writes, besides `pruned_at`. */
export const PRUNED_COLUMNS = ['audit_table', 'audit_id', 'audit_transaction', 'audit_hash', 'backstop_hash', 'key_id', 'mac'] as const;
