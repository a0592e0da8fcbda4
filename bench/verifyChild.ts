// One verify run in a process of its own, so that its peak resident memory is verify's alone:
// node --expose-gc --import tsx bench/verifyChild.ts <rows> [--live]  →  one JSON line { ms, maxRssMB, liveHeapMB, … }
// With --live, a full collection after every batch measures the live heap (what verify holds), which RSS, grown
// at the collector's pace, does not show; timings of such a run are not comparable.
import { MikroORM } from '@mikro-orm/core';
import { verifyAuditTrail } from '../src/index.js';
import { BENCH_KEY, verifyBenchConfig } from './verifyData.js';

const rows = Number(process.argv[2]);
const live = process.argv.includes('--live');
const gc = (globalThis as { gc?: () => void }).gc;
let liveHeapMB = 0;
const orm = await MikroORM.init(verifyBenchConfig(rows));
await orm.em.getConnection().execute('select 1');
const baseRssMB = process.memoryUsage().rss / 2 ** 20;
let sampledPeakMB = baseRssMB;
const sampler = setInterval(() => (sampledPeakMB = Math.max(sampledPeakMB, process.memoryUsage().rss / 2 ** 20)), 20);
const start = performance.now();
const result = await verifyAuditTrail(orm, {
  key: BENCH_KEY,
  onProgress: () => {
    if (live && gc) {
      gc();
      liveHeapMB = Math.max(liveHeapMB, process.memoryUsage().heapUsed / 2 ** 20);
    }
  },
});
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
    liveHeapMB,
    findings: result.findings.length,
    rows: table?.rows,
    prunedRecords: table?.prunedRecords,
    seals: table?.seals,
  }),
);
