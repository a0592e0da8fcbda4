// MikroORM.initSync() (6) and new MikroORM() (7, the form its docs use) do not await discovery hooks: the audit
// trail must be complete without awaiting; the audit tables are read when the ORM connects.
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

    it('reads the audit tables when it connects instead, and has nothing to warn about', () => {
      // The check ran at orm.connect() (test/core/startup-queries.test.ts shows it refusing a misfit table there).
      expect(log.filter(line => /initialised synchronously|could not read the audit tables|do not match/.test(line))).toEqual([]);
    });
  });
}
