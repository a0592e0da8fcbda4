// Hashes over hostile values recompute from the database's canonical texts, whatever the session that wrote them
// and whatever the session, process time zone and MikroORM options of the one that recomputes them: PostgreSQL
// with standard_conforming_strings off and a non-UTC TimeZone, DateStyle, IntervalStyle and float output, MariaDB
// with NO_BACKSLASH_ESCAPES, ANSI_QUOTES and a non-UTC time_zone, and a second process with another TZ.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditContext, auditOf, auditTrail, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { refreshSchema } from '../support/mikro.js';
import { sessionSettings } from '../support/sessionSettings.js';
import { expectChainsIntact, recomputeChains, recomputeTableChains, type ChainReport } from '../support/chains.js';
import { HOSTILE_SETTINGS, QUOTE_FREE, specimens, type SpecimenRow } from './support/specimens.js';

const run = promisify(execFile);

// One schema per variant (names must differ between ORMs of one process only by table): MariaDB needs `longtext`
// for 1 MB.
function specimenSchema(db: TestDatabase, index: number) {
  return auditTrail(
    new EntitySchema<SpecimenRow>({
      name: `Specimen${index}`,
      tableName: 'specimen',
      properties: {
        id: { type: 'number', primary: true, autoincrement: false },
        body: { type: 'text', nullable: true, ...(db.name === 'mariadb' ? { columnType: 'longtext' } : {}) },
        label: { type: 'string', nullable: true },
        data: { type: 'json', nullable: true },
        at: { type: 'Date', length: 3, nullable: true },
        day: { type: 'date', nullable: true },
        amount: { type: 'decimal', precision: 14, scale: 2, nullable: true },
        big: { type: 'bigint', nullable: true },
        yes: { type: 'boolean', nullable: true },
        bytes: { type: 'blob', nullable: true },
        ratio: { type: 'double', nullable: true },
        secret: { type: 'string', nullable: true },
      },
    }),
    {
      tamperEvidence: true,
      mask: { secret: (v: unknown) => `${String(v)}'\\"; drop table specimen; --` },
      trackFields: [
        { name: 'seen_at', type: 'Date', value: () => new Date('2024-02-29T23:59:59.999Z') },
        { name: 'payload', type: 'json', value: ({ context }) => ({ quote: "'\"\\", reason: context?.reason ?? null, n: [1, 2.5, -0] }) },
        { name: 'flag', type: 'boolean', value: ({ changeType }) => changeType === 'U' },
        { name: 'count', type: 'number', value: () => 42 },
      ],
    },
  );
}


interface Variant {
  readonly db: TestDatabase;
  readonly settings: readonly string[];
}

const VARIANTS: Variant[] = DATABASES.flatMap(db => (db.name === 'sqlite' ? [{ db, settings: [] }] : [{ db, settings: [] }, { db, settings: HOSTILE_SETTINGS[db.name]! }]));

// SQLite's in-memory database is gone when its connection closes, and another process must read it.
function options(db: TestDatabase): Options {
  const config = db.config(dbNameFor(import.meta.url));
  return db.name === 'sqlite' ? { ...config, dbName: join(tmpdir(), `${dbNameFor(import.meta.url)}.sqlite`) } : config;
}

