// Issue 14: the installed bin's prune and backfill, interrupted as an operator would (Ctrl-C = SIGINT, a kill -9 =
// SIGKILL) right after their first progress line, then run again: exit codes, the final state (every row one I
// version; the history an uninterrupted prune leaves), and the progress output (plain lines when piped, a bar on
// a terminal). On PostgreSQL and MariaDB a row lock the test holds keeps the run from finishing before it is
// interrupted; SQLite has no row locks, there the run's many small transactions outlast the signal.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { allowUnauditedWrites, auditOf, withAuditTrail } from '../../src/index.js';
import { ormMajor } from '../packaging/consumerProjects.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { cliDatabase, type CliDatabase } from './support/cliDatabase.js';
import { Membership, Person } from './support/entities.js';
import { binOf, installCliProjects, runBin, runShell, type CliProject } from './support/installedCli.js';

const PersonAudit = auditOf(Person);
const LEGACY = 20_000;
const available = DATABASES.filter(db => db.available);

let root: string;
const databases = new Map<string, CliDatabase>();

beforeAll(async () => {
  root = installCliProjects();
  const name = `${dbNameFor(import.meta.url)}_v${ormMajor}`;
  for (const db of available) {
    databases.set(db.name, await cliDatabase(db, name));
  }
}, 900_000);

/** A command's `in N batch(es)`, for `rows` rows in batches of `size`. */
const inBatches = (rows: number, size: number) => {
  const batches = Math.ceil(rows / size);
  return `in ${batches} batch${batches === 1 ? '' : 'es'}`;
};

interface Interrupted {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Runs the installed bin and sends `signal` as soon as its stderr shows a line matching `line`. */
function interrupt(project: CliProject, args: readonly string[], env: Record<string, string>, line: RegExp, signal: NodeJS.Signals): Promise<Interrupted> {
  // As runBin: stderr is a pipe, and this process's color and CI variables are left out.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['NO_COLOR', 'FORCE_COLOR', 'CI'].includes(name)));
  const child = spawn(binOf(root), args, { cwd: join(root, project), env: { ...inherited, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (line.test(stderr) && child.exitCode === null && !child.killed) {
      child.kill(signal);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, received) => resolve({ code, signal: received, stderr }));
  });
}

describe.each(available)(`the installed bin's prune and backfill, interrupted and run again (MikroORM ${ormMajor}) on $name`, (db: TestDatabase) => {
  let cli: CliDatabase;
  let orm: MikroORM;
  const fork = () => orm.em.fork();

  beforeAll(async () => {
    cli = databases.get(db.name)!;
    const connection = JSON.parse(cli.env.CLI_DB_CONFIG) as Record<string, unknown>;
    orm = await MikroORM.init(withAuditTrail({ ...db.config(connection.dbName as string), ...connection, driver: db.config('').driver, entities: [Person, Membership], allowGlobalContext: true } as Options));
    // Rows the application wrote before auditing was switched on.
    await allowUnauditedWrites(async () => {
      for (let start = 1001; start <= 1000 + LEGACY; start += 1000) {
        const values = Array.from({ length: 1000 }, (_, i) => `(${start + i}, 'p${start + i}')`).join(', ');
        await fork().getConnection().execute(`insert into cli_person (id, name) values ${values}`);
      }
    });
  }, 120_000);

  afterAll(() => orm?.close(true));

  /** Holds a lock on the rows `sql` selects (not on SQLite) until the returned function is called. */
  async function holdLock(sql: string): Promise<() => Promise<void>> {
    if (db.name === 'sqlite') {
      return () => Promise.resolve();
    }
    const em: EntityManager = fork();
    await em.begin();
    await em.getConnection().execute(sql, [], 'all', em.getTransactionContext());
    return () => em.rollback();
  }

  it('backfill: SIGINT after the first progress line keeps whole batches; run again, exit 0, every row exactly one I version', async () => {
    const release = await holdLock(`select id from cli_person where id = ${1000 + LEGACY} for update`);
    const first = await interrupt('cjs', ['backfill', 'Person', '--batch-size', '50', '--actor', 'ops'], cli.env, /^backfill Person: \d+\/20000 rows/m, 'SIGINT');
    await release();
    expect({ code: first.code, signal: first.signal }).toEqual({ code: null, signal: 'SIGINT' });
    const kept = await fork().count(PersonAudit, { _audit_reason: 'backfill' });
    expect(kept).toBeGreaterThanOrEqual(50);
    expect(kept).toBeLessThan(LEGACY);
    expect(kept % 50).toBe(0);
    const second = runBin(root, 'cjs', ['backfill', 'Person', '--actor', 'ops'], cli.env);
    expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 0, stdout: `Person: wrote ${LEGACY - kept} I versions ${inBatches(LEGACY - kept, 1000)}\n` });
    expect(second.stderr).toMatch(new RegExp(`backfill Person: ${LEGACY - kept}/${LEGACY - kept} rows \\(100%\\)`));
    const rows = await fork().find(PersonAudit, { id: { $gt: 1000 } }, { fields: ['id', '_audit_change_type', '_audit_actor', '_audit_reason'] });
    expect(rows.length).toBe(LEGACY);
    expect(new Set(rows.map(row => row.id)).size).toBe(LEGACY);
    expect(rows.every(row => row._audit_change_type === 'I' && row._audit_actor === 'ops' && row._audit_reason === 'backfill')).toBe(true);
    expect(await fork().count(PersonAudit, { id: { $lte: 2 } })).toBe(5); // the seeded history, untouched
    expect(runBin(root, 'cjs', ['backfill', '--all'], cli.env)).toMatchObject({ status: 0, stdout: 'Membership: wrote 0 I versions in 0 batches\nPerson: wrote 0 I versions in 0 batches\n' });
  });

