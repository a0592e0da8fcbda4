// npm run bench:memory [-- --rows 200000 --bytes 2048 --db postgresql,mariadb]
//
// Peak memory of one flush of many inserts whose audit rows carry a large track value that differs per row
// (e.g. a serialized request), with and without the audit trail, each in a process of its own so that one
// variant's garbage does not count against the other. Prints RSS and heap peaks and their ratio, once with V8's
// default heap limit (V8 lets garbage grow to about twice the live heap before a full collection) and once with
// the old space capped at 640 MB (what the flush needs to keep, not what V8 chose not to collect yet).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditTrail, withAuditTrail } from '../src/index.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, bytes: { type: 'string', default: '2048' }, db: { type: 'string' }, child: { type: 'string' } },
});
const rows = Number(args.rows);
const bytes = Number(args.bytes);

interface Row {
  id: number;
  name: string;
}

if (args.child) {
  const [dbName, variant] = args.child.split(':') as [string, 'plain' | 'library'];
  const db = DATABASES.find(d => d.name === dbName)!;
  const schema = new EntitySchema<Row>({ name: 'MemoryRow', tableName: 'memory_row', properties: { id: { type: 'number', primary: true }, name: { type: 'string' } } });
  const padding = 'x'.repeat(bytes);
  const entity = variant === 'library'
    ? auditTrail(schema, { trackFields: [{ name: 'payload', type: 'text', value: ({ entity: row }) => `${(row as Row).name}:${padding}` }] })
    : schema;
  const orm = await MikroORM.init(withAuditTrail({ ...db.config('audit_bench_memory'), entities: [entity], debug: false } as Options));
  await allowAuditTableWrites(() => refreshSchema(orm));
  const em = orm.em.fork();
  for (let i = 0; i < rows; i++) {
    em.create(schema, { name: `row ${i}` });
  }
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  };
  sample();
  const before = { rss, heap };
  const timer = setInterval(sample, 5);
  const start = performance.now();
  await em.flush();
  const ms = performance.now() - start;
  clearInterval(timer);
  sample();
  const audited = variant === 'library' ? await orm.em.fork().count(`${schema.meta.className}Audit`, {}) : 0;
  console.log(JSON.stringify({ db: dbName, variant, rss, heap, before, ms, audited }));
  await orm.close(true);
} else {
  const wanted = args.db?.split(',') ?? ['postgresql', 'mariadb'];
  const script = fileURLToPath(import.meta.url);
  console.log(`| database | rows × track value | old space | peak RSS plain → library | peak heap plain → library | flush ms plain → library |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  for (const [db, heapLimit] of DATABASES.filter(d => wanted.includes(d.name) && d.available).flatMap(d => [[d, 16_000], [d, 640]] as const)) {
    const result = (variant: string) => {
      const child = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapLimit}`, '--import', 'tsx', script, '--child', `${db.name}:${variant}`, '--rows', String(rows), '--bytes', String(bytes)], { encoding: 'utf8' });
      const line = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !line.startsWith('{')) {
        throw new Error(`${db.name} ${variant} failed: ${child.stderr.slice(-2000)}`);
      }
      return JSON.parse(line) as { rss: number; heap: number; ms: number; audited: number };
    };
    const plain = result('plain');
    const library = result('library');
    if (library.audited !== rows) {
      throw new Error(`${db.name}: ${library.audited} audit rows for ${rows} inserts`);
    }
    const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
    console.log(
      `| ${db.name} | ${rows.toLocaleString('en')} × ${bytes.toLocaleString('en')} B | ${heapLimit === 640 ? '640 MB' : 'default'} | ${mb(plain.rss)} → ${mb(library.rss)} MB (${(library.rss / plain.rss).toFixed(2)}x) | ` +
        `${mb(plain.heap)} → ${mb(library.heap)} MB (${(library.heap / plain.heap).toFixed(2)}x) | ${plain.ms.toFixed(0)} → ${library.ms.toFixed(0)} |`,
    );
  }
}