async function recomputeInAnotherProcess(db: TestDatabase, settings: readonly string[], tables: string[]): Promise<{ tz: string; reports: ChainReport[] }> {
  // The driver class cannot cross the process boundary: the child picks it by name.
  const config = { ...options(db), driver: undefined };
  // Another MikroORM timezone too: it changes how MariaDB dates are read, which canonical texts must not depend on.
  const args = { driver: db.name, options: { ...config, timezone: db.name === 'mariadb' ? '-03:00' : undefined }, settings, tables };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/recomputeProcess.ts'), JSON.stringify(args)], {
    env: { ...process.env, TZ: 'Pacific/Chatham' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { tz: string; reports: ChainReport[] };
}

for (const variant of VARIANTS) {
  const { db, settings } = variant;
  const hostileSession = settings.length > 0;
  describe.skipIf(!db.available)(`hostile values on ${db.name}${hostileSession ? ` with ${settings.join(', ')}` : ''}`, () => {
    const Specimen = specimenSchema(db, VARIANTS.indexOf(variant));
    const SpecimenAudit = auditOf(Specimen);
    let orm: MikroORM;
    beforeAll(async () => {
      orm = await MikroORM.init(
        withAuditTrail({ ...options(db), ...sessionSettings(settings), entities: [Specimen], allowGlobalContext: true } as Options, { tamperEvidence: true, schemaCheck: 'off' }),
      );
      await refreshSchema(orm);
    });
    afterAll(() => orm?.close(true));

    it('hashes inserts, updates and deletes of every kind of value, and recomputes them in every session and process', async () => {
      // MikroORM formats its own statements' values on the client for MariaDB: under NO_BACKSLASH_ESCAPES the
      // source rows avoid quotes and backslashes (the library's statements get them through context and masks).
      const rows = specimens(db.name, hostileSession && db.name === 'mariadb' ? QUOTE_FREE : undefined);
      const em = orm.em.fork();
      rows.forEach(row => em.create(Specimen, row));
      await auditContext.run({ user: "o'hara \\ 😀", reason: "it's \"quoted\" \\ and ünïcödé 😀" }, () => em.flush());
      for (const row of rows.slice(0, 10)) {
        await auditContext.run({ user: 'x', reason: `update ${row.id} ''` }, () => orm.em.fork().nativeUpdate(Specimen, { id: row.id }, { label: `changed ${row.id}`, secret: 'new' }));
      }
      await orm.em.fork().nativeDelete(Specimen, { id: { $in: rows.slice(10, 15).map(row => row.id) } });
      const remover = orm.em.fork();
      rows.slice(15, 20).forEach(row => remover.remove(remover.getReference(Specimen, row.id)));
      await remover.flush();

      const here = await expectChainsIntact(orm.em.fork(), Specimen, rows.length + 20);
      const other = await MikroORM.init({ ...options(db), ...sessionSettings(hostileSession ? [] : (HOSTILE_SETTINGS[db.name] ?? [])), entities: [], discovery: { warnWhenNoEntities: false } } as Options);
      try {
        expect(await recomputeTableChains(other.em.fork(), here.table)).toEqual(here);
      } finally {
        await other.close(true);
      }
      const child = await recomputeInAnotherProcess(db, hostileSession ? [] : (HOSTILE_SETTINGS[db.name] ?? []), [here.table]);
      expect(child.tz).toBe('Pacific/Chatham');
      expect(child.reports).toEqual([here]);
    });

    it('notices a value changed behind its back, by one character, in the middle of a 1 MB text', async () => {
      const before = await recomputeChains(orm.em.fork(), Specimen);
      expect(before.mismatches).toEqual([]);
      const [big] = await orm.em.fork().find(SpecimenAudit, { id: 1 }, { orderBy: { _audit_id: 'asc' }, limit: 1 });
      expect(big!.body!.length).toBeGreaterThan(1_000_000);
      const q = (id: string) => orm.em.getPlatform().quoteIdentifier(id);
      const [body, table, id] = [q('body'), q('specimen_audit'), q('_audit_id')];
      const changed = db.name === 'mariadb' ? `concat(substr(${body}, 1, 500000), 'X', substr(${body}, 500002))` : `substr(${body}, 1, 500000) || 'X' || substr(${body}, 500002)`;
      await allowAuditTableWrites(() => orm.em.getConnection().execute(`update ${table} set ${body} = ${changed} where ${id} = ${big!._audit_id}`));
      expect((await recomputeChains(orm.em.fork(), Specimen)).mismatches).toEqual([big!._audit_id]);
    });
  });
}
