// The history the verify benchmark reads (PostgreSQL): `rows` audit rows of a tamper-evident entity, 10 rows per
// transaction (100 versions per key), inserted set-based with generate_series, then given their chain hashes: the
// rows are read in chain order with the canonical texts the database computes (as the writer's pre-read does),
// hashed in JS, and the hashes written back in batches; then VACUUM FULL, so that the table is as compact as one
// written by the application. Built once per size in its own database and reused while it is complete.
import { Entity, MikroORM, PrimaryKey, Property, type Options } from '@mikro-orm/core';
import { AuditTrail, SealKey, allowAuditTableWrites, sealAuditTrail, withAuditTrail } from '../src/index.js';
import { auditPlansOf } from '../src/read/auditPlanOf.js';
import { readChainColumns, readChainRows } from '../src/tamper/chainRows.js';
import { genesis, rowHash } from '../src/tamper/chain.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';

@Entity({ tableName: 'bench_verified' })
@AuditTrail({ tamperEvidence: true })
export class BenchVerified {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 100 }) name!: string;
  @Property({ type: 'string', length: 100 }) email!: string;
  @Property({ type: 'number' }) age!: number;
  @Property({ type: 'Date' }) joinedAt!: Date;
}

export const TABLE = 'bench_verified_audit';
export const BENCH_KEY = SealKey.parse('b3'.repeat(32));
const ROWS_PER_TRANSACTION = 10;
const VERSIONS_PER_KEY = 100;

/** The ORM config of the benchmark database for `rows` audit rows. */
export function verifyBenchConfig(rows: number): Options {
  const db = DATABASES.find(d => d.name === 'postgresql')!;
  if (!db.available) {
    throw new Error(`the verify benchmark needs PostgreSQL at ${db.address}`);
  }
  return withAuditTrail({ ...db.config(`audit_bench_verify_${rows}`), entities: [BenchVerified], debug: false } as Options, { schemaCheck: 'off' });
}

/** Makes sure the database for `rows` holds them, hashed and sealed; returns how long building took (0: reused). */
export async function verifyBenchData(rows: number): Promise<{ built: boolean; buildMs: number }> {
  const orm = await MikroORM.init(verifyBenchConfig(rows));
  try {
    if ((await count(orm, 'where _audit_hash is not null')) === rows && (await count(orm, '', 'audit_trail_seal')) > 0) {
      return { built: false, buildMs: 0 };
    }
    const start = performance.now();
    await refreshSchema(orm);
    await generate(orm, rows);
    await hash(orm);
    await orm.em.getConnection().execute(`vacuum full analyze ${TABLE}`);
    await sealAuditTrail(orm, { key: BENCH_KEY });
    return { built: true, buildMs: performance.now() - start };
  } finally {
    await orm.close();
  }
}

async function generate(orm: MikroORM, rows: number): Promise<void> {
  const keys = rows / VERSIONS_PER_KEY;
  const key = `((n - 1) % ${keys} + 1)`;
  await allowAuditTableWrites(() =>
    orm.em.getConnection().execute(
      `insert into ${TABLE} (id, name, email, age, joined_at, _audit_timestamp, _audit_change_type, _audit_transaction, _audit_actor) ` +
        `select ${key}, 'Person ' || ${key} || ' v' || ((n - 1) / ${keys}), 'person' || ${key} || '@example.com', 20 + n % 50, ` +
        `timestamptz '2020-01-01 00:00:00+00' + ${key} * interval '1 second', ` +
        `timestamptz '2024-01-01 00:00:00+00' + n * interval '10 millisecond', case when n <= ${keys} then 'I' else 'U' end, ` +
        `cast(cast(md5(cast((n - 1) / ${ROWS_PER_TRANSACTION} as text)) as uuid) as text), 'user' || (n % 50) ` +
        `from generate_series(1, ${rows}) as n`,
    ),
  );
}

// Chains in (transaction, id) order, hashes written back 10,000 at a time.
async function hash(orm: MikroORM): Promise<void> {
  const em = orm.em.fork();
  const names = auditPlansOf(em)!.names;
  const columns = await readChainColumns(em, names, TABLE);
  let after: { transaction: string; id: number } | undefined;
  let chain: { transaction: string; previous: string } | undefined;
  for (;;) {
    const batch = await readChainRows(em, names, TABLE, columns, { after, limit: 10_000 });
    if (batch.length === 0) {
      return;
    }
    const hashes: [number, string][] = [];
    for (const row of batch) {
      if (chain?.transaction !== row.transaction) {
        chain = { transaction: row.transaction, previous: genesis(TABLE, row.transaction) };
      }
      chain.previous = rowHash(chain.previous, row.canonical);
      hashes.push([row.id, chain.previous]);
    }
    const values = hashes.map(([id, h]) => `(${id}, '${h}')`).join(', ');
    await allowAuditTableWrites(() =>
      em.getConnection().execute(`update ${TABLE} set _audit_hash = v.h from (values ${values}) as v(id, h) where ${TABLE}._audit_id = v.id`),
    );
    const last = batch.at(-1)!;
    after = { transaction: last.transaction, id: last.id };
  }
}

async function count(orm: MikroORM, where: string, table = TABLE): Promise<number> {
  try {
    const [row] = (await orm.em.getConnection().execute(`select count(*) as n from ${table} ${where}`)) as { n: string }[];
    return Number(row?.n);
  } catch {
    return -1;
  }
}
