// One verify run in a process of its own, so that its peak resident memory is verify's alone:
// node --import tsx bench/verifyChild.ts <rows>  →  one JSON line { ms, maxRssMB, findings, rows, prunedRecords, seals }
import { MikroORM } from '@mikro-orm/core';
import { verifyAuditTrail } from '../src/index.js';
import { BENCH_KEY, verifyBenchConfig } from './verifyData.js';

const rows = Number(process.argv[2]);
const orm = await MikroORM.init(verifyBenchConfig(rows));
await orm.em.getConnection().execute('select 1');
const baseRssMB = process.memoryUsage().rss / 2 ** 20;
let sampledPeakMB = baseRssMB;
const sampler = setInterval(() => (sampledPeakMB = Math.max(sampledPeakMB, process.memoryUsage().rss / 2 ** 20)), 20);
const start = performance.now();
const result = await verifyAuditTrail(orm, { key: BENCH_KEY });
const ms = performance.now() - start;
clearInterval(sampler);
await orm.close();
const [table] = result.tables;
console.log(
  JSON.stringify({
    ms,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    baseRssMB,
    sampledPeakMB,
    findings: result.findings.length,
    rows: table?.rows,
    prunedRecords: table?.prunedRecords,
    seals: table?.seals,
  }),
);
