// asOf() on a large history: fills bench_library_audit with `rows` versions (100 per key) set-based, then times
// single-row asOf() calls at random keys and instants, and one all-rows asOf().
import type { EntityManager } from '@mikro-orm/core';
import { allowAuditTableWrites, asOf } from '../src/index.js';
import type { Dialect } from '../src/sql/Dialect.js';
import { BenchLibrary } from './entities.js';

export interface AsOfResult {
  readonly database: string;
  readonly auditRows: number;
  readonly keys: number;
  readonly singleRowMedianMs: number;
  readonly singleRowP95Ms: number;
  readonly calls: number;
  readonly allRowsMs: number;
}

const VERSIONS_PER_KEY = 100;
const BASE_SECONDS = 1_700_000_000;

function instant(dialect: Dialect, seconds: string): string {
  switch (dialect) {
    case 'postgresql':
      return `to_timestamp(${BASE_SECONDS} + ${seconds})`;
    case 'mysql':
      return `from_unixtime(${BASE_SECONDS} + ${seconds})`;
    case 'sqlite':
      return `(${BASE_SECONDS} + ${seconds}) * 1000`;
  }
}

export async function benchAsOf(em: EntityManager, database: string, dialect: Dialect, rows: number, calls: number): Promise<AsOfResult> {
  const connection = em.getConnection();
  const keys = rows / VERSIONS_PER_KEY;
  await allowAuditTableWrites(async () => {
    await connection.execute(dialect === 'sqlite' ? 'delete from bench_library_audit' : 'truncate table bench_library_audit');
    await connection.execute('drop table if exists bench_numbers');
    await connection.execute('create table bench_numbers (n int not null)');
    await connection.execute(`insert into bench_numbers (n) values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
    // n = a*1000 + b: key n % keys + 1, version n / keys (one second apart per version of a key).
    const n = 'a.n * 1000 + b.n';
    const version = dialect === 'postgresql' ? `(${n}) / ${keys}` : `floor((${n}) / ${keys})`;
    for (let a = 0; a < rows / 1000; a += 100) {
      await connection.execute(
        `insert into bench_library_audit (id, name, email, age, score, joined_at, _audit_timestamp, _audit_change_type, username) ` +
          `select (${n}) % ${keys} + 1, 'Person', 'person@example.com', 30, ${n}, ${instant(dialect, '0')}, ` +
          `${instant(dialect, `${version}`)}, 'U', 'bench' from bench_numbers a cross join bench_numbers b where a.n >= ${a} and a.n < ${a + 100} and a.n < ${rows / 1000}`,
      );
    }
    await connection.execute('drop table bench_numbers');
  });
  if (dialect === 'postgresql') {
    await connection.execute('analyze bench_library_audit');
  }

  const samples: number[] = [];
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let call = 0; call < calls; call++) {
    const id = Math.floor(random() * keys) + 1;
    const at = new Date((BASE_SECONDS + Math.floor(random() * VERSIONS_PER_KEY)) * 1000);
    const start = performance.now();
    const row = await asOf(em.fork(), BenchLibrary, id, at);
    samples.push(performance.now() - start);
    if (!row) {
      throw new Error(`asOf found no version of ${id} at ${at.toISOString()}`);
    }
  }
  const start = performance.now();
  const all = await asOf(em.fork(), BenchLibrary, new Date((BASE_SECONDS + VERSIONS_PER_KEY / 2) * 1000));
  const allRowsMs = performance.now() - start;
  if (all.length !== keys) {
    throw new Error(`all-rows asOf returned ${all.length} rows, expected ${keys}`);
  }
  samples.sort((x, y) => x - y);
  return {
    database,
    auditRows: rows,
    keys,
    singleRowMedianMs: Number(samples[Math.floor(samples.length / 2)]!.toFixed(2)),
    singleRowP95Ms: Number(samples[Math.floor(samples.length * 0.95)]!.toFixed(2)),
    calls,
    allRowsMs: Number(allRowsMs.toFixed(0)),
  };
}
