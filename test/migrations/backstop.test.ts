import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { allowUnauditedWrites, auditContext, auditOf, auditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { ormMajor } from '../support/mikro.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';
import { SERVER_DATABASES } from '../support/suite.js';

interface Ledger {
  id: number;
  balance: number;
}
const LedgerSchema = auditTrail(
  new EntitySchema<Ledger>({
    name: 'Ledger',
    tableName: 'ledger',
    properties: { id: { type: 'number', primary: true }, balance: { type: 'number' } },
  }),
  { trackFields: [{ name: 'username', type: 'string', length: 100, value: () => auditContext.current()?.user ?? null }] },
);
const LedgerAudit = auditOf<typeof LedgerSchema, { username: string | null }>(LedgerSchema);
const moduleOptions: AuditTrailModuleOptions = { triggerBackstop: { actorField: 'username' } };

// A client other than the application: the database's own command-line client, as an operator would use it.
function otherClient(db: string, dbName: string, sql: string): void {
  if (db === 'postgresql') {
    execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', dbName, '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  } else {
    execFileSync('mariadb', ['-h', '127.0.0.1', '-u', 'root', dbName, '-e', sql]);
  }
}

// MikroORM 7's schema diff re-creates MySQL/MariaDB triggers in every migration: refused there at startup.
const supported = (name: string) => name === 'postgresql' || ormMajor < 7;

describe.each(SERVER_DATABASES.filter(db => db.available && !supported(db.name)))('the trigger backstop on $name with MikroORM 7', db => {
  it('is refused at startup, naming the reason', async () => {
    const project = migrationProject(db, dbNameFor(import.meta.url));
    try {
      await expect(project.open([LedgerSchema], moduleOptions)).rejects.toThrow(/triggerBackstop option installs PostgreSQL triggers .* re-creates MySQL\/MariaDB triggers/);
    } finally {
      await project.close();
    }
  });
});

describe.each(SERVER_DATABASES.filter(db => db.available && supported(db.name)))('the trigger backstop on $name', db => {
  it('refuses, on MySQL/MariaDB, dates stored in the local time zone a trigger cannot know, at startup', async () => {
    const project = migrationProject(db, `${dbNameFor(import.meta.url)}_zone`);
    try {
      const opening = project.open([LedgerSchema], moduleOptions, { forceUtcTimezone: false, timezone: undefined });
      if (db.name === 'postgresql') {
        await opening;
      } else {
        await expect(opening).rejects.toThrow(/application's local time zone .* Set forceUtcTimezone: true \(or a fixed timezone such as '\+00:00'\)/);
      }
    } finally {
      await project.close();
    }
  });

  it('refuses an actorField that is not a track field, at startup', async () => {
    const project = migrationProject(db, `${dbNameFor(import.meta.url)}_actor`);
    try {
      await expect(project.open([LedgerSchema], { triggerBackstop: { actorField: 'user' } })).rejects.toThrow(
        /triggerBackstop\.actorField names 'user', which is not a track field of Ledger/,
      );
    } finally {
      await project.close();
    }
  });

  const dbName = dbNameFor(import.meta.url);
  let project: MigrationProject;
  let orm: MikroORM;

  async function history() {
    const rows = await orm.em.fork().find(LedgerAudit, {}, { orderBy: { _audit_id: 'asc' } });
    // The track field named by actorField, and the built-in actor column: both receive the actor.
    return rows.map(row => [row.id, row.balance, row._audit_change_type, row.username, row._audit_actor]);
  }

  beforeAll(async () => {
    project = migrationProject(db, dbName);
    // A trigger stores MySQL/MariaDB dates in one fixed offset (MikroORM 7's default; MikroORM 6 needs saying).
    orm = await project.open([LedgerSchema], moduleOptions, { forceUtcTimezone: true });
    await project.migrate();
  });
  afterAll(async () => {
    await project?.close();
  });

  it('is installed by the migration that creates the audited table', () => {
    const [file] = readdirSync(project.folder).filter(name => /^Migration.*\.cjs$/.test(name));
    const code = readFileSync(join(project.folder, file!), 'utf8');
    expect(code).toMatch(/create trigger/);
    expect(code).toMatch(/ledger_audit_backstop/);
  });

  it('records a write from another client once, with the database user as actor', async () => {
    const em = orm.em.fork();
    em.create(LedgerSchema, { id: 1, balance: 10 });
    await auditContext.run({ user: 'ada' }, () => em.flush());
    otherClient(db.name, dbName, 'update ledger set balance = 99 where id = 1');
    const rows = await history();
    expect(rows.slice(0, 1)).toEqual([[1, 10, 'I', 'ada', 'ada']]);
    expect(rows.slice(1)).toHaveLength(1);
    expect(rows[1]!.slice(0, 3)).toEqual([1, 99, 'U']);
    expect(String(rows[1]![3])).toMatch(db.name === 'postgresql' ? /^postgres$/ : /^root@/);
    expect(rows[1]![4]).toBe(rows[1]![3]);
  });

  it('records every write of the application once: flushes, native writes, and raw SQL it lets through', async () => {
    const before = (await history()).length;
    const em = orm.em.fork();
    const ledger = await em.findOneOrFail(LedgerSchema, 1);
    ledger.balance = 100;
    await auditContext.run({ user: 'ada' }, () => em.flush());
    await auditContext.run({ user: 'ada' }, () => orm.em.fork().nativeUpdate(LedgerSchema, { id: 1 }, { balance: 101 }));
    await allowUnauditedWrites(() => orm.em.getConnection().execute('update ledger set balance = 102 where id = 1'));
    em.remove(ledger);
    await auditContext.run({ user: 'ada' }, () => em.flush());
    const rows = (await history()).slice(before);
    expect(rows.map(row => row.slice(0, 3))).toEqual([
      [1, 100, 'U'],
      [1, 101, 'U'],
      [1, 102, 'U'],
      [1, 102, 'D'],
    ]);
    expect(rows.map(row => row[3] === 'ada')).toEqual([true, true, false, true]);
    expect(rows.map(row => row[4])).toEqual(rows.map(row => row[3]));
  });
  // One clock: the application's clock is wrong, the other client's session is in another time zone.
  it('stamps trigger rows and library rows on the database clock, in commit order', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
    try {
      await auditContext.run({ user: 'ada' }, () => orm.em.fork().insert(LedgerSchema, { id: 7, balance: 1 }));
    } finally {
      vi.useRealTimers();
    }
    const zone = db.name === 'postgresql' ? `set time zone '-07:00';` : `set time_zone = '-07:00';`;
    otherClient(db.name, dbName, `${zone} update ledger set balance = 2 where id = 7`);
    const stamps = (await orm.em.fork().find(LedgerAudit, { id: 7 }, { orderBy: { _audit_id: 'asc' } })).map(row => row._audit_timestamp.getTime());
    expect(stamps).toHaveLength(2);
    for (const stamp of stamps) {
      expect(Math.abs(stamp - Date.now())).toBeLessThan(10 * 60_000);
    }
    expect(stamps[1]).toBeGreaterThanOrEqual(stamps[0]!);
  });
});

// Without actorField, the built-in `_audit_actor` column is the backstop's actor column.
describe.each(SERVER_DATABASES.filter(db => db.available && supported(db.name)))('the trigger backstop with the built-in actor on $name', db => {
  const EntrySchema = auditTrail(
    new EntitySchema<Ledger>({
      name: 'LedgerEntry',
      tableName: 'ledger_entry',
      properties: { id: { type: 'number', primary: true }, balance: { type: 'number' } },
    }),
  );
  const EntryAudit = auditOf(EntrySchema);
  const cases = [
    { title: 'records the database user in _audit_actor of a write from another client', suffix: 'builtin', moduleOptions: { triggerBackstop: true } },
    {
      title: 'records no actor for another client when _audit_actor is a number, and the application’s numeric user',
      suffix: 'numeric',
      moduleOptions: { triggerBackstop: true, actor: { type: 'number' } },
    },
  ] as const;

  it.each(cases)('$title', async ({ suffix, moduleOptions }) => {
    const dbName = `${dbNameFor(import.meta.url)}_${suffix}`;
    const project = migrationProject(db, dbName);
    try {
      const orm = await project.open([EntrySchema], moduleOptions as AuditTrailModuleOptions, { forceUtcTimezone: true });
      await project.migrate();
      const em = orm.em.fork();
      em.create(EntrySchema, { id: 1, balance: 10 });
      await auditContext.run({ user: 7 }, () => em.flush());
      otherClient(db.name, dbName, 'update ledger_entry set balance = 99 where id = 1');
      const rows = await orm.em.fork().find(EntryAudit, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row.balance, row._audit_change_type])).toEqual([
        [10, 'I'],
        [99, 'U'],
      ]);
      if (suffix === 'numeric') {
        expect(rows.map(row => row._audit_actor)).toEqual([7, null]);
      } else {
        expect(rows[0]!._audit_actor).toBe('7');
        expect(String(rows[1]!._audit_actor)).toMatch(db.name === 'postgresql' ? /^postgres$/ : /^root@/);
      }
    } finally {
      await project.close();
    }
  });
});
