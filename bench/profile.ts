// Profiles the library's flush: `node --cpu-prof --cpu-prof-dir=prof --import tsx bench/profile.ts sqlite delete 10000 [reps] [tamper]`
// then `node bench/summarize-profile.mjs prof/*.cpuprofile` lists where the time went.
import { MikroORM, type Options } from '@mikro-orm/core';
import { allowUnauditedWrites, withAuditTrail } from '../src/index.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { BenchLibrary as Library, BenchTamper } from './entities.js';

const [dbName = 'sqlite', operation = 'insert', sizeArg = '10000', repsArg = '5', variant = 'library'] = process.argv.slice(2);
// `tamper`: the same entity with tamper evidence (its table is bench_tamper).
const BenchLibrary = variant === 'tamper' ? BenchTamper : Library;
const table = variant === 'tamper' ? 'bench_tamper' : 'bench_library';
const db = DATABASES.find(d => d.name === dbName)!;
const size = Number(sizeArg);
const queries: string[] = [];
const orm = await MikroORM.init(
  withAuditTrail({
    ...db.config(db.name === 'sqlite' ? ':memory:' : 'audit_bench'),
    entities: [BenchLibrary],
    // AUDIT_PROFILE_QUERIES=1: each statement of the last flush with the time MikroORM measured.
    ...(process.env.AUDIT_PROFILE_QUERIES ? { debug: ['query'], colors: false, logger: (message: string) => queries.push(message) } : {}),
  } as Options),
);
await refreshSchema(orm);
let total = 0;
for (let rep = 0; rep < Number(repsArg); rep++) {
  await allowUnauditedWrites(() => orm.em.getConnection().execute(`delete from ${table}`));
  const rows = Array.from({ length: size }, (_, i) => ({ name: `P${i}`, email: `p${i}@x`, age: i % 50, score: i / 3, joinedAt: new Date() }));
  const em = orm.em.fork();
  if (operation === 'insert') {
    rows.forEach(row => em.create(BenchLibrary, row));
  } else {
    for (let i = 0; i < rows.length; i += 2000) {
      await orm.em.fork().insertMany(BenchLibrary, rows.slice(i, i + 2000));
    }
    for (const entity of await em.find(BenchLibrary, {})) {
      if (operation === 'update') {
        entity.score += 1;
      } else {
        em.remove(entity);
      }
    }
  }
  queries.length = 0;
  const start = performance.now();
  await em.flush();
  total += performance.now() - start;
}
console.log(`${dbName} ${variant} ${operation} n=${size}: ${(total / Number(repsArg)).toFixed(1)} ms per flush`);
for (const query of queries) {
  console.log(`${query.slice(0, 100)} … ${/\[took [^\]]*\]/.exec(query)?.[0] ?? ''}`);
}
await orm.close(true);
