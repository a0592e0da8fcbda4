// Installs the packed package (the tarball `npm pack` makes, as users get it) into real consumer projects: one
// npm install per run, each project a folder with its own package.json `type` and tsconfig beside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

/** The MikroORM version this suite runs on (6.6 in the main run, 7.x in the MikroORM 7 run). */
export const ormVersion = (createRequire(join(process.cwd(), 'package.json'))('@mikro-orm/core/package.json') as { version: string }).version;
export const ormMajor = Number(ormVersion.split('.')[0]);

export interface ConsumerRun {
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON object the consumer prints on its last line. */
  readonly result: Record<string, unknown>;
}

/** The tarball: packed here from the repository, or given by the MikroORM 7 run, which packs before copying tests. */
export function packedTarball(): string {
  const given = process.env.AUDIT_PACKAGE_TARBALL;
  if (given) {
    return given;
  }
  const destination = mkdtempSync(join(tmpdir(), 'audit-pack-'));
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [{ filename }] = JSON.parse(output.slice(output.indexOf('['))) as [{ filename: string }];
  return join(destination, filename);
}

/** A folder holding every consumer project, with the tarball and this run's MikroORM installed from the registry. */
export function installConsumers(tarball: string, extraDependencies: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), `audit-consumers-v${ormMajor}-`));
  for (const name of readdirSync(fixtures)) {
    // The MikroORM CLI insists on being a dependency of the project it runs in: that project is the root one.
    const project = name === 'cli' ? root : join(root, name);
    cpSync(join(fixtures, name), project, { recursive: true });
    writeVersionShim(project);
  }
  const orm = (name: string) => ({ [`@mikro-orm/${name}`]: ormVersion });
  const dependencies = {
    'mikro-orm-audit-trail': `file:${tarball}`,
    ...orm('core'),
    ...orm('postgresql'),
    ...orm('mysql'),
    ...orm('migrations'),
    ...orm('cli'),
    ...(ormMajor >= 7 ? orm('decorators') : {}),
    // The NestJS application: Nest 11 (CommonJS, as `nest new` makes it) and @mikro-orm/nestjs for this MikroORM.
    '@nestjs/common': devDependency('@nestjs/common'),
    '@nestjs/core': devDependency('@nestjs/core'),
    '@nestjs/platform-express': devDependency('@nestjs/platform-express'),
    '@mikro-orm/nestjs': ormMajor >= 7 ? '7.1.0' : devDependency('@mikro-orm/nestjs'),
    rxjs: devDependency('rxjs'),
    // The README's examples for the other frameworks.
    express: devDependency('express'),
    '@types/express': devDependency('@types/express'),
    fastify: devDependency('fastify'),
    koa: devDependency('koa'),
    '@types/koa': devDependency('@types/koa'),
    'reflect-metadata': devDependency('reflect-metadata'),
    typescript: devDependency('typescript'),
    '@types/node': devDependency('@types/node'),
    ...extraDependencies,
  };
  installDependencies(root, 'audit-consumers', dependencies);
  return root;
}

/**
 * Writes `root`'s package.json with these dependencies and installs them from the registry: one npm install.
 * `ignoreScripts` skips every install script (native addons then need their build copied in).
 */
export function installDependencies(root: string, name: string, dependencies: Record<string, string>, ignoreScripts = false): void {
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, private: true, type: 'commonjs', dependencies }, null, 2));
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...(ignoreScripts ? ['--ignore-scripts'] : [])];
  execFileSync('npm', ['install', ...flags], { cwd: root, stdio: 'inherit' });
}

/** Compiles (when it has a tsconfig) and runs one consumer project; throws with its output when it fails. */
export function runConsumer(root: string, project: string, commands: readonly (readonly string[])[], env: Record<string, string>): ConsumerRun {
  let stdout = '';
  let stderr = '';
  for (const [command, ...args] of commands) {
    const run = spawnSync(command!, args, { cwd: project === 'cli' ? root : join(root, project), encoding: 'utf8', env: { ...process.env, ...env } });
    stdout += run.stdout;
    stderr += run.stderr;
    if (run.status !== 0) {
      throw new Error(`${[command, ...args].join(' ')} failed in ${project} (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    }
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  return { stdout, stderr, result: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : {} };
}

export const tsc = (root: string): string[] => ['node', join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'];

// The only lines that differ between MikroORM 6 and 7 for these projects: where decorators live, how to refresh.
function writeVersionShim(project: string): void {
  const src = join(project, 'src');
  const decorators = ormMajor >= 7 ? '@mikro-orm/decorators/legacy' : '@mikro-orm/core';
  const refresh = ormMajor >= 7 ? 'orm.schema.refresh()' : 'orm.getSchemaGenerator().refreshDatabase()';
  if (!existsSync(join(project, 'tsconfig.json'))) {
    return;
  }
  writeFileSync(
    join(src, 'decorators.ts'),
    [
      `export { Entity, PrimaryKey, Property } from '${decorators}';`,
      `import { allowAuditTableWrites } from 'mikro-orm-audit-trail';`,
      `export async function refreshSchema(orm: ${ormMajor >= 7 ? '{ schema: { refresh(): Promise<void> } }' : '{ getSchemaGenerator(): { refreshDatabase(): Promise<void> } }'}): Promise<void> {`,
      `  await allowAuditTableWrites(() => ${refresh});`,
      `}`,
      '',
    ].join('\n'),
  );
}

/** The version of one of this repository's dev dependencies, for projects that need the same. */
export function devDependency(name: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return pkg.devDependencies[name]!;
}
