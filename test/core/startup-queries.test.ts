// What the audit trail adds to starting MikroORM, counted at the database client libraries (below MikroORM and
// the library): with `schemaCheck: 'off'` nothing at all, with the check one statement on the ORM's own connection
// (pool).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { AuditTrailConfigError, allowAuditTableWrites, auditOf, auditTrail, withAuditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import { countClientTraffic, type ClientTraffic } from '../support/clientCounter.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { ormMajor, refreshSchema } from '../support/mikro.js';
import { projectRoot } from '../support/migrationProject.js';

interface Row {
  id: number;
  label: string;
}

function table(name: string): EntitySchema<Row> {
  return auditTrail(
    new EntitySchema<Row>({ name, tableName: name.toLowerCase(), properties: { id: { type: 'number', primary: true }, label: { type: 'string', length: 40 } } }),
  );
}

const Ledger = table('StartupLedger');
const Till = table('StartupTill');

function initSynchronously(options: Options): MikroORM {
  const sync = MikroORM as unknown as { initSync?: (options: Options) => MikroORM };
  return ormMajor >= 7 ? new MikroORM(options) : sync.initSync!(options);
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`starting MikroORM with audited entities on ${db.name}`, () => {
    // A SQLite file, not an in-memory database: a new in-memory database has nothing to read.
    const folder = mkdtempSync(join(projectRoot(), 'startup-queries-'));
    const dbName = db.name === 'sqlite' ? join(folder, 'app.db') : dbNameFor(import.meta.url);
    const config = (): Options => ({ ...db.config(dbName), dbName, entities: [Ledger, Till] }) as Options;

    // Starts MikroORM, runs one query (MikroORM 7 connects at the first one) and closes it.
    function start(moduleOptions: AuditTrailModuleOptions | 'plain'): Promise<ClientTraffic> {
      return countClientTraffic(db.name, async () => {
        const orm = await MikroORM.init(moduleOptions === 'plain' ? config() : withAuditTrail(config(), moduleOptions));
        await orm.em.fork().count(Ledger);
        await orm.close(true);
      });
    }

    beforeAll(async () => {
      const orm = await MikroORM.init(withAuditTrail(config(), { schemaCheck: 'off' }));
      await refreshSchema(orm);
      await orm.close(true);
    });
    afterAll(() => {
      rmSync(folder, { recursive: true, force: true });
    });

    it("with schemaCheck: 'off', sends exactly the statements of plain MikroORM, over as many connections", async () => {
      const plain = await start('plain');
      const off = await start({ schemaCheck: 'off' });
      expect(plain.statements.length).toBeGreaterThan(0);
      expect(off.statements).toEqual(plain.statements);
      expect(off.clients).toBe(plain.clients);
    });

    // The catalog statement the check adds, given what plain MikroORM sends.
    function addedByCheck(plain: ClientTraffic, checked: ClientTraffic): string[] {
      expect(checked.statements).toHaveLength(plain.statements.length + 1);
      return checked.statements.filter(statement => !plain.statements.includes(statement));
    }

    it("with schemaCheck: 'error', adds one statement for every audit table, on the same connection", async () => {
      const plain = await start('plain');
      const checked = await start({ schemaCheck: 'error' });
      const added = addedByCheck(plain, checked);
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/pg_attribute|information_schema\.columns|pragma_table_xinfo/);
      expect(checked.clients).toBe(plain.clients);
    });

    // By default the check only warns, and runs alongside the start; the application's first query waits for it
    // rather than taking a second connection (what the read finds changes the audit entities).
    it('with the default check, adds the same statement, on the same connection', async () => {
      const plain = await start('plain');
      const checked = await start({});
      expect(addedByCheck(plain, checked)[0]).toMatch(/pg_attribute|information_schema\.columns|pragma_table_xinfo/);
      expect(checked.clients).toBe(plain.clients);
    });

    // MikroORM 6 starts it once its own start statements are done (orm.connect() ends asking isConnected()); if
    // MikroORM stopped asking, closing would find it not started and drop it.
    it('runs the default check by the time the ORM is closed, though nothing else was asked of it', async () => {
      const quiet = (options?: AuditTrailModuleOptions) =>
        countClientTraffic(db.name, async () => {
          const orm = await MikroORM.init(options ? withAuditTrail(config(), options) : config());
          await orm.close(true);
        });
      const plain = await quiet();
      const checked = await quiet({});
      expect(checked.statements.filter(statement => !plain.statements.includes(statement))[0]).toMatch(/pg_attribute|information_schema\.columns|pragma_table_xinfo/);
    });

    it("refuses to connect an ORM initialised synchronously when schemaCheck is 'error' and an audit table does not fit", async () => {
      const orm = await MikroORM.init(withAuditTrail(config(), { schemaCheck: 'off' }));
      await allowAuditTableWrites(() => orm.schema.execute('create unique index startupledger_audit_id_unique on startupledger_audit (id)'));
      await orm.close(true);
      try {
        const sync = initSynchronously(withAuditTrail(config(), { schemaCheck: 'error' }));
        // The first query connects a synchronously initialised ORM; MikroORM 6 also connects on orm.connect().
        const error = await sync.em.fork().count(Ledger).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AuditTrailConfigError);
        expect((error as Error).message).toMatch(/startupledger_audit\.id has the unique index startupledger_audit_id_unique/);
        await sync.close(true);
      } finally {
        const fix = await MikroORM.init(withAuditTrail(config(), { schemaCheck: 'off' }));
        await refreshSchema(fix);
        await fix.close(true);
      }
    });
  });
}

