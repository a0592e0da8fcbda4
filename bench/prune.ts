// npx tsx bench/prune.ts [--db postgresql,mariadb,sqlite] [--rows 200000] [--versions 10] [--keep 3]
//
// pruneAudit() on a large history: fills bench_library with rows / versions live rows and bench_library_audit with
// `versions` versions of each (set-based, unaudited), then times one pruneAudit(keepLast) over the whole table.
import { parseArgs } from 'node:util';
import { MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, allowUnauditedWrites, pruneAudit, withAuditTrail } from '../src/index.js';
import { dialectOf } from '../src/mikro-orm/dialectOf.js';
import type { Dialect } from '../src/sql/Dialect.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { BenchLibrary } from './entities.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgresql' },
    rows: { type: 'string', default: '200000' },
    versions: { type: 'string', default: '10' },
    keep: { type: 'string', default: '3' },
  },
});
const rows = Number(args.rows);
const versions = Number(args.versions);
const keepLast = Number(args.keep);
const keys = rows / versions;

function instant(dialect: Dialect, seconds: string): string {
  switch (dialect) {
    case 'postgresql':
      return `to_timestamp(1700000000 + ${seconds})`;
    case 'mysql':
      return `from_unixtime(1700000000 + ${seconds})`;
    case 'sqlite':
      return `(1700000000 + ${seconds}) * 1000`;
  }
}

for (const db of DATABASES.filter(d => args.db.split(',').includes(d.name))) {
  if (!db.available) {
    console.error(`${db.name}: not reachable at ${db.address}, skipped`);
    continue;
  }
  const orm = await MikroORM.init(
    withAuditTrail({ ...db.config(db.name === 'sqlite' ? ':memory:' : 'audit_bench'), entities: [BenchLibrary], debug: false } as Options),
  );
  const dialect = dialectOf(orm.em.getPlatform())!;
  await refreshSchema(orm);
  const connection = orm.em.getConnection();
  // n = a*1000 + b numbers the audit rows: key n % keys + 1, version n / keys.
  const n = 'a.n * 1000 + b.n';
  const from = `from bench_numbers a cross join bench_numbers b`;
  await connection.execute('drop table if exists bench_numbers');
  await connection.execute('create table bench_numbers (n int not null)');
  await connection.execute(`insert into bench_numbers (n) values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
  await allowUnauditedWrites(() =>
    connection.execute(
      `insert into bench_library (id, name, email, age, score, joined_at) select ${n} + 1, 'Person', 'p@example.com', 30, 0, ` +
        `${instant(dialect, '0')} ${from} where ${n} < ${keys}`,
    ),
  );
  const version = dialect === 'postgresql' ? `(${n}) / ${keys}` : `floor((${n}) / ${keys})`;
  await allowAuditTableWrites(async () => {
    for (let a = 0; a < rows / 1000; a += 100) {
      await connection.execute(
        `insert into bench_library_audit (id, name, email, age, score, joined_at, _audit_timestamp, _audit_change_type, username) ` +
          `select (${n}) % ${keys} + 1, 'Person', 'p@example.com', 30, ${n}, ${instant(dialect, '0')}, ${instant(dialect, version)}, 'U', 'bench' ` +
          `${from} where a.n >= ${a} and a.n < ${a + 100} and a.n < ${rows / 1000}`,
      );
    }
  });
  await connection.execute('drop table bench_numbers');
  if (dialect === 'postgresql') {
    await connection.execute('analyze bench_library_audit');
  }
  const start = performance.now();
  const result = await pruneAudit(orm.em.fork(), BenchLibrary, { keepLast });
  const seconds = (performance.now() - start) / 1000;
  const expected = keys * (versions - keepLast);
  if (result.removed !== expected) {
    throw new Error(`pruneAudit removed ${result.removed}, expected ${expected}`);
  }
  console.log(
    `${db.name}: pruneAudit({ keepLast: ${keepLast} }) on ${rows.toLocaleString('en')} audit rows (${keys.toLocaleString('en')} keys): ` +
      `removed ${result.removed.toLocaleString('en')} in ${result.batches} batches, ${seconds.toFixed(2)} s, ` +
      `${Math.round(result.removed / seconds).toLocaleString('en')} rows/s`,
  );
  await orm.close(true);
}
