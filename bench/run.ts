// npm run bench [-- --quick] [-- --json results.json] [-- --db postgresql,mariadb] [-- --sizes 100,10000] [-- --ops insert,asof]
//
// Measures em.flush() of N inserts, updates or deletes for a plain entity, the same entity audited by this
// library, and the same entity audited by hand-written database triggers, in one process per database with the
// variants interleaved run by run, and prints medians, ratios to the plain flush, statements per flush,
// per-row overhead and peak memory. Timing runs with query logging off; statements are counted in a separate pass.
// The `asof` operation times asOf() on a history of 1,000,000 audit rows (100,000 with --quick). The `browser`
// operation times the history browser over HTTP on 1,000,000 audit rows on PostgreSQL (`npm run bench:browser`). The
// `tamper` operation compares the audited flush with and without tamper evidence, and eight concurrent writers.
// The `verify` operation times verifyAuditTrail() with seals on 100,000 and 1,000,000 tamper-evident audit rows on
// PostgreSQL, each in a process of its own for its peak memory (`npm run bench -- --ops verify`; 100,000 with --quick).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, withAuditTrail } from '../src/index.js';
import { dialectOf } from '../src/mikro-orm/dialectOf.js';
import { DATABASES } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { BenchLibrary, BenchPlain, BenchStatementTrigger, BenchTrigger, changeLoaded, type BenchEntity } from './entities.js';
import { benchAsOf, type AsOfResult } from './asOf.js';
import { benchBrowser, printBrowserResult, type BrowserResult } from './browser.js';
import { installTriggers } from './triggers.js';
import { benchTamper, printTamperSummary, type TamperCell, type TamperConcurrency } from './tamper.js';
import { benchVerify, printVerifyResult, type VerifyResult } from './verify.js';

type Operation = 'insert' | 'update' | 'delete' | 'asof' | 'browser' | 'tamper' | 'verify';
type VariantName = 'plain' | 'library' | 'trigger' | 'statement trigger';

interface Variant {
  readonly name: VariantName;
  readonly entity: BenchEntity;
  readonly tables: readonly string[];
}

interface Result {
  database: string;
  operation: Operation;
  size: number;
  variant: VariantName;
  medianMs: number;
  samplesMs: number[];
  statements: number;
  peakHeapMB?: number;
  peakRssMB?: number;
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    db: { type: 'string' },
    sizes: { type: 'string' },
    ops: { type: 'string' },
  },
});
const sizes = (args.sizes ?? '1,100,10000').split(',').map(Number);
const operations = (args.ops ?? 'insert,update,delete,asof,tamper,browser').split(',') as Operation[];
const wanted = args.db?.split(',');
const repetitions = (size: number) => (args.quick ? (size >= 10_000 ? 2 : 5) : size >= 10_000 ? 7 : size >= 100 ? 21 : 41);

const gc = (globalThis as { gc?: () => void }).gc;
const results: Result[] = [];
const asOfResults: AsOfResult[] = [];
const browserResults: BrowserResult[] = [];
const tamperCells: TamperCell[] = [];
const tamperConcurrency: TamperConcurrency[] = [];
const verifyResults: VerifyResult[] = [];

