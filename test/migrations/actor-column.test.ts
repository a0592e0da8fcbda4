// Issue 12: `_audit_actor` reaches audit tables that existed before it through the migrator, like any added
// column, and `actor: false` later never drops it (history is never dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { auditContext, auditOf, auditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';

interface Parcel {
  id: number;
  weight: number;
}
const ParcelSchema = auditTrail(
  new EntitySchema<Parcel>({
    name: 'Parcel',
    tableName: 'parcel',
    properties: { id: { type: 'number', primary: true }, weight: { type: 'number' } },
  }),
);
const ParcelAudit = auditOf(ParcelSchema);

describe.each(DATABASES.filter(db => db.available))('the _audit_actor column through migrations on $name', db => {
  let project: MigrationProject;
  let orm: MikroORM;

  async function history(): Promise<unknown[][]> {
    const rows = await orm.em.fork().find(ParcelAudit, {}, { orderBy: { _audit_id: 'asc' } });
    return rows.map(row => [row.weight, row._audit_change_type, row._audit_actor]);
  }

  beforeAll(() => {
    project = migrationProject(db, dbNameFor(import.meta.url));
  });
  afterAll(async () => {
    await project?.close();
  });

  it('is added, indexed, to an audit table created without it; earlier versions have NULL', async () => {
    orm = await project.open([ParcelSchema], { actor: false });
    expect((await project.migrate()).join('\n')).not.toMatch(/_audit_actor/);
    const em = orm.em.fork();
    em.create(ParcelSchema, { id: 1, weight: 1 });
    await auditContext.run({ user: 'alice' }, () => em.flush());

    orm = await project.open([ParcelSchema]);
    const added = (await project.migrate()).filter(statement => /parcel_audit/.test(statement)).join('\n');
    expect(added).toMatch(new RegExp(`add (column )?[\`"]_audit_actor[\`"] ${db.name === 'sqlite' ? 'text' : 'varchar\\(255\\)'} null`));
    expect(added).toMatch(/index [`"]parcel_audit__audit_actor_index[`"]/);
    expect(added).not.toMatch(/drop/);
    const other = orm.em.fork();
    const parcel = await other.findOneOrFail(ParcelSchema, 1);
    parcel.weight = 2;
    await auditContext.run({ user: 'bob' }, () => other.flush());
    expect(await history()).toEqual([
      [1, 'I', null],
      [2, 'U', 'bob'],
    ]);
  });

  it('is kept with its values when actor: false is set later, and no longer filled', async () => {
    orm = await project.open([ParcelSchema], { actor: false });
    expect(await project.pendingStatements()).toEqual([]);
    const em = orm.em.fork();
    const parcel = await em.findOneOrFail(ParcelSchema, 1);
    parcel.weight = 3;
    await auditContext.run({ user: 'carol' }, () => em.flush());
    expect(await history()).toEqual([
      [1, 'I', null],
      [2, 'U', 'bob'],
      [3, 'U', null],
    ]);
  });
});