describe('the startup read on SQLite', () => {
  const folder = mkdtempSync(join(projectRoot(), 'startup-files-'));
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  const sqlite = DATABASES.find(db => db.name === 'sqlite')!;

  it('creates no database file when MikroORM never connects', async () => {
    const file = join(folder, 'never.db');
    // MikroORM 6 connects in MikroORM.init unless told not to; MikroORM 7 connects at the first query.
    const orm = await MikroORM.init(withAuditTrail({ ...sqlite.config(file), dbName: file, entities: [Ledger], ...(ormMajor < 7 && { connect: false }) } as Options));
    await orm.close(true);
    expect(existsSync(file)).toBe(false);
  });

  it('creates no database file named after dbName when MikroORM connects to another database', async () => {
    const file = join(folder, 'elsewhere.db');
    const orm = await MikroORM.init(withAuditTrail({ ...sqlite.config(file), dbName: file, entities: [Ledger], driverOptions: await inMemoryDriverOptions() } as Options));
    try {
      await refreshSchema(orm);
      const em = orm.em.fork();
      em.create(Ledger, { id: 1, label: 'in memory' });
      await em.flush();
      expect(await orm.em.fork().count(auditOf(Ledger))).toBe(1);
    } finally {
      await orm.close(true);
    }
    expect(existsSync(file)).toBe(false);
  });
});

// An in-memory database handed to MikroORM through `driverOptions`, as test setups do: knex's connection settings
// on MikroORM 6, a kysely dialect on MikroORM 7.
async function inMemoryDriverOptions(): Promise<unknown> {
  if (ormMajor < 7) {
    return { connection: { filename: ':memory:' } };
  }
  // Installed with MikroORM 7 only.
  const [kysely, betterSqlite] = ['kysely', 'better-sqlite3'];
  const [{ SqliteDialect }, Database] = await Promise.all([
    import(/* @vite-ignore */ kysely) as Promise<{ SqliteDialect: new (config: { database: unknown }) => unknown }>,
    import(/* @vite-ignore */ betterSqlite).then(module => (module as { default: new (file: string) => unknown }).default),
  ]);
  return new SqliteDialect({ database: new Database(':memory:') });
}
