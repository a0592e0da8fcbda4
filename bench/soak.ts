// npm run bench:soak [-- --requests 1000 --concurrency 50 --db postgresql,mariadb --isolation default|read-committed]
//
// 1,000 logical requests, 50 at a time, mixing inserts, hot-row updates (flush), native updates, deletes (flush
// and native), each with its own actor, with and without the audit trail on the same requests. Counts committed
// changes and audit rows by type, misattributed and misordered versions, and deadlocks per variant.
import { parseArgs } from 'node:util';
import { IsolationLevel, MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditContext, auditTrail, withAuditTrail } from '../src/index.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { checkSoak } from './soak/check.js';
import { emptyLog, planRequest, random, runRequest, SEEDED_ROWS, soakSchema, type SoakLog } from './soak/requests.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    db: { type: 'string', default: 'postgresql,mariadb' },
    isolation: { type: 'string', default: 'default' },
  },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);

async function soak(dbName: string, variant: 'plain' | 'library'): Promise<{ log: SoakLog; ms: number; orm: MikroORM; schema: ReturnType<typeof soakSchema> }> {
  const db = DATABASES.find(d => d.name === dbName)!;
  const plain = soakSchema();
  const schema = variant === 'library' ? auditTrail(plain, { trackFields: [{ name: 'actor', type: 'string', length: 40, value: ({ context }) => context?.user ?? null }] }) : plain;
  const isolationLevel = args.isolation === 'read-committed' ? IsolationLevel.READ_COMMITTED : undefined;
  const config = { ...db.config(`audit_bench_soak_${variant}`), entities: [schema], debug: false, pool: { min: 0, max: 20 }, isolationLevel } as Options;
  const orm = await MikroORM.init(variant === 'library' ? withAuditTrail(config) : config);
  await allowAuditTableWrites(() => refreshSchema(orm));
  await auditContext.run({ user: 'seed' }, () =>
    orm.em.fork().insertMany(schema, Array.from({ length: SEEDED_ROWS }, (_, i) => ({ balance: 0, lastActor: 'seed', tag: `row-${i + 1}` }))),
  );
  const next = random(42);
  const plans = Array.from({ length: requests }, () => planRequest(next));
  const log = emptyLog();
  let cursor = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (cursor < plans.length) {
        const i = cursor++;
        await runRequest(orm.em.fork(), schema, i, plans[i]!, log);
      }
    }),
  );
  return { log, ms: performance.now() - started, orm, schema };
}

for (const dbName of args.db.split(',')) {
  const plain = await soak(dbName, 'plain');
  await plain.orm.close(true);
  const library = await soak(dbName, 'library');
  const findings = await checkSoak(library.orm.em, library.schema, library.log);
  await library.orm.close(true);
  console.log(
    JSON.stringify({
      database: dbName,
      isolation: args.isolation,
      requests,
      concurrency,
      plain: { deadlocks: plain.log.deadlocks, otherErrors: plain.log.otherErrors.length, ms: Math.round(plain.ms) },
      library: { deadlocks: library.log.deadlocks, otherErrors: library.log.otherErrors.length, ms: Math.round(library.ms), ...findings },
      errorSamples: [...new Set([...plain.log.otherErrors, ...library.log.otherErrors])].slice(0, 5),
    }),
  );
}
