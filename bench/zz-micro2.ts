import { encoderOf } from '../src/tamper/auditRows.js';
import { canonicalText } from '../src/tamper/chainRows.js';
const columns = ['_audit_actor', '_audit_change_type', '_audit_reason', '_audit_timestamp', '_audit_transaction', 'age', 'email', 'id', 'joined_at', 'name'];
const enc = encoderOf(columns);
const N = 100000;
const rows = Array.from({ length: N }, (_, n) => ['user' + (n % 50), 'U', null, '2024-01-01T00:00:00.010000', '8f3c3c1e-1a2b-4c5d-8e9f-0a1b2c3d4e5f', String(20 + n % 50), `person${n}@example.com`, String(n % 1000 + 1), '2020-01-01T00:00:01.000000', `Person ${n} v3`]);
const ids = rows.map((_, n) => String(n + 1));
for (let r = 0; r < 4; r++) {
  let t = performance.now(); let x = 0;
  for (const row of rows) x += enc(row).length;
  const a = (performance.now() - t) * 1000 / N;
  t = performance.now();
  for (const id of ids) x += Number(BigInt(id) & 1n);
  const b = (performance.now() - t) * 1000 / N;
  t = performance.now();
  for (const row of rows) for (const v of row) x += canonicalText(v) === null ? 0 : 1;
  const c = (performance.now() - t) * 1000 / N;
  t = performance.now();
  for (const row of rows) x += JSON.stringify(row).length;
  const d = (performance.now() - t) * 1000 / N;
  console.log(`encode ${a.toFixed(2)}us bigint ${b.toFixed(2)}us canonicalText x10 ${c.toFixed(2)}us JSON.stringify(row) ${d.toFixed(2)}us`, x > 0);
}
