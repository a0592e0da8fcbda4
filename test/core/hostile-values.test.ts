// Values an application legitimately sends (a reason quoting a customer, a name with a backslash) must reach
// history byte for byte, whatever the server's settings, and never run as SQL: the settings under which
// client-side escaping is wrong (MariaDB NO_BACKSLASH_ESCAPES and ANSI_QUOTES, PostgreSQL
// standard_conforming_strings = off) are tested next to the defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { auditContext, auditOf, auditTrail, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { refreshSchema } from '../support/mikro.js';
import { sessionSettings } from '../support/sessionSettings.js';

declare module '../../src/context/AuditContext.js' {
  interface AuditContextData {
    label?: string;
    /** The actor for the `text` track field, which holds values longer than `_audit_actor`'s 255 characters. */
    longActor?: string;
  }
}

const PAYLOAD = "', 0x49, (select secret from p where name = 0x76696374696d) from p as s order by s.id desc limit 1 -- ";
const VALUES = [
  PAYLOAD,
  "'",
  "''",
  '\\',
  "\\'",
  "a\\' , 1) -- ",
  "'); drop table hostile_note; --",
  "\\'); drop table hostile_note; -- ",
  '?',
  '??',
  '$1',
  '$1::text',
  ':name',
  '/* */',
  '*/ select 1 /*',
  '-- x\n',
  '#x',
  '"',
  '`',
  '"; drop table hostile_note; --',
  '😀 ünïcödé',
  '%_',
  '\r\n\t',
  '\\x00',
  "E'\\''",
  "X'41'",
  "_utf8mb4 X'41'",
  'NULL',
  '',
];
const NUL_VALUES = ['\u0000', 'a\u0000b'];
const MASK_SUFFIX = "'\\\"; drop table hostile_note; --";

interface Note {
  id: number;
  body: string;
  secret: string;
}

interface Variant {
  readonly db: TestDatabase;
  readonly settings: readonly string[];
  /** How the server reports the setting is in force. */
  readonly probe?: { sql: string; expect: RegExp };
}

const VARIANTS: Variant[] = DATABASES.flatMap(db => {
  if (db.name === 'postgresql') {
    return [
      { db, settings: [] },
      { db, settings: ['set standard_conforming_strings = off'], probe: { sql: 'show standard_conforming_strings', expect: /off/ } },
    ];
  }
  if (db.name === 'mariadb') {
    return [
      { db, settings: [] },
      {
        db,
        settings: ["set session sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES'"],
        probe: { sql: 'select @@session.sql_mode as mode', expect: /NO_BACKSLASH_ESCAPES.*ANSI_QUOTES|ANSI_QUOTES.*NO_BACKSLASH_ESCAPES/ },
      },
    ];
  }
  return [{ db, settings: [] }];
});

