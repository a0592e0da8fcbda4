// Profiles the library's flush: `node --cpu-prof --cpu-prof-dir=prof --import tsx bench/profile.ts sqlite delete 10000`
// then `node bench/summarize-profile.mjs prof/*.cpuprofile` lists where the time went.
import { MikroORM, type Options } from '@mikro-orm/core';
import { withAuditTrail } from '../src/index.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { BenchLibrary } from './entities.js';

const [dbName = 'sqlite', operation = 'insert', sizeArg = '10000', repsArg = '5'] = process.argv.slice(2);
const db = DATABASES.find(d => d.name === dbName)!;
const size = Number(sizeArg);
const orm = await MikroORM.init(
  withAuditTrail({ ...db.config(db.name === 'sqlite' ? ':memory:' : 'audit_bench'), entities: [BenchLibrary] } as Options),
);
await refreshSchema(orm);
let total = 0;
for (let rep = 0; rep < Number(repsArg); rep++) {
  await orm.em.getConnection().execute('delete from bench_library');
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
  const start = performance.now();
  await em.flush();
  total += performance.now() - start;
}
console.log(`${dbName} ${operation} n=${size}: ${(total / Number(repsArg)).toFixed(1)} ms per flush`);
await orm.close(true);
