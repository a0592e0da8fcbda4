// The history the browser benchmark reads: an entity shown in the browser whose audit table holds `rows` versions
// (100 per key, 50 actors, 10 versions per transaction), written by one set-based INSERT … SELECT generate_series
// on PostgreSQL. Built once in its own database and reused while it holds the right number of rows.
import { Entity, MikroORM, PrimaryKey, Property, type Options } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, withAuditTrail } from '../src/index.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';

@Entity({ tableName: 'bench_browsed' })
@AuditTrail({ showInAdmin: true })
export class BenchBrowsed {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 100 }) name!: string;
  @Property({ type: 'string', length: 100 }) email!: string;
  @Property({ type: 'number' }) age!: number;
}

export const VERSIONS_PER_KEY = 100;
export const ACTORS = 50;

export interface BrowserBenchData {
  readonly orm: MikroORM;
  readonly rows: number;
  readonly keys: number;
  /** Whether the table was filled by this run (false: an earlier run's table was reused). */
  readonly built: boolean;
  readonly buildMs: number;
}

/** Opens the benchmark's PostgreSQL database, (re)building its history unless it already holds `rows` versions. */
export async function browserBenchData(rows: number): Promise<BrowserBenchData> {
  const db = DATABASES.find(d => d.name === 'postgresql')!;
  if (!db.available) {
    throw new Error(`the browser benchmark needs PostgreSQL at ${db.address}`);
  }
  const orm = await MikroORM.init(
    withAuditTrail({ ...db.config('audit_bench_browser'), entities: [BenchBrowsed], debug: false } as Options, { schemaCheck: 'off' }),
  );
  const keys = rows / VERSIONS_PER_KEY;
  const start = performance.now();
  if ((await auditRowCount(orm)) === rows) {
    return { orm, rows, keys, built: false, buildMs: 0 };
  }
  await refreshSchema(orm);
  // n = 1..rows: key (n-1) % keys + 1, version (n-1) / keys (one minute apart), an insert first, then updates.
  const key = `((n - 1) % ${keys} + 1)`;
  await allowAuditTableWrites(() =>
    orm.em.getConnection().execute(
      `insert into bench_browsed_audit (id, name, email, age, _audit_timestamp, _audit_change_type, _audit_transaction, _audit_actor) ` +
        `select ${key}, 'Person ' || ${key} || ' v' || ((n - 1) / ${keys}), 'person' || ${key} || '@example.com', 20 + n % 50, ` +
        `timestamptz '2024-01-01 00:00:00+00' + ((n - 1) / ${keys}) * interval '1 minute' + ${key} * interval '1 millisecond', ` +
        `case when n <= ${keys} then 'I' else 'U' end, 'tx-' || ((n - 1) / 10), 'user' || (n % ${ACTORS}) ` +
        `from generate_series(1, ${rows}) as n`,
    ),
  );
  await orm.em.getConnection().execute('analyze bench_browsed_audit');
  return { orm, rows, keys, built: true, buildMs: performance.now() - start };
}

async function auditRowCount(orm: MikroORM): Promise<number> {
  try {
    const rows = (await orm.em.getConnection().execute('select count(*) as count from bench_browsed_audit')) as { count: string }[];
    const [row] = rows;
    return Number(row?.count);
  } catch {
    return -1; // no table yet
  }
}
