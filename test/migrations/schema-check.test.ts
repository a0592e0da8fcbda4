import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { AuditTrailConfigError, allowAuditTableWrites, auditOf, auditTrail, withAuditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';

interface Staff {
  id: number;
  email: string;
}
const StaffSchema = auditTrail(
  new EntitySchema<Staff>({
    name: 'Staff',
    tableName: 'staff',
    properties: { id: { type: 'number', primary: true }, email: { type: 'string', length: 100, unique: true } },
  }),
);

// An audit table created by hand before the module was installed: `_audit_timestamp` missing, `email` of the
// wrong type, the source key NOT NULL and unique, and a NOT NULL column no entity fills. (`_audit_id` has the
// right type: MikroORM 7 cannot alter a serial column's type on PostgreSQL, audited or not.)
const HAND_MADE: Record<TestDatabase['name'], string[]> = {
  sqlite: [
    'create table `staff` (`id` integer not null primary key autoincrement, `email` text not null)',
    'create unique index `staff_email_unique` on `staff` (`email`)',
    'create table `staff_audit` (`_audit_id` integer not null primary key autoincrement, `id` integer not null unique, `email` integer null, `_audit_change_type` char(1) not null, `legacy` varchar(10) not null)',
  ],
  postgresql: [
    'create table "staff" ("id" int primary key, "email" varchar(100) not null)',
    'create table "staff_audit" ("_audit_id" bigserial primary key, "id" int not null unique, "email" int null, "_audit_change_type" char(1) not null, "legacy" varchar(10) not null)',
  ],
  mariadb: [
    'create table `staff` (`id` int primary key, `email` varchar(100) not null)',
    'create table `staff_audit` (`_audit_id` bigint unsigned auto_increment primary key, `id` int not null unique, `email` int null, `_audit_change_type` char(1) not null, `legacy` varchar(10) not null)',
  ],
};

describe.each(DATABASES.filter(db => db.available))('an existing, incompatible audit table on $name', db => {
  let project: MigrationProject;
  const dbName = dbNameFor(import.meta.url);

  async function init(moduleOptions: AuditTrailModuleOptions, log: string[] = []): Promise<MikroORM> {
    const name = db.name === 'sqlite' ? `${project.folder}/app.db` : dbName;
    return MikroORM.init(
      withAuditTrail({ ...db.config(name), dbName: name, entities: [StaffSchema], logger: (message: string) => log.push(message) } as Options, moduleOptions),
    );
  }

  beforeAll(async () => {
    project = migrationProject(db, dbName);
    const orm = await project.open([StaffSchema], { schemaCheck: 'off' });
    await allowAuditTableWrites(() => orm.schema.execute('drop table if exists staff_audit'));
    await orm.schema.execute('drop table if exists staff');
    for (const statement of HAND_MADE[db.name]) {
      await orm.schema.execute(statement);
    }
  });
  afterAll(async () => {
    await project?.close();
  });

  it("fails MikroORM.init with schemaCheck: 'error', naming each table and column", async () => {
    const error = await init({ schemaCheck: 'error' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuditTrailConfigError);
    const message = (error as Error).message;
    expect(message).toContain('staff_audit._audit_timestamp is missing');
    expect(message).toMatch(/staff_audit\.email has type int(eger|4)?, expected (text|varchar\(100\))/i);
    expect(message).toContain('staff_audit.id is NOT NULL, but history columns must accept NULL');
    if (db.name !== 'sqlite') {
      // MikroORM's SQLite reader does not list the automatic index behind an inline UNIQUE: only the migration's
      // table rebuild removes it there.
      expect(message).toMatch(/staff_audit\.id has the unique index \S+, which rejects a second version of a row/);
    }
    expect(message).toContain('staff_audit.legacy is NOT NULL, but no longer has a source column to fill it');
    expect(message).toContain('npx mikro-orm migration:create');
  });

  it('logs the same message by default, alongside the start (orm.close() waits for it), and starts', async () => {
    const log: string[] = [];
    const orm = await init({}, log);
    await orm.close(true);
    const warnings = log.filter(line => line.includes('do not match their audited entities'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('staff_audit.email has type');
  });

  it('lets the migrator produce the fix; afterwards the check is quiet and history is written', async () => {
    const orm = await project.open([StaffSchema], { schemaCheck: 'off' });
    // MikroORM's SQLite diff adds the missing columns first and rebuilds the table for the changed ones in a
    // second migration; the other databases need one.
    const statements = (await project.migrate(db.name === 'sqlite' ? 2 : 1)).join('\n');
    expect(statements).toMatch(/_audit_timestamp/);
    expect(statements).not.toMatch(/drop (column )?[`"]legacy[`"]/);
    await orm.close(true);

    const log: string[] = [];
    const checked = await init({ schemaCheck: 'error' }, log);
    try {
      const em = checked.em.fork();
      em.create(StaffSchema, { id: 1, email: 'grace@example.com' });
      await em.flush();
      em.getReference(StaffSchema, 1).email = 'grace.hopper@example.com';
      await em.flush();
      const rows = await checked.em.fork().find(auditOf(StaffSchema), {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row.id, row.email, row._audit_change_type, (row as Record<string, unknown>).legacy])).toEqual([
        [1, 'grace@example.com', 'I', null],
        [1, 'grace.hopper@example.com', 'U', null],
      ]);
    } finally {
      await checked.close(true);
    }
  });
});

describe('the startup read of audit tables', () => {
  // Nothing listens on port 1: any attempt to read the database fails at once.
  const unreachable = { driver: PostgreSqlDriver, dbName: 'audit_unreachable', host: '127.0.0.1', port: 1, user: 'postgres' };

  it('does not touch the database when the config says connect: false', async () => {
    const log: string[] = [];
    const orm = await MikroORM.init(withAuditTrail({ ...unreachable, connect: false, entities: [StaffSchema], logger: (message: string) => log.push(message) } as Options));
    await orm.close(true);
    expect(log.filter(line => /audit tables/.test(line))).toEqual([]);
  });

  it('says so, and starts, when the database cannot be read', async () => {
    const log: string[] = [];
    // ensureDatabase: false, so that MikroORM 6 itself starts without the database too.
    const orm = await MikroORM.init(withAuditTrail({ ...unreachable, ensureDatabase: false, entities: [StaffSchema], logger: (message: string) => log.push(message) } as Options));
    await orm.close(true);
    const warnings = log.filter(line => line.includes('could not read the audit tables'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/columns removed from audited entities are not kept/);
  });
});
