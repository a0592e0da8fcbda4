// npm run bench:startup [-- --runs 5 --entities 20 --db postgresql --from dist|src]   (builds, then runs this)
//
// What the audit trail adds to `MikroORM.init`: each run starts one fresh process per variant (no module, pool or
// catalog cache carried over), times `MikroORM.init` and the first query after it, and exits. Variants: plain
// MikroORM (the library not even imported), the library with its defaults (`schemaCheck: 'warn'`, whose read runs
// alongside the start), with `schemaCheck: 'error'` (the start waits for the read) and with `schemaCheck: 'off'`. The variants are interleaved run by run, in an order rotated every run, after one
// discarded warm-up round; medians are printed side by side. A separate, untimed process per variant counts the
// statements and the database connections each start made (query logging on, `pg` / `mysql2` clients counted),
// after `orm.close()`, which waits for a read running alongside.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { DATABASES } from '../test/support/databases.js';
import type * as LibraryModule from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    entities: { type: 'string', default: '20' },
    db: { type: 'string', default: 'postgresql' },
    child: { type: 'string' },
    count: { type: 'boolean', default: false },
    json: { type: 'string' },
    // `dist` (the default) is what an installed package runs; `src` goes through tsx, which transpiles each module.
    from: { type: 'string', default: 'dist' },
  },
});

const VARIANTS = ['plain', 'library', 'library, schemaCheck error', 'library, schemaCheck off'] as const;
type Variant = (typeof VARIANTS)[number];
const DB_NAME = 'audit_bench_startup';

interface Row {
  id: number;
  name: string;
  email: string;
  age: number;
  score: number;
  joinedAt: Date;
}

interface ChildResult {
  init: number;
  /** CPU time of this process during `MikroORM.init`: what the machine's other load does not inflate. */
  initCpu: number;
  firstQuery: number;
  statements?: number;
  connections?: number;
}

// Twenty-odd tables of six columns each, as in bench/entities.ts; the library variants mark each one audited.
function entities(count: number): EntitySchema<Row>[] {
  return Array.from({ length: count }, (_, i) =>
    new EntitySchema<Row>({
      name: `StartupRow${i}`,
      tableName: `startup_row_${i}`,
      properties: {
        id: { type: 'number', primary: true },
        name: { type: 'string', length: 100 },
        email: { type: 'string', length: 100 },
        age: { type: 'number' },
        score: { type: 'double' },
        joinedAt: { type: 'Date', length: 3 },
      },
    }),
  );
}

function baseConfig(dbName: string, log?: (line: string) => void): Options {
  const db = DATABASES.find(d => d.name === dbName);
  if (!db?.available) {
    throw new Error(`database ${dbName} is not available`);
  }
  const name = db.name === 'sqlite' ? fileURLToPath(new URL('../.migrations-tmp/startup-bench.db', import.meta.url)) : DB_NAME;
  return { ...db.config(name), dbName: name, ...(log && { debug: ['query'], logger: log }) } as Options;
}

const MODULE_OPTIONS = { library: {}, 'library, schemaCheck error': { schemaCheck: 'error' }, 'library, schemaCheck off': { schemaCheck: 'off' } } as const;

async function configFor(variant: Variant, dbName: string, log?: (line: string) => void): Promise<Options> {
  const schemas = entities(Number(args.entities));
  const config = { ...baseConfig(dbName, log), entities: schemas };
  if (variant === 'plain') {
    return config;
  }
  // Imported only here, so that the plain variant pays nothing for the library's modules.
  const { auditTrail, withAuditTrail } = await library();
  return withAuditTrail({ ...config, entities: schemas.map(schema => auditTrail(schema)) }, MODULE_OPTIONS[variant]);
}

type Library = typeof LibraryModule;

async function library(): Promise<Library> {
  if (args.from === 'src') {
    return import('../src/index.js');
  }
  // Named by a variable, so that tsc does not type-check the build output; `npm run build` makes it.
  const built = '../dist/esm/index.js';
  return (await import(built)) as Library;
}

// Counts every connection the database clients open and every statement MikroORM logs, in this process.
async function countingClients(): Promise<() => number> {
  let connections = 0;
  // Named by a variable: `pg` ships no types, and only its prototype is touched here.
  const pgModule = 'pg';
  const pg = ((await import(pgModule)) as { default: { Client: { prototype: { connect: (...a: unknown[]) => unknown } } } }).default;
  const connect = pg.Client.prototype.connect;
  pg.Client.prototype.connect = function (this: unknown, ...rest: unknown[]) {
    connections++;
    return connect.apply(this, rest);
  };
  const mysql = (await import('mysql2')).default as unknown as { Connection: { prototype: { connect: (...a: unknown[]) => unknown } } };
  const mysqlConnect = mysql.Connection.prototype.connect;
  mysql.Connection.prototype.connect = function (this: unknown, ...rest: unknown[]) {
    connections++;
    return mysqlConnect.apply(this, rest);
  };
  return () => connections;
}

