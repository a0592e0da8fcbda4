import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, type EntitySchemaMetadata, type MikroORM } from '@mikro-orm/core';
import { auditOf, auditTrail, type AuditTrailOptions } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';

// Successive releases of one application: each `PersonVn` maps the same `person` table (and so the same
// `person_audit` table) as the entity stood after one schema change.
type Row = Record<string, unknown>;
type Properties = EntitySchemaMetadata<Row>['properties'];

const Team = new EntitySchema<Row>({
  name: 'Team',
  tableName: 'team',
  properties: { id: { type: 'number', primary: true }, label: { type: 'string', length: 30 } },
});

const v1: Properties = {
  id: { type: 'number', primary: true },
  name: { type: 'string', length: 50 },
  age: { type: 'number' },
  email: { type: 'string', length: 100 },
};
const added = { ...v1, nickname: { type: 'string', length: 20, nullable: true } } as Properties;
const renamed = { ...without(added, 'name'), fullName: { type: 'string', length: 50, fieldName: 'full_name' } } as Properties;
const widened = { ...renamed, fullName: { type: 'string', length: 200, fieldName: 'full_name' } } as Properties;
const madeUnique = { ...widened, email: { type: 'string', length: 100, unique: true } } as Properties;
const withRelation = { ...madeUnique, team: { kind: 'm:1', entity: () => Team, nullable: true } } as Properties;
const removed = without(withRelation, 'age');

function without(properties: Properties, name: string): Properties {
  return Object.fromEntries(Object.entries(properties!).filter(([key]) => key !== name)) as Properties;
}

function version(n: number, properties: Properties, options?: AuditTrailOptions): EntitySchema<Row> {
  return auditTrail(new EntitySchema<Row>({ name: `PersonV${n}`, tableName: 'person', properties }), options);
}

const V1 = version(1, v1);
const V2 = version(2, added);
const V3 = version(3, renamed);
const V4 = version(4, widened);
const V5 = version(5, madeUnique);
const V6 = version(6, withRelation);
const V7 = version(7, removed);
const V8 = version(8, removed, { dropRemovedColumns: ['age'] });

function auditStatements(statements: string[]): string {
  return statements.filter(statement => /person_audit/.test(statement)).join('\n');
}

// Each step depends on the previous one's database, so the steps run in order on one database. The migrator
// diffs against the database, or (MikroORM's default) against the snapshot it writes next to the migrations.
const CASES = DATABASES.filter(db => db.available).flatMap(db => [
  { db, name: db.name, snapshot: false, mode: 'the database' },
  { db, name: db.name, snapshot: true, mode: 'its snapshot' },
]);

