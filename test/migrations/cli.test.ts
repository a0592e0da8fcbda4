import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema } from '@mikro-orm/core';
import { auditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { ormMajor } from '../support/mikro.js';
import { migrationProject, projectRoot } from '../support/migrationProject.js';

// The user's workflow, through the real `mikro-orm` CLI and a config file: mark an entity, create a
// migration, apply it, and find nothing left to do. (No nullable varchar in the entity: MikroORM's mysql driver
// re-emits those on MariaDB for any table; test/migrations/create.test.ts covers that.)
const DRIVERS: Record<TestDatabase['name'], { module: string; driver: string }> = {
  sqlite: { module: '@mikro-orm/sqlite', driver: 'SqliteDriver' },
  postgresql: { module: '@mikro-orm/postgresql', driver: 'PostgreSqlDriver' },
  mariadb: { module: '@mikro-orm/mysql', driver: 'MySqlDriver' },
};

// Same tables as the CLI project's entity, so the suite can start from an empty database.
const Cleanup = auditTrail(
  new EntitySchema<{ id: number }>({ name: 'CliPerson', tableName: 'cli_person', properties: { id: { type: 'number', primary: true } } }),
);

function writeProject(dir: string, db: TestDatabase, dbName: string): void {
  const src = relative(dir, fileURLToPath(new URL('../../src/index.js', import.meta.url)));
  const decorators = ormMajor >= 7 ? '@mikro-orm/decorators/legacy' : '@mikro-orm/core';
  const { module, driver } = DRIVERS[db.name];
  const connection = Object.fromEntries(Object.entries(db.config(dbName)).filter(([key]) => key !== 'driver'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { experimentalDecorators: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022' } }));
  writeFileSync(
    join(dir, 'person.entity.ts'),
    `import { Entity, PrimaryKey, Property } from '${decorators}';
import { AuditTrail, auditContext } from '${src}';

@Entity({ tableName: 'cli_person' })
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', length: 50, value: () => auditContext.current()?.user ?? null }] })
export class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 100, unique: true }) email!: string;
  @Property({ type: 'number', nullable: true }) age?: number;
}
`,
  );
  writeFileSync(
    join(dir, 'mikro-orm.config.ts'),
    `import { ${driver} } from '${module}';
import { Migrator } from '@mikro-orm/migrations';
import { withAuditTrail } from '${src}';
import { Person } from './person.entity.js';

export default withAuditTrail({
  ...${JSON.stringify({ ...connection, dbName })},
  driver: ${driver},
  entities: [Person],
  extensions: [Migrator],
  migrations: { path: ${JSON.stringify(join(dir, 'migrations'))}, emit: 'ts', snapshot: false },
});
`,
  );
}

function cli(dir: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('npx', ['mikro-orm', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      MIKRO_ORM_CLI_CONFIG: join(dir, 'mikro-orm.config.ts'),
      MIKRO_ORM_CLI_ALWAYS_ALLOW_TS: '1',
      MIKRO_ORM_CLI_USE_TS_NODE: 'false',
      NODE_OPTIONS: '--import tsx',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.each(DATABASES.filter(db => db.available))('the mikro-orm CLI on $name', db => {
  let dir: string;
  let dbName: string;

  beforeAll(async () => {
    mkdirSync(projectRoot(), { recursive: true });
    dir = mkdtempSync(join(projectRoot(), `cli-${db.name}-`));
    dbName = db.name === 'sqlite' ? join(dir, 'app.db') : dbNameFor(import.meta.url);
    if (db.name !== 'sqlite') {
      const cleanup = migrationProject(db, dbName);
      await cleanup.open([Cleanup], { schemaCheck: 'off' });
      await cleanup.close();
    }
    writeProject(dir, db, dbName);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the audit table with migration:create and migration:up, then has nothing left to migrate', () => {
    const created = cli(dir, 'migration:create');
    expect(created.output).toMatch(/successfully created/);
    expect(created.status).toBe(0);
    const [file] = readdirSync(join(dir, 'migrations')).filter(name => name.endsWith('.ts'));
    const auditSql = readFileSync(join(dir, 'migrations', file!), 'utf8')
      .split('\n')
      .filter(line => line.includes('cli_person_audit'))
      .join('\n');
    expect(auditSql).toMatch(/create table [`"\\]*cli_person_audit/);
    expect(auditSql).not.toMatch(/foreign key|unique/i);

    const up = cli(dir, 'migration:up');
    expect(up.output).toMatch(/Successfully migrated up/);
    expect(up.status).toBe(0);

    const second = cli(dir, 'migration:create');
    expect(second.output).toMatch(/No changes required, schema is up-to-date/);
    expect(second.status).toBe(0);
    expect(readdirSync(join(dir, 'migrations')).filter(name => name.endsWith('.ts'))).toHaveLength(1);

    const dump = cli(dir, 'schema:update', '--dump');
    expect(dump.output).toMatch(/Schema is up-to-date/);
    expect(dump.status).toBe(0);
  });
});
