// The packed package installed as users get it, with the consumer projects the CLI tests run its bin in:
// `ts` (a TypeScript config at ./src/mikro-orm.config.ts, CommonJS, run through ts-node on MikroORM 6 and tsx on 7,
// as each MikroORM CLI registers them), `esm` (an ESM JavaScript config), `cjs` (a CommonJS one, with named
// contexts in config/contexts.js), `paths` (cjs whose package.json names its config in "mikro-orm".configPaths)
// and `nocli` (cjs whose package.json does not list @mikro-orm/cli). One npm install per test file.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devDependency, installDependencies, ormMajor, ormVersion, packedTarball } from '../../packaging/consumerProjects.js';

const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));

/** A project the bin runs in. */
export type CliProject = 'ts' | 'esm' | 'cjs' | 'paths' | 'nocli';

/** What one run of the bin printed, and its exit code. */
export interface BinRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// The SQLite driver's native addon: sqlite3 on MikroORM 6, built for this Node by this repository's install
// (compiling it again takes minutes, so the install skips scripts and copies the build in); better-sqlite3 on 7,
// which ships its builds in the package.
const NATIVE = ormMajor >= 7 ? 'better-sqlite3' : 'sqlite3';

/** Installs the packed package, MikroORM and the projects into a new folder; returns it. */
export function installCliProjects(): string {
  const root = mkdtempSync(join(tmpdir(), `audit-cli-v${ormMajor}-`));
  const native = dirname(createRequire(join(process.cwd(), 'package.json')).resolve(`${NATIVE}/package.json`));
  const orm = (name: string) => ({ [`@mikro-orm/${name}`]: ormVersion });
  const dependencies: Record<string, string> = {
    'mikro-orm-audit-trail': `file:${packedTarball()}`,
    ...orm('core'),
    ...orm('cli'),
    ...orm('sqlite'),
    ...orm('postgresql'),
    ...orm('mysql'),
    // MikroORM 7's legacy decorators read types through reflect-metadata, as its docs tell users to install.
    ...(ormMajor >= 7 ? { ...orm('decorators'), tsx: devDependency('tsx'), 'reflect-metadata': devDependency('reflect-metadata') } : { 'ts-node': '10.9.2' }),
    typescript: devDependency('typescript'),
    [NATIVE]: (JSON.parse(readFileSync(join(native, 'package.json'), 'utf8')) as { version: string }).version,
  };
  installDependencies(root, 'audit-cli-consumers', dependencies, true);
  if (existsSync(join(native, 'build'))) {
    cpSync(join(native, 'build'), join(root, 'node_modules', NATIVE, 'build'), { recursive: true });
  }
  const project = (name: CliProject, from: string, type: 'module' | 'commonjs', extra: object = {}, deps: Record<string, string> = dependencies) => {
    cpSync(join(fixtures, from), join(root, name), { recursive: true });
    writeFileSync(join(root, name, 'package.json'), JSON.stringify({ name: `cli-${name}`, private: true, type, dependencies: deps, ...extra }, null, 2));
  };
  project('ts', 'ts', 'commonjs');
  if (ormMajor < 7) {
    // Only the TypeScript project has ts-node, as in real projects: MikroORM 6's CLI registers it wherever it is
    // found, and then fails in a project without a tsconfig.json (its dependencies stay where npm put them).
    mkdirSync(join(root, 'ts/node_modules'));
    renameSync(join(root, 'node_modules/ts-node'), join(root, 'ts/node_modules/ts-node'));
  }
  writeFileSync(
    join(root, 'ts/src/decorators.ts'),
    `export { Entity, PrimaryKey, Property } from '${ormMajor >= 7 ? '@mikro-orm/decorators/legacy' : '@mikro-orm/core'}';\n`,
  );
  // MikroORM 7's CLI registers tsx (found at the root, for the TypeScript project) wherever it runs, and tsx then
  // wants a tsconfig.json: a JavaScript project says it has no TypeScript, as MikroORM documents.
  project('esm', 'esm', 'module', { 'mikro-orm': { preferTs: false } });
  project('cjs', 'cjs', 'commonjs');
  project('paths', 'cjs', 'commonjs', { 'mikro-orm': { configPaths: ['./config/contexts.js'] } });
  const withoutCli = Object.fromEntries(Object.entries(dependencies).filter(([name]) => name !== '@mikro-orm/cli'));
  project('nocli', 'cjs', 'commonjs', {}, withoutCli);
  return root;
}

/** The installed bin, as `npx mikro-orm-audit-trail` runs it. */
export function binOf(root: string): string {
  return join(root, 'node_modules/.bin/mikro-orm-audit-trail');
}

/**
 * Runs the installed bin in a project, with stdout and stderr piped (not a terminal). Color and CI variables of
 * this process are left out unless `env` sets them.
 */
export function runBin(root: string, project: CliProject, args: readonly string[], env: Record<string, string> = {}): BinRun {
  const run = spawnSync(binOf(root), args, { cwd: join(root, project), encoding: 'utf8', env: { ...inheritedEnv(), ...env }, timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs a shell command line in a project (pipes, a pseudo-terminal through `script`), with the bin as `$BIN`. */
export function runShell(root: string, project: CliProject, line: string, env: Record<string, string> = {}): BinRun {
  const run = spawnSync('bash', ['-c', line], { cwd: join(root, project), encoding: 'utf8', env: { ...inheritedEnv(), BIN: binOf(root), ...env }, timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// This process's environment without what would change the bin's behaviour: colors, CI, and MIKRO_ORM_* variables
// (MikroORM sets MIKRO_ORM_COLORS in the process that ran it, and its loader builds a config from any of them).
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(NO_COLOR|FORCE_COLOR|CI|MIKRO_ORM_.*)$/.test(name)));
}
