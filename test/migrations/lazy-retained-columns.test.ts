// With `schemaCheck: 'off'` nothing is read when MikroORM starts; the history columns of removed properties are
// read right before the schema generator or the migrator diffs, and kept, as with the check on (evolution.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, type EntityMetadata, type EntitySchemaMetadata, type MikroORM } from '@mikro-orm/core';
import { auditOf, auditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
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
  return auditTrail(new EntitySchema<Row>({ name: `LazyMember${n}`, tableName: 'lazy_member', properties }));
}

const Before = release(1, before);
const After = release(2, after as Properties);

function auditPropertyNames(orm: MikroORM, entity: EntitySchema<Row>): string[] {
  const all = orm.getMetadata().getAll() as unknown as Map<unknown, EntityMetadata> | Record<string, EntityMetadata>;
  const metas = all instanceof Map ? [...all.values()] : Object.values(all);
  return Object.keys(metas.find(meta => meta.className === auditOf(entity).meta.className)!.properties);
}

const CASES = DATABASES.filter(db => db.available).flatMap(db => [
  { db, name: db.name, snapshot: false, mode: 'the database' },
  { db, name: db.name, snapshot: true, mode: 'its snapshot' },
]);

describe.each(CASES)("a removed column under schemaCheck: 'off' on $name, diffing against $mode", ({ db, snapshot }) => {
  let project: MigrationProject;

  beforeAll(() => {
    project = migrationProject(db, dbNameFor(import.meta.url), { snapshot });
  });
  afterAll(async () => {
    await project?.close();
  });

  it('is read only when the migrator diffs, and kept in history with its data', async () => {
    let orm = await project.open([Before], { schemaCheck: 'off' });
    await project.migrate();
    const em = orm.em.fork();
    em.create(Before, { id: 1, name: 'Ada', age: 36 });
    await em.flush();

    orm = await project.open([After], { schemaCheck: 'off' });
    // Nothing was read at startup: the audit entity does not know the column yet.
    expect(auditPropertyNames(orm, After)).not.toContain('age');
    const statements = await project.migrate();
    expect(statements.join('\n')).toMatch(/drop column [`"]age[`"]|drop [`"]age[`"]/);
    expect(statements.filter(statement => /lazy_member_audit/.test(statement))).toEqual([]);
    expect(auditPropertyNames(orm, After)).toContain('age');
    const rows = await orm.em.fork().find(auditOf(After) as EntitySchema<Row>, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.name, row.age])).toEqual([['Ada', 36]]);
  });

  it("is kept by the schema generator's own diff too", async () => {
    const orm = await project.open([After], { schemaCheck: 'off' });
    expect(auditPropertyNames(orm, After)).not.toContain('age');
    const sql = await (orm.schema as unknown as { getUpdateSchemaSQL(options: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
    expect(sql).not.toMatch(/lazy_member_audit/);
    expect(auditPropertyNames(orm, After)).toContain('age');
  });
});

// The default check runs alongside the start; what it finds changes the audit entity, so the application's first
// statements wait for it rather than read history without the removed column.
describe.each(DATABASES.filter(db => db.available))('a removed column under the default check on $name', db => {
  let project: MigrationProject;

  beforeAll(() => {
    project = migrationProject(db, `${dbNameFor(import.meta.url)}_default`);
  });
  afterAll(async () => {
    await project?.close();
  });

  it('is in history read right after MikroORM.init, before the check could have finished alongside', async () => {
    let orm = await project.open([Before], { schemaCheck: 'off' });
    await project.migrate();
    const em = orm.em.fork();
    em.create(Before, { id: 1, name: 'Ada', age: 36 });
    await em.flush();

    orm = await project.open([After], {});
    const [rows, count] = await Promise.all([
      orm.em.fork().find(auditOf(After) as EntitySchema<Row>, {}, { orderBy: { _audit_id: 'asc' } }),
      orm.em.fork().transactional(tx => tx.count(auditOf(After) as EntitySchema<Row>)),
    ]);
    expect(rows.map(row => [row.name, row.age])).toEqual([['Ada', 36]]);
    expect(count).toBe(1);
  });
});
