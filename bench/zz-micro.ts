import { streamedRow, encoderOf } from '../src/tamper/auditRows.js';
import { rowHash, genesis } from '../src/tamper/chain.js';
import { digestStep } from '../src/tamper/segmentDigest.js';
const columns = ['_audit_actor', '_audit_change_type', '_audit_reason', '_audit_timestamp', '_audit_transaction', 'age', 'email', 'id', 'joined_at', 'name'];
const source = { columns, encode: encoderOf(columns) } as any;
const raws = Array.from({ length: 100000 }, (_, n) => ({ id: String(n + 1), tx: '8f3c3c1e-1a2b-4c5d-8e9f-0a1b2c3d4e5f', h: 'a'.repeat(64), c0: 'user' + (n % 50), c1: 'U', c2: null, c3: '2024-01-01T00:00:00.010000', c4: '8f3c3c1e-1a2b-4c5d-8e9f-0a1b2c3d4e5f', c5: String(20 + n % 50), c6: `person${n}@example.com`, c7: String(n % 1000 + 1), c8: '2020-01-01T00:00:01.000000', c9: `Person ${n} v3` }));
const g = genesis('t', 'x');
for (let round = 0; round < 3; round++) {
  let c = process.cpuUsage(); let t = performance.now();
  const rows = raws.map(r => streamedRow(source, r, 'a', true));
  const a = performance.now() - t;
  t = performance.now();
  let prev = g; for (const r of rows) prev = rowHash(prev, r.canonical!);
  const b = performance.now() - t;
  t = performance.now();
  let d = ''; for (const r of rows) d = digestStep(d, r.id, r.hash!);
  const e = performance.now() - t;
  console.log(`per row: streamedRow ${(a*10).toFixed(2)}us rowHash ${(b*10).toFixed(2)}us digest ${(e*10).toFixed(2)}us`);
}
