// The cost of tamper evidence: the audited flush of N inserts, updates or deletes with and without it, side by
// side (interleaved run by run, in one process per database), and eight connections each running many small
// audited transactions on one table, throughput with and without it.
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditContext, withAuditTrail } from '../src/index.js';
import { dialectOf } from '../src/mikro-orm/dialectOf.js';
import type { TestDatabase } from '../test/support/databases.js';
import { refreshSchema } from '../test/support/mikro.js';
import { BenchLibrary, BenchTamper, changeLoaded } from './entities.js';

type Operation = 'insert' | 'update' | 'delete';
type Audited = typeof BenchLibrary | typeof BenchTamper;

export interface TamperCell {
  readonly database: string;
  readonly operation: Operation;
  readonly size: number;
  readonly withoutMs: number;
  readonly withMs: number;
  readonly statementsWithout: number;
  readonly statementsWith: number;
}

export interface TamperConcurrency {
  readonly database: string;
  readonly writers: number;
  readonly transactions: number;
  /** Transactions per second, median of the runs. */
  readonly withoutTps: number;
  readonly withTps: number;
}

export interface TamperOptions {
  readonly sizes: readonly number[];
  readonly repetitions: (size: number) => number;
  readonly transactionsPerWriter: number;
  readonly concurrencyRuns: number;
}

const WRITERS = 8;
const OPERATIONS: Operation[] = ['insert', 'update', 'delete'];

/** Runs the tamper case on one database: flush cells, then the concurrent writers. */
export async function benchTamper(db: TestDatabase, options: TamperOptions): Promise<{ cells: TamperCell[]; concurrency: TamperConcurrency }> {
  let counting = false;
  let statements = 0;
  const orm = await MikroORM.init(
    withAuditTrail({
      ...db.config(db.name === 'sqlite' ? ':memory:' : 'audit_bench_tamper'),
      entities: [BenchLibrary, BenchTamper],
      debug: false,
      // SQLite in memory is one connection (another would be another database): its writers queue.
      ...(db.name === 'sqlite' ? {} : { pool: { min: 0, max: WRITERS + 2 } }),
      logger: () => {
        statements += counting ? 1 : 0;
      },
    } as Options),
  );
  try {
    await refreshSchema(orm);
    const logger = orm.config.getLogger();
    const cells: TamperCell[] = [];
    for (const operation of OPERATIONS) {
      for (const size of options.sizes) {
        const samples = new Map<Audited, number[]>([[BenchLibrary, []], [BenchTamper, []]]);
        for (let rep = -1; rep < options.repetitions(size); rep++) {
          const order: Audited[] = rep % 2 === 0 ? [BenchLibrary, BenchTamper] : [BenchTamper, BenchLibrary];
          for (const entity of order) {
            const em = await prepare(orm, entity, operation, size);
            (globalThis as { gc?: () => void }).gc?.();
            const start = performance.now();
            await em.flush();
            if (rep >= 0) {
              samples.get(entity)!.push(performance.now() - start);
            }
          }
        }
        const count = async (entity: Audited) => {
          const em = await prepare(orm, entity, operation, size);
          logger.setDebugMode(['query']);
          [counting, statements] = [true, 0];
          await em.flush();
          counting = false;
          logger.setDebugMode(false);
          return statements;
        };
        const cell = {
          database: db.name,
          operation,
          size,
          withoutMs: median(samples.get(BenchLibrary)!),
          withMs: median(samples.get(BenchTamper)!),
          statementsWithout: await count(BenchLibrary),
          statementsWith: await count(BenchTamper),
        };
        cells.push(cell);
        console.log(
          `${db.name.padEnd(10)} tamper ${operation.padEnd(6)} n=${String(size).padEnd(6)} without ${cell.withoutMs.toFixed(2)} ms, ${cell.statementsWithout} stmts | ` +
            `with ${cell.withMs.toFixed(2)} ms, ${cell.statementsWith} stmts (${(cell.withMs / cell.withoutMs).toFixed(2)}x)`,
        );
      }
    }
    const concurrency = await concurrentWriters(orm, db.name, options);
    console.log(
      `${db.name.padEnd(10)} tamper ${WRITERS} writers × ${options.transactionsPerWriter} transactions: without ${concurrency.withoutTps.toFixed(0)} tx/s, ` +
        `with ${concurrency.withTps.toFixed(0)} tx/s (${(concurrency.withTps / concurrency.withoutTps).toFixed(2)}x)`,
    );
    return { cells, concurrency };
  } finally {
    await orm.close(true);
  }
}

