// Review of the 'warn' check running alongside the start: schema diffs and migrations right after init must still
// keep the history columns of removed properties; a database MikroORM creates at start must not hang or warn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type EntitySchemaMetadata, type Options } from '@mikro-orm/core';
import { auditOf, auditTrail, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { ormMajor } from '../support/mikro.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';

type Row = Record<string, unknown>;
type Properties = EntitySchemaMetadata<Row>['properties'];

const before: Properties = {
  id: { type: 'number', primary: true },
  name: { type: 'string', length: 50 },
  age: { type: 'number' },
};
const after = Object.fromEntries(Object.entries(before).filter(([name]) => name !== 'age'));

function release(n: number, properties: Properties): EntitySchema<Row> {
  return auditTrail(new EntitySchema<Row>({ name: `RvDiffMember${n}`, tableName: 'rv_diff_member', properties }));
}
const Before = release(1, before);
const After = release(2, after as Properties);

describe.each(DATABASES.filter(db => db.available).map(db => ({ db, name: db.name })))('a removed column under the default check on $name', ({ db }) => {
  let project: MigrationProject;
  beforeAll(() => {
    project = migrationProject(db, dbNameFor(import.meta.url));
  });
  afterAll(async () => {
    await project?.close();
  });

  it('getUpdateSchemaSQL called at once after init keeps the history column', async () => {
    const orm0 = await project.open([Before]);
    await project.migrate();
    const em = orm0.em.fork();
    em.create(Before, { id: 1, name: 'Ada', age: 36 });
    await em.flush();

    const orm = await project.open([After]);
    const sql = await (orm.schema as unknown as { getUpdateSchemaSQL(options: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
    expect(sql).toMatch(/drop column [`"]age[`"]|drop [`"]age[`"]/);
    expect(sql).not.toMatch(/rv_diff_member_audit/);
  });

  it('a migration created at once after init keeps it, and history keeps its data', async () => {
    const orm = await project.open([After]);
    const statements = await project.migrate();
    expect(statements.filter(statement => /rv_diff_member_audit/.test(statement))).toEqual([]);
    const rows = await orm.em.fork().find(auditOf(After) as EntitySchema<Row>, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.name, row.age])).toEqual([['Ada', 36]]);
  });

  it('two diffs started concurrently at once after init agree', async () => {
    const orm = await project.open([After]);
    const schema = orm.schema as unknown as { getUpdateSchemaSQL(options: object): Promise<string> };
    const [a, b] = await Promise.all([schema.getUpdateSchemaSQL({ wrap: false }), schema.getUpdateSchemaSQL({ wrap: false })]);
    expect(a).toBe(b);
    expect(a).not.toMatch(/rv_diff_member_audit/);
  });
});

// MikroORM 6 creates a missing database in orm.connect() (ensureDatabase): close -> connect to the management
// database -> create -> close -> connect. The check must not hang, nor warn.
for (const db of DATABASES.filter(d => d.name !== 'sqlite')) {
  describe.skipIf(!db.available)(`a missing database created at start on ${db.name}`, () => {
    const dbName = `${dbNameFor(import.meta.url)}_new`;
    const dropIt = async () => {
      const admin = await MikroORM.init({ ...db.config(dbName), entities: [], discovery: { warnWhenNoEntities: false }, ensureDatabase: false, connect: false } as Options);
      const schema = admin.schema as unknown as { dropDatabase(name?: string): Promise<void> };
      await schema.dropDatabase(dbName).catch(() => undefined);
      await admin.close(true);
    };
    beforeAll(dropIt);
    afterAll(dropIt);

    it('starts, logs nothing about audit tables, and close does not wait', async () => {
      const log: string[] = [];
      const started = Date.now();
      const orm = await MikroORM.init(withAuditTrail({ ...db.config(dbName), entities: [Before], logger: (line: string) => log.push(line), debug: ['discovery', 'info'] } as Options));
      const initMs = Date.now() - started;
      await orm.em.fork().getConnection().execute('select 1');
      const closing = Date.now();
      await orm.close(true);
      const closeMs = Date.now() - closing;
      expect(log.filter(line => /audit tables|do not match/.test(line))).toEqual([]);
      expect(initMs).toBeLessThan(3000);
      expect(closeMs).toBeLessThan(250);
      await dropIt();
    });

    it('created with ensureDatabase: { create: true }: no warning, the audit table is there', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(
        withAuditTrail({ ...db.config(dbName), entities: [Before], logger: (line: string) => log.push(line), debug: ['discovery', 'info'], ...(ormMajor < 7 && { ensureDatabase: { create: true } }) } as Options),
      );
      try {
        if (ormMajor < 7) {
          expect(await orm.em.fork().count(auditOf(Before) as EntitySchema<Row>)).toBe(0);
        }
      } finally {
        await orm.close(true);
      }
      expect(log.filter(line => /audit tables|do not match/.test(line))).toEqual([]);
      await dropIt();
    });
  });
}
