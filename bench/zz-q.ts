import { MikroORM } from '@mikro-orm/core';
import { verifyBenchConfig } from './verifyData.js';
import { tamperEvidentPlans } from '../src/tamper/tamperPlans.js';
import { auditTableSource, idText, streamedRow } from '../src/tamper/auditRows.js';
import { buildRowsByTransaction } from '../src/sql/verifyQueries.js';
import { executeStatement } from '../src/mikro-orm/execute.js';
import { rowHash, genesis } from '../src/tamper/chain.js';
const orm = await MikroORM.init(verifyBenchConfig(100000));
const em = orm.em.fork();
const { plans, tamperEvident } = tamperEvidentPlans(em);
const source = await auditTableSource(em, plans!, tamperEvident[0]!);
let after: any; let tq = 0, tj = 0;
const t0 = performance.now();
for (;;) {
  const a = performance.now();
  const rows = await executeStatement(em, undefined, buildRowsByTransaction(source, after, 5000), 'all');
  const b = performance.now(); tq += b - a;
  for (const raw of rows) { const r = streamedRow(source, raw, 'a', true); rowHash(genesis('x', r.tx!), r.canonical!); }
  tj += performance.now() - b;
  if (rows.length < 5000) break;
  const last = rows.at(-1)!; after = { tx: String(last.tx), id: idText(last.id) };
}
console.log('total', (performance.now() - t0).toFixed(0), 'query', tq.toFixed(0), 'js', tj.toFixed(0));
await orm.close();