// Empties the tables, seeds N rows for updates and deletes (not part of the history), and builds the unit of work.
async function prepare(orm: MikroORM, entity: Audited, operation: Operation, size: number): Promise<EntityManager> {
  await clear(orm, entity, true);
  const rows = Array.from({ length: size }, (_, i) => ({
    name: `Person ${i}`,
    email: `person${i}@example.com`,
    age: 20 + (i % 50),
    score: i / 3,
    joinedAt: new Date(1_700_000_000_000 + i * 1000),
  }));
  const em = orm.em.fork();
  if (operation === 'insert') {
    rows.forEach(row => em.create(entity, row));
    return em;
  }
  for (let i = 0; i < rows.length; i += 2000) {
    await orm.em.fork().insertMany(entity, rows.slice(i, i + 2000));
  }
  await clear(orm, entity, false);
  changeLoaded(em, await em.find(entity, {}), operation === 'update' ? 'update' : 'delete');
  return em;
}

function clear(orm: MikroORM, entity: Audited, source: boolean): Promise<void> {
  const table = entity === BenchLibrary ? 'bench_library' : 'bench_tamper';
  const sqlite = dialectOf(orm.em.getPlatform()) === 'sqlite';
  return allowAuditTableWrites(async () => {
    for (const name of source ? [table, `${table}_audit`] : [`${table}_audit`]) {
      await orm.em.getConnection().execute(sqlite ? `delete from ${name}` : `truncate table ${name}`);
    }
  });
}

// Eight connections, each running small transactions one after the other, all on one table: a request that reads
// one row, changes it and creates another (one flush: an INSERT, an UPDATE, one audit statement for both). Runs
// with and without tamper evidence alternate.
async function concurrentWriters(orm: MikroORM, database: string, options: TamperOptions): Promise<TamperConcurrency> {
  const tps = new Map<Audited, number[]>([[BenchLibrary, []], [BenchTamper, []]]);
  for (let run = 0; run < options.concurrencyRuns; run++) {
    for (const entity of run % 2 === 0 ? [BenchLibrary, BenchTamper] : [BenchTamper, BenchLibrary]) {
      await clear(orm, entity, true);
      const start = performance.now();
      await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(orm.em, entity, n, options.transactionsPerWriter)));
      tps.get(entity)!.push((WRITERS * options.transactionsPerWriter * 1000) / (performance.now() - start));
    }
  }
  return {
    database,
    writers: WRITERS,
    transactions: WRITERS * options.transactionsPerWriter,
    withoutTps: median(tps.get(BenchLibrary)!),
    withTps: median(tps.get(BenchTamper)!),
  };
}

async function writer(em: EntityManager, entity: Audited, n: number, transactions: number): Promise<void> {
  const row = (t: number) => ({ name: `w${n} t${t}`, email: `w${n}@example.com`, age: n, score: t, joinedAt: new Date() });
  let previous = Number(await em.fork().insert(entity, row(-1)));
  for (let t = 0; t < transactions; t++) {
    previous = await auditContext.run({ user: `writer ${n}` }, () =>
      em.fork().transactional(async trx => {
        (await trx.findOneOrFail(entity, previous)).score += 1;
        const created = trx.create(entity, row(t));
        await trx.flush();
        return created.id;
      }),
    );
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The Markdown tables of the tamper case. */
export function printTamperSummary(cells: readonly TamperCell[], concurrency: readonly TamperConcurrency[]): void {
  if (cells.length > 0) {
    console.log('\n## Tamper evidence: audited flush with ÷ without (median times, same run)\n');
    console.log('| database | operation | n | without ms | with ms | ratio | statements without / with |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const c of cells) {
      console.log(`| ${c.database} | ${c.operation} | ${c.size} | ${c.withoutMs.toFixed(2)} | ${c.withMs.toFixed(2)} | ${(c.withMs / c.withoutMs).toFixed(2)}x | ${c.statementsWithout} / ${c.statementsWith} |`);
    }
  }
  if (concurrency.length > 0) {
    console.log('\n## Tamper evidence: eight concurrent writers on one audited table (transactions per second, median)\n');
    console.log('| database | transactions | without | with | ratio |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const c of concurrency) {
      console.log(`| ${c.database} | ${c.transactions} | ${c.withoutTps.toFixed(0)} | ${c.withTps.toFixed(0)} | ${(c.withTps / c.withoutTps).toFixed(2)}x |`);
    }
  }
}
