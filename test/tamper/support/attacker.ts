// What an attacker with full write access to the database can compute: the chain algorithm is public
// (src/tamper/chain.ts, src/sql/canonicalValues.ts), only the seal key is not.
import { canonicalExpression } from '../../../src/sql/canonicalValues.js';
import { canonicalEncoding, genesis, rowHash } from '../../../src/tamper/chain.js';
import type { Dialect } from '../../../src/sql/Dialect.js';
import type { DriverName } from '../../support/databases.js';
import { AUDIT_TABLE, type StoredRow } from './ledger.js';
import type { Dba } from './dba.js';

const dialects: Record<DriverName, Dialect> = { sqlite: 'sqlite', postgresql: 'postgresql', mariadb: 'mysql' };

async function columnsOf(dba: Dba, db: DriverName): Promise<{ name: string; type: string }[]> {
  const rows =
    db === 'postgresql'
      ? await dba.query(`select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = cast(? as regclass) and attnum > 0 and not attisdropped`, [AUDIT_TABLE])
      : db === 'mariadb'
        ? await dba.query(`select column_name as name, column_type as type from information_schema.columns where table_schema = database() and table_name = ?`, [AUDIT_TABLE])
        : await dba.query(`select name, type from pragma_table_info('${AUDIT_TABLE}')`);
  return rows.map(row => ({ name: String(row.name), type: String(row.type) })).filter(column => !['_audit_id', '_audit_hash'].includes(column.name));
}

/** The chain hash row `id` should have after `previous`, from its content as stored now. */
async function hashOf(dba: Dba, db: DriverName, id: number, previous: string): Promise<string> {
  const columns = await columnsOf(dba, db);
  const list = columns.map((column, i) => `${canonicalExpression(dialects[db], dba.quote(column.name), column.type)} as c${i}`).join(', ');
  const [row] = await dba.query(`select ${list} from ${AUDIT_TABLE} where _audit_id = ?`, [id]);
  const text = (value: unknown) => (value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value as string | number));
  return rowHash(previous, canonicalEncoding(columns.map((column, i) => [column.name, text(row![`c${i}`])])));
}

/**
 * Recomputes the hash of row `id` and, with `rest`, of every later row of its transaction, as the library would
 * have written them for the content stored now.
 */
export async function recomputeChain(dba: Dba, db: DriverName, id: number, { rest }: { rest: boolean }): Promise<void> {
  const [target] = await dba.query(`select _audit_transaction as tx from ${AUDIT_TABLE} where _audit_id = ?`, [id]);
  const tx = String(target!.tx);
  const chain = (await dba.query(`select _audit_id as id, _audit_hash as hash from ${AUDIT_TABLE} where _audit_transaction = ? order by _audit_id`, [tx])).map(row => ({
    id: Number(row.id),
    hash: row.hash as string,
  }));
  let previous = genesis(AUDIT_TABLE, tx);
  for (const row of chain) {
    if (row.id === id || (rest && row.id > id)) {
      const hash = await hashOf(dba, db, row.id, previous);
      await dba.query(`update ${AUDIT_TABLE} set _audit_hash = ? where _audit_id = ?`, [hash, row.id]);
      previous = hash;
    } else {
      previous = row.hash;
    }
  }
}

/**
 * Inserts a copy of `model` (another row of transaction `tx`) with `changes`, as the row with `id` (or the next
 * auto-increment id), and gives it the hash that continues its transaction's chain at its place.
 */
export async function forgeRow(dba: Dba, db: DriverName, model: StoredRow, changes: Record<string, unknown>, id?: number): Promise<number> {
  const columns = (await columnsOf(dba, db)).map(column => column.name);
  const values = columns.map(column => (column in changes ? '?' : dba.quote(column)));
  const params = columns.filter(column => column in changes).map(column => changes[column]);
  const idColumn = id === undefined ? '' : '_audit_id, ';
  await dba.query(
    `insert into ${AUDIT_TABLE} (${idColumn}${columns.map(column => dba.quote(column)).join(', ')}) select ${id === undefined ? '' : `${id}, `}${values.join(', ')} from ${AUDIT_TABLE} where _audit_id = ?`,
    [...params, model.id],
  );
  const [row] = await dba.query(`select max(_audit_id) as id from ${AUDIT_TABLE} where _audit_hash is null`);
  const forged = id ?? Number(row!.id);
  await recomputeChain(dba, db, forged, { rest: false });
  return forged;
}