async function child(variant: Variant, dbName: string): Promise<void> {
  const lines: string[] = [];
  const connections = args.count ? await countingClients() : undefined;
  const config = await configFor(variant, dbName, args.count ? line => lines.push(line) : undefined);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const orm = await MikroORM.init(config);
  const init = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const initCpu = (used.user + used.system) / 1000;
  // MikroORM 7 connects at the first query: time it too, so that no variant merely moves its cost there.
  await orm.em.fork().count((config.entities as EntitySchema<Row>[])[0]!);
  const firstQuery = performance.now() - start;
  const result: ChildResult = { init, initCpu, firstQuery };
  // After close: a check running alongside the start (`schemaCheck: 'warn'`) has finished by then.
  await orm.close(true);
  if (args.count) {
    result.statements = lines.filter(line => line.includes('[query]')).length;
    result.connections = connections!();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(variant: Variant, dbName: string, count = false): ChildResult {
  const script = fileURLToPath(import.meta.url);
  // tsx's ESM hooks only: its CommonJS hook would make the library's require() of MikroORM 7's ESM packages load a
  // second copy of them (seconds, and not what users run); Node's own require(esm) reuses the loaded modules.
  const out = spawnSync(process.execPath, ['--import', 'tsx/esm', script, '--child', variant, '--db', dbName, '--entities', args.entities, '--from', args.from, ...(count ? ['--count'] : [])], {
    encoding: 'utf8',
  });
  if (out.status !== 0) {
    throw new Error(`${variant} child failed: ${out.stderr}`);
  }
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function prepare(dbName: string): Promise<void> {
  // The tables and audit tables exist, as in a deployed application: the library's startup read finds them.
  const { allowAuditTableWrites } = await library();
  const orm = await MikroORM.init(await configFor('library, schemaCheck off', dbName));
  const schema = orm.schema as unknown as { refresh?: () => Promise<void>; refreshDatabase?: () => Promise<void> };
  await allowAuditTableWrites(() => (schema.refresh ? schema.refresh() : schema.refreshDatabase!()));
  await orm.close(true);
}

async function main(): Promise<void> {
  const dbName = args.db;
  const runs = Number(args.runs);
  await prepare(dbName);
  const samples = new Map<Variant, ChildResult[]>(VARIANTS.map(variant => [variant, []]));
  for (const variant of VARIANTS) {
    runChild(variant, dbName);
  }
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const variant = VARIANTS[(run + i) % VARIANTS.length]!;
      samples.get(variant)!.push(runChild(variant, dbName));
    }
  }
  const counted = new Map(VARIANTS.map(variant => [variant, runChild(variant, dbName, true)]));
  const plain = samples.get('plain')!;
  const fmt = (ms: number) => ms.toFixed(1);
  const { Utils } = await import('@mikro-orm/core');
  const { loadavg } = await import('node:os');
  console.log(
    `MikroORM ${Utils.getORMVersion()} on Node ${process.version}: MikroORM.init with ${args.entities} entities on ${dbName}, ` +
      `median of ${runs} processes per variant (load average ${loadavg().map(n => n.toFixed(1)).join(' / ')})`,
  );
  console.log('| variant | init ms | vs plain | init CPU ms | vs plain | init + first query ms | vs plain | statements | connections | init ms of each run |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${fmt(Math.abs(ms))}`;
  for (const variant of VARIANTS) {
    const rows = samples.get(variant)!;
    const cells = (['init', 'initCpu', 'firstQuery'] as const).flatMap(field => {
      const value = median(rows.map(row => row[field]));
      return [fmt(value), variant === 'plain' ? '' : signed(value - median(plain.map(row => row[field])))];
    });
    const { statements, connections } = counted.get(variant)!;
    console.log(`| ${variant} | ${cells.join(' | ')} | ${statements} | ${connections} | ${rows.map(row => fmt(row.init)).join(', ')} |`);
  }
  if (args.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(args.json, JSON.stringify(Object.fromEntries(samples), null, 2));
  }
}

if (args.child) {
  await child(args.child as Variant, args.db);
} else {
  await main();
}
