// Hostile string keys through the row locks before D snapshots, a query builder opening its own transaction and
// masked reads, under the server settings that break client-side escaping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { auditContext, AuditTrail, auditOf, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { sessionSettings } from '../support/sessionSettings.js';

@Entity()
@AuditTrail({
  mask: { secret: (value: unknown) => `m${String(value)}` },
  trackFields: [{ name: 'actor', type: 'string', length: 2000, value: ({ context }) => context?.user ?? null }],
})
class Vault {
  @PrimaryKey({ type: 'string', length: 200 }) code!: string;
  @Property({ type: 'string', length: 2000 }) secret!: string;
}
const VaultAudit = auditOf<typeof Vault, { actor: string | null }>(Vault);

const KEYS = ["'", "''", '\\', "\\'", "a\\' , 1) -- ", "'); drop table vault; --", '?', '??', '$1', '"', '`', '😀', '%_', '\r\n\t', "_utf8mb4 X'41'", 'NULL', ''];
const ACTOR = "\\'); drop table vault_audit; -- '\"`?$1";

// MikroORM's own statements (mysql2 escaping) break on quotes and backslashes under NO_BACKSLASH_ESCAPES, so
// there the keys avoid them; the actor, written only by the library, stays hostile.
// (mysql2 backslash-escapes ' " \\ \\0 \\b \\t \\n \\r \\x1a, which that mode then stores as written.)
const PLAIN_KEYS = KEYS.filter(key => !/['"\\\0\b\t\n\r\x1a]/.test(key));
const VARIANTS: { db: TestDatabase; settings: string[]; keys: string[] }[] = DATABASES.filter(db => db.name !== 'sqlite' && db.available).flatMap(db =>
  db.name === 'postgresql'
    ? [{ db, settings: [], keys: KEYS }, { db, settings: ['set standard_conforming_strings = off'], keys: KEYS }]
    : [{ db, settings: [], keys: KEYS }, { db, settings: ["set session sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES'"], keys: PLAIN_KEYS }],
);

describe.each(VARIANTS)('hostile keys on $db.name with $settings', ({ db, settings, keys: KEYS }) => {
  let orm: MikroORM;
  beforeAll(async () => {
    const name = `${dbNameFor(import.meta.url)}_${settings.length}`;
    orm = await MikroORM.init(withAuditTrail({ ...db.config(name), ...sessionSettings(settings), entities: [Vault], allowGlobalContext: true } as Options));
  });
  afterAll(async () => {
    await orm?.close(true);
  });

  async function seed(): Promise<void> {
    await refreshSchema(orm);
    const em = orm.em.fork();
    KEYS.forEach(code => em.create(Vault, { code, secret: `s${code}` }));
    await em.flush();
  }

  async function deletedCodes(): Promise<string[]> {
    const rows = await orm.em.fork().find(VaultAudit, { _audit_change_type: 'D' });
    for (const row of rows) {
      expect(row.secret).toBe(`ms${row.code}`);
      expect(row.actor).toBe(ACTOR);
    }
    return rows.map(row => row.code!).sort();
  }

  it('flush deletes (locked first)', async () => {
    await seed();
    const em = orm.em.fork();
    for (const code of KEYS) {
      em.remove(em.getReference(Vault, code as never));
    }
    await auditContext.run({ user: ACTOR }, () => em.flush());
    expect(await deletedCodes()).toEqual([...KEYS].sort());
    expect(await orm.em.fork().count(Vault, {})).toBe(0);
  });

  it('query builder delete and update outside a transaction (own transaction)', async () => {
    await seed();
    await auditContext.run({ user: ACTOR }, async () => {
      await (orm.em.fork() as unknown as SqlEntityManager).createQueryBuilder(Vault).update({ secret: 'x?%_$1' }).where({ code: { $in: KEYS } }).execute();
      const updated = await orm.em.fork().find(VaultAudit, { _audit_change_type: 'U' });
      expect(updated.map(row => row.secret)).toEqual(KEYS.map(() => 'mx?%_$1'));
      await (orm.em.fork() as unknown as SqlEntityManager).createQueryBuilder(Vault).delete().where({ code: { $in: KEYS } }).execute();
    });
    expect((await orm.em.fork().find(VaultAudit, { _audit_change_type: 'D' })).map(row => row.code).sort()).toEqual([...KEYS].sort());
  });
});