for (const variant of VARIANTS) {
  const { db } = variant;
  const title = `hostile values on ${db.name}${variant.settings.length > 0 ? ` with ${variant.settings.join(', ')}` : ''}`;
  describe.skipIf(!db.available)(title, () => {
    const Note = auditTrail(
      new EntitySchema<Note>({
        name: `HostileNote${VARIANTS.indexOf(variant)}`,
        tableName: 'hostile_note',
        properties: {
          id: { type: 'number', primary: true },
          // Large enough for a 1 MB value on every database.
          body: { type: 'text', columnType: db.name === 'mariadb' ? 'longtext' : 'text' },
          secret: { type: 'string' },
        },
      }),
      { mask: { secret: (value: unknown) => `${String(value)}${MASK_SUFFIX}` } },
    );
    const NoteAudit = auditOf<typeof Note, { actor: string | null; label: string | null }>(Note);
    let orm: MikroORM;

    beforeAll(async () => {
      orm = await MikroORM.init(
        withAuditTrail({ ...db.config(dbNameFor(import.meta.url)), ...sessionSettings(variant.settings), entities: [Note], allowGlobalContext: true } as Options, {
          globalTrackFields: [
            { name: 'actor', type: 'text', value: ({ context }) => context?.longActor ?? null },
            { name: 'label', type: 'string', length: 255, value: ({ context }) => context?.label ?? null },
          ],
        }),
      );
      await refreshSchema(orm);
    });
    afterAll(async () => {
      await orm?.close(true);
    });

    async function writeAll(value: string, body: string): Promise<void> {
      const short = value.length <= 255 ? value : undefined;
      const context = { user: short, reason: value, label: short, longActor: value };
      const em = orm.em.fork();
      const note = em.create(Note, { body, secret: 's' });
      await auditContext.run(context, () => em.flush());
      await auditContext.run(context, () => em.nativeUpdate(Note, { id: note.id }, { secret: 't' }));
      await auditContext.run(context, async () => {
        em.remove(note);
        await em.flush();
      });
    }

    it('runs with the server settings asked for', async () => {
      if (!variant.probe) {
        expect(variant.settings).toEqual([]);
        return;
      }
      const [row] = await orm.em.getConnection().execute<Record<string, unknown>[]>(variant.probe.sql);
      expect(Object.values(row).join(' ')).toMatch(variant.probe.expect);
    });

    it('stores reasons, actors, track values and masked values byte for byte, and runs none of them', async () => {
      await orm.em.fork().nativeDelete(Note, {});
      const before = await orm.em.fork().count(NoteAudit, {});
      for (const value of VALUES) {
        await writeAll(value, `note ${VALUES.indexOf(value)}`);
      }
      const rows = await orm.em.fork().find(NoteAudit, { _audit_id: { $gt: before } } as never, { orderBy: { _audit_id: 'asc' } });
      expect(rows).toHaveLength(VALUES.length * 3);
      rows.forEach((row, i) => {
        const value = VALUES[Math.floor(i / 3)]!;
        expect({ user: row._audit_actor, actor: row.actor, reason: row._audit_reason, label: row.label, type: row._audit_change_type }).toEqual({
          user: value,
          actor: value,
          reason: value,
          label: value,
          type: ['I', 'U', 'D'][i % 3],
        });
        expect(row.secret).toBe(`${i % 3 === 0 ? 's' : 't'}${MASK_SUFFIX}`);
        expect(row.body).toBe(`note ${Math.floor(i / 3)}`);
      });
      // Nothing else ran: the table is there, and holds only what the writes left.
      expect(await orm.em.fork().count(Note, {})).toBe(0);
    });

    it('stores 1 MB values whole where the column holds them, and says which column cannot', async () => {
      const big = `${"'\\".repeat(8)}${'ü'.repeat(500_000)}`;
      const body = 'x'.repeat(1_000_000);
      if (db.name === 'mariadb') {
        // MariaDB's `text` (the reason and a text track field) holds 64 KB: refused by the server, naming the
        // column, and nothing committed.
        await expect(writeAll(big, body)).rejects.toThrow(/(too long|incorrect string value)[^]*`?(actor|_audit_reason)`? at row/i);
        expect(await orm.em.fork().count(Note, { body })).toBe(0);
        const fits = big.slice(0, 30_000);
        await writeAll(fits, body);
        const rows = await orm.em.fork().find(NoteAudit, { body } as never);
        expect(rows.map(row => [row._audit_reason, row.actor, row.body!.length])).toEqual([0, 1, 2].map(() => [fits, fits, 1_000_000]));
        return;
      }
      await writeAll(big, body);
      const rows = await orm.em.fork().find(NoteAudit, { body } as never);
      expect(rows.map(row => [row._audit_reason, row.actor, row.body!.length])).toEqual([0, 1, 2].map(() => [big, big, 1_000_000]));
    });

    it(db.name === 'postgresql' ? 'refuses a NUL, which PostgreSQL text cannot hold, and commits nothing' : 'stores NUL characters', async () => {
      for (const value of NUL_VALUES) {
        const before = await orm.em.fork().count(NoteAudit, {});
        if (db.name === 'postgresql') {
          await expect(writeAll(value, 'with NUL')).rejects.toThrow(/0x00/);
          expect(await orm.em.fork().count(NoteAudit, {})).toBe(before);
          expect(await orm.em.fork().count(Note, { body: 'with NUL' })).toBe(0);
          continue;
        }
        await writeAll(value, 'with NUL');
        const rows = await orm.em.fork().find(NoteAudit, { _audit_id: { $gt: before } } as never);
        expect(rows.map(row => [row._audit_actor, row.actor, row._audit_reason])).toEqual([0, 1, 2].map(() => [value, value, value]));
      }
    });
  });
}
