// The installed bin (`npm pack`, installed as users get it) finds and loads the application's config as the
// mikro-orm CLI does: a TypeScript config at ./src/mikro-orm.config.ts, ESM and CommonJS configs at
// ./mikro-orm.config.js, --config, --context, MIKRO_ORM_CLI_CONFIG, package.json "mikro-orm".configPaths; and
// answers every config it cannot use with exit 2 and the fix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ormMajor } from '../packaging/consumerProjects.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { cliDatabase, type CliDatabase } from './support/cliDatabase.js';
import { installCliProjects, runBin } from './support/installedCli.js';

const database = (name: string) => DATABASES.find(db => db.name === name)!;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;
// MikroORM 6's CLI warns "ts-node not installed" in JavaScript projects before anything else; so does the bin.
const errorOf = (stderr: string) => stderr.slice(stderr.indexOf('error: '));
const entityNames = (stdout: string) => (json(stdout).entities as { entity: string }[]).map(entity => entity.entity);

let root: string;
let sqlite: CliDatabase;
let postgres: CliDatabase;
let mariadb: CliDatabase;

beforeAll(async () => {
  root = installCliProjects();
  const name = `${dbNameFor(import.meta.url)}_v${ormMajor}`;
  [sqlite, postgres, mariadb] = await Promise.all([cliDatabase(database('sqlite'), name), cliDatabase(database('postgresql'), name), cliDatabase(database('mariadb'), name)]);
}, 900_000);

describe(`the installed bin loads configs as the mikro-orm CLI does (MikroORM ${ormMajor})`, () => {
  it('finds a TypeScript config at ./src/mikro-orm.config.ts (decorated entities) and reads PostgreSQL', () => {
    const run = runBin(root, 'ts', ['status', '--json'], postgres.env);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(entityNames(run.stdout)).toEqual(['Membership', 'Person']);
  });

  it('finds an ESM JavaScript config at ./mikro-orm.config.js and reads MariaDB', () => {
    const run = runBin(root, 'esm', ['history', 'Person', '1', '--json'], mariadb.env);
    expect(run.status).toBe(0);
    expect((json(run.stdout).versions as { _audit_actor: string }[]).map(v => v._audit_actor)).toEqual(['alice', 'bob']);
  });

  it('finds a CommonJS config at ./mikro-orm.config.js and reads SQLite', () => {
    const run = runBin(root, 'cjs', ['as-of', 'Person', '1', sqlite.seeded.T1.toISOString(), '--json'], sqlite.env);
    expect(run.status).toBe(0);
    expect(json(run.stdout).state).toMatchObject({ id: 1, email: 'ada@example.com' });
  });

  it('takes --config and --context (an exported array of named configs), and MIKRO_ORM_CLI_CONFIG with MIKRO_ORM_CONTEXT_NAME', () => {
    const flags = runBin(root, 'cjs', ['--config', 'config/contexts.js', '--context', 'audited', 'status', '--json'], sqlite.env);
    expect(flags.status).toBe(0);
    expect(entityNames(flags.stdout)).toEqual(['Membership', 'Person']);
    const after = runBin(root, 'cjs', ['status', '--json', '--config', 'config/contexts.js', '--context', 'audited'], sqlite.env);
    expect(after.status).toBe(0);
    const variables = runBin(root, 'cjs', ['status', '--json'], { ...sqlite.env, MIKRO_ORM_CLI_CONFIG: 'config/contexts.js', MIKRO_ORM_CONTEXT_NAME: 'audited' });
    expect(variables.status).toBe(0);
    expect(entityNames(variables.stdout)).toEqual(['Membership', 'Person']);
  });

  it('takes the config paths of package.json "mikro-orm": { "configPaths" }', () => {
    const run = runBin(root, 'paths', ['--context', 'audited', 'status', '--json'], sqlite.env);
    expect(run.status).toBe(0);
    expect(entityNames(run.stdout)).toEqual(['Membership', 'Person']);
    const noContext = runBin(root, 'paths', ['status'], sqlite.env);
    expect(noContext.status).toBe(2);
    expect(noContext.stderr).toContain("error: MikroORM config 'default' was not found within the config file");
    expect(noContext.stderr).toContain('give its path with --config <path> or MIKRO_ORM_CLI_CONFIG');
  });

  it('answers a config without withAuditTrail(), or without audited entities, with exit 2 and the fix', () => {
    const plain = runBin(root, 'cjs', ['--config', 'config/contexts.js', '--context', 'plain', 'status'], sqlite.env);
    expect({ ...plain, stderr: errorOf(plain.stderr) }).toEqual({
      status: 2,
      stdout: '',
      stderr: expect.stringMatching(/^error: The MikroORM config is not set up for the audit trail\. Export withAuditTrail\(\{ \.\.\. \}\) from it/) as string,
    });
    const none = runBin(root, 'cjs', ['--config', 'config/contexts.js', '--context', 'none', 'history', 'Person', '1'], sqlite.env);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('error: The MikroORM config has no audited entities. Mark an entity with @AuditTrail()');
  });

  it('answers a missing config file, a config that fails, and a project without @mikro-orm/cli with exit 2', () => {
    const missing = runBin(root, 'cjs', ['--config', 'nowhere.js', 'status'], sqlite.env);
    expect(missing.status).toBe(2);
    expect(errorOf(missing.stderr)).toMatch(/^error: MikroORM config file not found in \['nowhere\.js'\]\. The CLI loads the MikroORM config as the mikro-orm CLI does: give its path with --config <path>/);
    const failing = runBin(root, 'cjs', ['status'], {});
    expect(failing.status).toBe(2);
    expect(errorOf(failing.stderr)).toMatch(/^error: .*JSON/);
    expect(failing.stderr).not.toContain('    at ');
    expect(runBin(root, 'cjs', ['--verbose', 'status'], {}).stderr).toContain('    at ');
    const nocli = runBin(root, 'nocli', ['status'], sqlite.env);
    expect({ ...nocli, stderr: errorOf(nocli.stderr) }).toEqual({
      status: 2,
      stdout: '',
      stderr: 'error: MikroORM loads configs only for a project that lists @mikro-orm/cli in its package.json, as its own CLI does. Add it: npm i -D @mikro-orm/cli (or set MIKRO_ORM_ALLOW_GLOBAL_CLI=1).\n',
    });
  });

  it('prints help and its version without loading any config, and refuses unknown commands with exit 2', () => {
    const help = runBin(root, 'cjs', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: mikro-orm-audit-trail [options] [command]');
    const version = runBin(root, 'cjs', ['--version']);
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/mikro-orm-audit-trail/package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ status: 0, stdout: `${installed.version}\n`, stderr: '' });
    expect(runBin(root, 'cjs', ['stats'])).toEqual({ status: 2, stdout: '', stderr: "error: unknown command 'stats'\n(Did you mean status?). See npx mikro-orm-audit-trail --help.\n" });
    const none = runBin(root, 'cjs', []);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Usage: mikro-orm-audit-trail [options] [command]');
  });
});
