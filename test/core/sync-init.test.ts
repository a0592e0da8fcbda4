// MikroORM.initSync() (6) and new MikroORM() (7, the form its docs use) do not await discovery hooks: the audit
// trail must be complete without awaiting, and say what it skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { Entity, PrimaryKey, Property, ormMajor, refreshSchema } from '../support/mikro.js';

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: ({ context }) => context?.user ?? null }] })
class Crate {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const CrateAudit = auditOf<typeof Crate, { actor: string | null }>(Crate);

function initSynchronously(options: Options): MikroORM {
  const sync = MikroORM as unknown as { initSync?: (options: Options) => MikroORM };
  return ormMajor >= 7 ? new MikroORM(options) : sync.initSync!(options);
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`synchronous init on ${db.name}`, () => {
    let orm: MikroORM;
    const log: string[] = [];

    beforeAll(async () => {
      orm = initSynchronously(
        withAuditTrail({ ...db.config(dbNameFor(import.meta.url)), entities: [Crate], logger: (line: string) => log.push(line), allowGlobalContext: true } as Options),
      );
      await orm.connect();
      await refreshSchema(orm);
    });
    afterAll(async () => {
      await orm?.close(true);
    });

    it('audits flushes and native writes as MikroORM.init does', async () => {
      const em = orm.em.fork();
      const crate = em.create(Crate, { label: 'a' });
      await auditContext.run({ user: 'sync' }, () => em.flush());
      await auditContext.run({ user: 'sync' }, () => em.nativeUpdate(Crate, { id: crate.id }, { label: 'b' }));
      const rows = await orm.em.fork().find(CrateAudit, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row._audit_change_type, row.label, row.actor])).toEqual([
        ['I', 'a', 'sync'],
        ['U', 'b', 'sync'],
      ]);
    });

    it('says that it could not read the audit tables at startup', () => {
      const warning = log.filter(line => line.includes('initialised synchronously'));
      // An in-memory SQLite database is new and empty: there is nothing to read, and nothing to say.
      expect(warning).toHaveLength(db.name === 'sqlite' ? 0 : 1);
      if (warning[0]) {
        expect(warning[0]).toContain('await MikroORM.init(config)');
      }
    });
  });
}