describe.each(CASES)('schema evolution of an audited entity on $name, diffing against $mode', ({ db, snapshot }) => {
  let project: MigrationProject;
  let orm: MikroORM;

  async function history(entity: EntitySchema<Row>): Promise<Row[]> {
    return orm.em.fork().find(auditOf(entity) as EntitySchema<Row>, {}, { orderBy: { _audit_id: 'asc' } });
  }
  async function update(entity: EntitySchema<Row>, id: number, data: Row): Promise<void> {
    const em = orm.em.fork();
    const row = await em.findOneOrFail(entity, { id });
    em.assign(row, data);
    await em.flush();
  }

  beforeAll(() => {
    project = migrationProject(db, dbNameFor(import.meta.url), { snapshot });
  });
  afterAll(async () => {
    await project?.close();
  });

  it('creates the audit table with the entity, and records history', async () => {
    orm = await project.open([Team, V1]);
    const ddl = auditStatements(await project.migrate());
    expect(ddl).toMatch(/create table [`"]person_audit[`"]/);
    expect(ddl).not.toMatch(/unique|foreign key/i);
    const em = orm.em.fork();
    em.create(V1, { id: 1, name: 'Ada', age: 36, email: 'ada@example.com' });
    await em.flush();
    await update(V1, 1, { age: 37 });
    expect(await history(V1)).toMatchObject([
      { id: 1, name: 'Ada', age: 36, _audit_change_type: 'I' },
      { id: 1, name: 'Ada', age: 37, _audit_change_type: 'U' },
    ]);
  });

  it('adds a column to history as nullable, leaving earlier versions NULL', async () => {
    orm = await project.open([Team, V2]);
    const ddl = auditStatements(await project.migrate());
    expect(ddl).toMatch(/add (column )?[`"]nickname[`"]/);
    expect(ddl).not.toMatch(/not null/i);
    await update(V2, 1, { nickname: 'Countess' });
    const rows = await history(V2);
    expect(rows.map(row => row.nickname)).toEqual([null, null, 'Countess']);
  });

  it('renames a column in history too, so earlier versions keep their values under the new name', async () => {
    orm = await project.open([Team, V3]);
    const ddl = auditStatements(await project.migrate());
    expect(ddl).not.toMatch(/drop/i);
    await update(V3, 1, { fullName: 'Ada Lovelace' });
    const rows = await history(V3);
    // MariaDB through the mysql driver: `change old new type`.
    expect(ddl).toMatch(/rename column [`"]name[`"] to [`"]full_name[`"]|change [`"]name[`"] [`"]full_name[`"]/);
    expect(rows.map(row => row.fullName)).toEqual(['Ada', 'Ada', 'Ada', 'Ada Lovelace']);
  });

  it('widens a column in history with its source column', async () => {
    orm = await project.open([Team, V4]);
    const statements = await project.migrate();
    if (db.name !== 'sqlite') {
      // SQLite has no length limit to widen: MikroORM emits nothing for either table there.
      expect(auditStatements(statements)).toMatch(/full_name[`"]? (type )?varchar\(200\)/);
    }
    const long = 'Augusta Ada King, Countess of Lovelace, née Byron'.padEnd(120, '.');
    await update(V4, 1, { fullName: long });
    const rows = await history(V4);
    expect(rows.at(-1)!.fullName).toBe(long);
    expect(rows[0]!.fullName).toBe('Ada');
  });

  it('keeps history non-unique when the source column becomes unique', async () => {
    orm = await project.open([Team, V5]);
    const statements = await project.migrate();
    expect(statements.join('\n')).toMatch(/unique/i);
    expect(auditStatements(statements)).toBe('');
    await update(V5, 1, { nickname: 'Enchantress' });
    const emails = (await history(V5)).map(row => row.email);
    expect(emails.length).toBe(6);
    expect(new Set(emails)).toEqual(new Set(['ada@example.com']));
  });

  it('adds a relation to history as a plain indexed column without foreign key', async () => {
    orm = await project.open([Team, V6]);
    const ddl = auditStatements(await project.migrate());
    expect(ddl).toMatch(/[`"]team_id[`"]/);
    expect(ddl).toMatch(/index/i);
    expect(ddl).not.toMatch(/foreign key|references/i);
    const em = orm.em.fork();
    em.create(Team, { id: 7, label: 'Analytical Engine' });
    await em.flush();
    await update(V6, 1, { team: 7 });
    const last = (await history(V6)).at(-1)!;
    expect(last.team).toMatchObject({ id: 7 });
  });

  it('keeps a removed column in history, with its data, and leaves it NULL in new versions', async () => {
    orm = await project.open([Team, V7]);
    const statements = await project.migrate();
    expect(statements.join('\n')).toMatch(/drop column [`"]age[`"]|drop [`"]age[`"]/);
    expect(auditStatements(statements)).toBe('');
    await update(V7, 1, { nickname: 'Ada' });
    const rows = await history(V7);
    expect(rows.map(row => row.age)).toEqual([36, 37, 37, 37, 37, 37, 37, null]);
    expect(rows.at(-1)).toMatchObject({ fullName: expect.stringMatching(/^Augusta/), nickname: 'Ada' });
  });

  it('drops a removed column from history only when dropRemovedColumns names it', async () => {
    orm = await project.open([Team, V8]);
    const ddl = auditStatements(await project.migrate());
    expect(ddl).toMatch(/[`"]age[`"]/);
    expect(ddl).toMatch(/drop/i);
    const rows = await history(V8);
    expect(rows).toHaveLength(8);
    expect(rows[0]).not.toHaveProperty('age');
  });
});