// The browser, tamper and verify cases open their own databases; the loop below is for the other operations.
const ownDatabase = (op: Operation) => op === 'browser' || op === 'tamper' || op === 'verify';
const perDatabase = operations.some(op => !ownDatabase(op));
for (const db of DATABASES.filter(d => perDatabase && (!wanted || wanted.includes(d.name)))) {
  if (!db.available) {
    console.error(`${db.name}: not reachable at ${db.address}, skipped`);
    continue;
  }
  let counting = false;
  let statements = 0;
  const orm = await MikroORM.init(
    withAuditTrail({
      ...db.config(db.name === 'sqlite' ? ':memory:' : 'audit_bench'),
      entities: [BenchPlain, BenchLibrary, BenchTrigger, BenchStatementTrigger],
      debug: false,
      logger: () => {
        if (counting) {
          statements++;
        }
      },
    } as Options),
  );
  const dialect = dialectOf(orm.em.getPlatform())!;
  await refreshSchema(orm);
  await installTriggers(orm.em, dialect, 'row', 'bench_trigger');
  const variants: Variant[] = [
    { name: 'plain', entity: BenchPlain, tables: ['bench_plain'] },
    { name: 'library', entity: BenchLibrary, tables: ['bench_library', 'bench_library_audit'] },
    { name: 'trigger', entity: BenchTrigger, tables: ['bench_trigger', 'bench_trigger_audit'] },
  ];
  if (dialect === 'postgresql') {
    await installTriggers(orm.em, dialect, 'statement', 'bench_statement');
    variants.push({ name: 'statement trigger', entity: BenchStatementTrigger, tables: ['bench_statement', 'bench_statement_audit'] });
  }
  const logger = orm.config.getLogger();

  // Emptying history between runs is deliberate maintenance, which the audit trail otherwise refuses.
  const clear = (variant: Variant) =>
    allowAuditTableWrites(async () => {
      for (const table of variant.tables) {
        await orm.em.getConnection().execute(dialect === 'sqlite' ? `delete from ${table}` : `truncate table ${table}`);
      }
    });

  // Builds the unit of work to flush (untimed): N new entities, or N loaded entities changed or removed.
  const prepare = async (variant: Variant, operation: Operation, size: number): Promise<EntityManager> => {
    await clear(variant);
    const seed = orm.em.fork();
    const rows = Array.from({ length: size }, (_, i) => ({
      name: `Person ${i}`,
      email: `person${i}@example.com`,
      age: 20 + (i % 50),
      score: i / 3,
      joinedAt: new Date(1_700_000_000_000 + i * 1000),
    }));
    if (operation !== 'insert') {
      for (let i = 0; i < rows.length; i += 2000) {
        await seed.insertMany(variant.entity, rows.slice(i, i + 2000));
      }
      await clear({ ...variant, tables: variant.tables.slice(1) }); // the seed is not part of the history
    }
    const em = orm.em.fork();
    if (operation === 'insert') {
      rows.forEach(row => em.create(variant.entity, row));
      return em;
    }
    changeLoaded(em, await em.find(variant.entity, {}), operation === 'update' ? 'update' : 'delete');
    return em;
  };

  const timeFlush = async (em: EntityManager): Promise<number> => {
    const start = performance.now();
    await em.flush();
    return performance.now() - start;
  };

  for (const operation of operations.filter(op => !ownDatabase(op))) {
    if (operation === 'asof') {
      const result = await benchAsOf(orm.em, db.name, dialect, args.quick ? 100_000 : 1_000_000, args.quick ? 50 : 200);
      asOfResults.push(result);
      console.log(
        `${db.name}: asOf() on ${result.auditRows.toLocaleString('en')} audit rows (${result.keys.toLocaleString('en')} keys): ` +
          `one row ${result.singleRowMedianMs} ms median, ${result.singleRowP95Ms} ms p95 over ${result.calls} calls; ` +
          `every row ${result.allRowsMs} ms`,
      );
      continue;
    }
    for (const size of sizes) {
      const samples = new Map<VariantName, number[]>(variants.map(v => [v.name, []]));
      const reps = repetitions(size);
      for (let rep = -1; rep < reps; rep++) {
        // Rotate the order each repetition so that no variant always runs first or last.
        const order = variants.map((_, i) => variants[(i + Math.max(rep, 0)) % variants.length]!);
        for (const variant of order) {
          const em = await prepare(variant, operation, size);
          gc?.();
          const ms = await timeFlush(em);
          if (rep >= 0) {
            samples.get(variant.name)!.push(ms);
          }
        }
      }
      for (const variant of variants) {
        const em = await prepare(variant, operation, size);
        logger.setDebugMode(['query']);
        counting = true;
        statements = 0;
        await em.flush();
        counting = false;
        logger.setDebugMode(false);
        const result: Result = {
          database: db.name,
          operation,
          size,
          variant: variant.name,
          medianMs: median(samples.get(variant.name)!),
          samplesMs: samples.get(variant.name)!.map(ms => Number(ms.toFixed(3))),
          statements,
        };
        if (size >= 10_000 && (variant.name === 'plain' || variant.name === 'library')) {
          Object.assign(result, await peakMemory(await prepare(variant, operation, size)));
        }
        results.push(result);
      }
      printRow(db.name, operation, size);
    }
  }
  await orm.close(true);
}

for (const db of DATABASES.filter(d => operations.includes('tamper') && d.available && (!wanted || wanted.includes(d.name)))) {
  const tamperSizes = args.sizes ? sizes : [100, 10_000];
  const tamper = await benchTamper(db, {
    sizes: tamperSizes,
    repetitions,
    transactionsPerWriter: args.quick ? 25 : 100,
    concurrencyRuns: args.quick ? 3 : 5,
  });
  tamperCells.push(...tamper.cells);
  tamperConcurrency.push(tamper.concurrency);
}

if (operations.includes('browser') && (!wanted || wanted.includes('postgresql'))) {
  const result = await benchBrowser(args.quick ? 100_000 : 1_000_000, 21);
  browserResults.push(result);
  printBrowserResult(result);
}
if (operations.includes('verify') && (!wanted || wanted.includes('postgresql'))) {
  for (const rows of args.quick ? [100_000] : [100_000, 1_000_000]) {
    const result = await benchVerify(rows, args.quick ? 1 : 3);
    verifyResults.push(result);
    printVerifyResult(result);
  }
}

