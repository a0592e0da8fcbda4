import { MikroORM } from '@mikro-orm/core';
import { verifyBenchConfig } from './verifyData.js';
import { tamperEvidentPlans } from '../src/tamper/tamperPlans.js';
import { auditTableSource } from '../src/tamper/auditRows.js';
import { buildRowsById, buildRowsByTransaction } from '../src/sql/verifyQueries.js';
const orm = await MikroORM.init(verifyBenchConfig(1000000));
const em = orm.em.fork();
const { plans, tamperEvident } = tamperEvidentPlans(em);
const source = await auditTableSource(em, plans!, tamperEvident[0]!);
const conn = em.getConnection();
const [mid] = await conn.execute(`select _audit_transaction as tx, _audit_id as id from bench_verified_audit order by _audit_transaction, _audit_id offset 500000 limit 1`) as any[];
for (const [name, st] of [['tx', buildRowsByTransaction(source, { tx: mid.tx, id: String(mid.id) }, 2000)], ['id', buildRowsById(source, '500000', undefined, 2000)]] as const) {
  let i = 0;
  const sql = st.sql.replace(/\?/g, () => { const v = st.params[i++]; return typeof v === 'number' ? String(v) : `'${v}'`; });
  const t = performance.now();
  const plan = await conn.execute(`explain (analyze, buffers) ${sql}`) as any[];
  console.log(name, (performance.now() - t).toFixed(0), 'ms\n', plan.map(r => r['QUERY PLAN']).join('\n'));
}
await orm.close();