  it('prune: a dry run counts; SIGKILL after the first progress line; run again, exit 0, the history an uninterrupted prune leaves', async () => {
    for (const age of [1, 2]) {
      await fork().nativeUpdate(Person, { id: { $gt: 1000 } }, { age });
    }
    const all = 5 + 3 * LEGACY;
    // Person 1 keeps its newest of 2 versions, Person 2 (deleted) its D row of 3; every legacy row its newest of 3.
    const expected = 1 + 2 + 2 * LEGACY;
    const dry = runBin(root, 'cjs', ['prune', 'Person', '--keep-last', '1', '--dry-run', '--batch-size', '20'], cli.env);
    expect({ status: dry.status, stdout: dry.stdout }).toEqual({ status: 0, stdout: `Person: would remove ${expected} versions ${inBatches(expected, 20)}\n` });
    expect(await fork().count(PersonAudit)).toBe(all);
    const release = await holdLock(`select _audit_id from cli_person_audit where id = ${1000 + LEGACY} for update`);
    const first = await interrupt('cjs', ['prune', 'Person', '--keep-last', '1', '--batch-size', '20'], cli.env, /^prune Person: .* [1-9]\d* removed/m, 'SIGKILL');
    await release();
    expect({ code: first.code, signal: first.signal }).toEqual({ code: null, signal: 'SIGKILL' });
    const between = await fork().count(PersonAudit);
    expect(between).toBeLessThan(all);
    expect(between).toBeGreaterThan(all - expected);
    const second = runBin(root, 'cjs', ['prune', 'Person', '--keep-last', '1'], cli.env);
    expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 0, stdout: `Person: removed ${between - (all - expected)} versions ${inBatches(between - (all - expected), 5000)}\n` });
    const left = await fork().find(PersonAudit, {}, { fields: ['id', 'age', '_audit_change_type'], orderBy: { id: 'asc' } });
    expect(left.length).toBe(all - expected);
    expect(left.slice(0, 2).map(row => [row.id, row._audit_change_type])).toEqual([[1, 'U'], [2, 'D']]);
    expect(left.slice(2).every(row => row.age === 2 && row._audit_change_type === 'U')).toBe(true);
  });
});

// Not a database matter: on SQLite only (the seeded history's file).
it('draws a progress bar on a terminal (a pseudo-terminal from script(1)), and plain lines there under NO_COLOR or CI', () => {
  const cli = databases.get('sqlite')!;
  const line = `script -qfec "$BIN prune Person --keep-last 1 --dry-run" /dev/null`;
  const bar = runShell(root, 'cjs', line, cli.env);
  expect(bar.status).toBe(0);
  expect(bar.stdout).toMatch(/prune Person \[[█░]+\] 100% \| \d+\/\d+ audit rows \| \d+ to remove \| \d+\/s/);
  for (const env of [{ NO_COLOR: '1' }, { CI: 'true' }] as Record<string, string>[]) {
    const plain = runShell(root, 'cjs', line, { ...cli.env, ...env });
    expect(plain.stdout).toMatch(/prune Person: \d+\/\d+ audit rows \(100%\), \d+ to remove, \d+\/s\r?\n/);
    expect(plain.stdout).not.toContain('█');
  }
});