printSummary();
printTamperSummary(tamperCells, tamperConcurrency);
if (args.json) {
  const tamper = { cells: tamperCells, concurrency: tamperConcurrency };
  writeFileSync(args.json, JSON.stringify({ machine: machine(), results, asOf: asOfResults, browser: browserResults, tamper, verify: verifyResults }, null, 2));
  console.log(`\nresults written to ${args.json}`);
}

async function peakMemory(em: EntityManager): Promise<{ peakHeapMB: number; peakRssMB: number }> {
  gc?.();
  let heap = 0;
  let rss = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    heap = Math.max(heap, usage.heapUsed);
    rss = Math.max(rss, usage.rss);
  };
  sample();
  const timer = setInterval(sample, 1);
  await em.flush();
  clearInterval(timer);
  sample();
  return { peakHeapMB: round(heap / 2 ** 20), peakRssMB: round(rss / 2 ** 20) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function find(database: string, operation: Operation, size: number, variant: VariantName): Result | undefined {
  return results.find(r => r.database === database && r.operation === operation && r.size === size && r.variant === variant);
}

function printRow(database: string, operation: Operation, size: number): void {
  const plain = find(database, operation, size, 'plain')!;
  const cells = (['plain', 'library', 'trigger', 'statement trigger'] as const).flatMap(name => {
    const r = find(database, operation, size, name);
    if (!r) {
      return [];
    }
    const ratio = name === 'plain' ? '' : ` (${(r.medianMs / plain.medianMs).toFixed(2)}x)`;
    return [`${name} ${r.medianMs.toFixed(2)} ms${ratio}, ${r.statements} stmts`];
  });
  console.log(`${database.padEnd(10)} ${operation.padEnd(6)} n=${String(size).padEnd(6)} ${cells.join(' | ')}`);
}

function printSummary(): void {
  if (results.length > 0) {
    printRatios();
  }
  printLarge();
}

function printRatios(): void {
  console.log('\n## Ratios to the plain flush (median times, same run)\n');
  console.log('| database | operation | n | plain ms | library | trigger | statement trigger | statements plain / library / trigger |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const plain of results.filter(r => r.variant === 'plain')) {
    const ratio = (name: VariantName) => {
      const r = find(plain.database, plain.operation, plain.size, name);
      return r ? `${(r.medianMs / plain.medianMs).toFixed(2)}x` : '-';
    };
    const count = (name: VariantName) => find(plain.database, plain.operation, plain.size, name)?.statements ?? '-';
    console.log(
      `| ${plain.database} | ${plain.operation} | ${plain.size} | ${plain.medianMs.toFixed(2)} | ${ratio('library')} | ${ratio('trigger')} | ` +
        `${ratio('statement trigger')} | ${count('plain')} / ${count('library')} / ${count('trigger')} |`,
    );
  }
}

function printLarge(): void {
  const large = results.filter(r => r.variant === 'plain' && r.size >= 10_000);
  if (large.length > 0) {
    console.log('\n## At 10,000 rows: audit overhead per row and peak memory during the flush\n');
    console.log('| database | operation | library − plain per row | peak heap plain → library | peak RSS plain → library |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const plain of large) {
      const library = find(plain.database, plain.operation, plain.size, 'library')!;
      const perRow = ((library.medianMs - plain.medianMs) * 1000) / plain.size;
      console.log(
        `| ${plain.database} | ${plain.operation} | ${perRow.toFixed(1)} µs | ${plain.peakHeapMB} → ${library.peakHeapMB} MB ` +
          `(${(library.peakHeapMB! / plain.peakHeapMB!).toFixed(2)}x) | ${plain.peakRssMB} → ${library.peakRssMB} MB |`,
      );
    }
  }
  if (asOfResults.length > 0) {
    console.log('\n## asOf() on a large history\n');
    console.log('| database | audit rows | keys | one row: median / p95 | every row |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of asOfResults) {
      console.log(`| ${r.database} | ${r.auditRows.toLocaleString('en')} | ${r.keys.toLocaleString('en')} | ${r.singleRowMedianMs} / ${r.singleRowP95Ms} ms | ${r.allRowsMs} ms |`);
    }
  }
  for (const r of browserResults) {
    console.log(`\n## History browser over HTTP, ${r.database}, ${r.auditRows.toLocaleString('en')} audit rows, ${r.pageSize} rows per page\n`);
    console.log('| page | median | p95 | requests |');
    console.log('| --- | --- | --- | --- |');
    for (const c of r.cases) {
      console.log(`| ${c.name} | ${c.medianMs} ms | ${c.p95Ms} ms | ${c.requests} |`);
    }
  }
}

function machine() {
  return { node: process.version, platform: process.platform, arch: process.arch, date: new Date().toISOString() };
}
