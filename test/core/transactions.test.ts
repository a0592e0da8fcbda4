import { beforeEach, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { AuditTrail, AuditTrailConfigError, AuditTrailError, allowAuditTableWrites, auditContext, auditOf, withAuditTrail } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';
import { createTestOrm } from '../support/orm.js';
import { refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', length: 10, value: () => auditContext.current()?.user ?? null }] })
class Account {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', unique: true }) code!: string;
  @Property({ type: 'number' }) balance!: number;
}

const AccountAudit = auditOf(Account);

async function counts({ t }: SuiteContext) {
  const em = t.orm.em.fork();
  return { accounts: await em.count(Account), audits: await em.count(AccountAudit) };
}

const suite = { file: import.meta.url, config: { entities: [Account] } };

describeOnEachDatabase('transactions', suite, ctx => {
  const { db } = ctx;
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('writes nothing when em.transactional() rolls back after a flush', async () => {
    await expect(
      ctx.t.orm.em.fork().transactional(async em => {
        em.create(Account, { code: 'a', balance: 1 });
        await em.flush();
        expect(await em.count(AccountAudit)).toBe(1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await counts(ctx)).toEqual({ accounts: 0, audits: 0 });
  });

  it('keeps the outer audit rows and drops the inner ones when a savepoint rolls back', async () => {
    await ctx.t.orm.em.fork().transactional(async em => {
      em.create(Account, { code: 'outer', balance: 1 });
      await em.flush();
      await expect(
        em.transactional(async inner => {
          inner.create(Account, { code: 'inner', balance: 2 });
          await inner.flush();
          throw new Error('inner abort');
        }),
      ).rejects.toThrow('inner abort');
    });
    const audits = await ctx.t.orm.em.fork().find(AccountAudit, {});
    expect(audits.map(a => a.code)).toEqual(['outer']);
    expect(await counts(ctx)).toEqual({ accounts: 1, audits: 1 });
  });

  it('refuses to commit a transaction in which a flush failed half-way', async () => {
    const seed = ctx.t.orm.em.fork();
    seed.create(Account, { code: 'taken', balance: 0 });
    await seed.flush();
    const attempt = ctx.t.orm.em.fork().transactional(async em => {
      const taken = await em.findOneOrFail(Account, { code: 'taken' });
      em.create(Account, { code: 'half', balance: 1 }); // inserted first...
      taken.code = 'half'; // ...then this update violates the unique code, failing the flush
      // An application that swallows the error would otherwise commit the insert without its audit row.
      await em.flush().catch(() => em.clear());
    });
    await expect(attempt).rejects.toThrow(AuditTrailError);
    await expect(attempt).rejects.toThrow(/A flush failed inside this transaction/);
    expect(await counts(ctx)).toEqual({ accounts: 1, audits: 1 });
  });

  it('follows em.begin() with rollback() and commit()', async () => {
    const em = ctx.t.orm.em.fork();
    await em.begin();
    em.create(Account, { code: 'rolled-back', balance: 1 });
    await em.flush();
    await em.rollback();
    expect(await counts(ctx)).toEqual({ accounts: 0, audits: 0 });

    await em.begin();
    em.create(Account, { code: 'committed', balance: 1 });
    await em.commit();
    expect(await counts(ctx)).toEqual({ accounts: 1, audits: 1 });
  });

  it('rolls the change back when writing its audit rows fails', async () => {
    const em = ctx.t.orm.em.fork();
    const account = em.create(Account, { code: 'kept', balance: 1 });
    await em.flush();
    // Make every further audit insert fail, whatever the database.
    await allowAuditTableWrites(() => ctx.t.orm.em.getConnection().execute(`drop table ${ctx.t.orm.em.getPlatform().quoteIdentifier('account_audit')}`));

    em.remove(account);
    em.create(Account, { code: 'new', balance: 2 });
    await expect(em.flush()).rejects.toThrow(/account_audit/);
    const fresh = ctx.t.orm.em.fork();
    expect((await fresh.find(Account, {})).map(a => a.code)).toEqual(['kept']);

    // More failures than the pool has connections: none may stay taken by a transaction left open.
    for (let i = 0; i < 12; i++) {
      const retry = ctx.t.orm.em.fork();
      retry.remove(retry.getReference(Account, account.id));
      await expect(retry.flush()).rejects.toThrow(/account_audit/);
      const insert = ctx.t.orm.em.fork();
      insert.create(Account, { code: `new-${i}`, balance: 2 });
      await expect(insert.flush()).rejects.toThrow(/account_audit/);
    }
    expect(await ctx.t.orm.em.fork().count(Account)).toBe(1);
  });

  it('rolls a delete back when a track field callback throws for it', async () => {
    const failing = await createTestOrm(ctx.db, dbNameFor(import.meta.url), { entities: [Account] }, {
      globalTrackFields: [{ name: 'tenant', type: 'string', value: ({ changeType }) => { if (changeType === 'D') { throw new Error('no tenant'); } return 't'; } }],
    });
    try {
      const em = failing.orm.em.fork();
      const account = em.create(Account, { code: 'stays', balance: 1 });
      await em.flush();
      for (let i = 0; i < 12; i++) {
        const fork = failing.orm.em.fork();
        fork.remove(fork.getReference(Account, account.id));
        await expect(fork.flush()).rejects.toThrow('no tenant');
      }
      expect(await failing.orm.em.fork().count(Account)).toBe(1);
    } finally {
      await failing.orm.close(true);
    }
  });

  it('rolls the change back when a track field callback throws', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Account, { code: 'a', balance: 1 });
    await em.flush();
    const failing = await createTestOrm(db, dbNameFor(import.meta.url), { entities: [Account] }, {
      globalTrackFields: [{ name: 'tenant', type: 'string', value: () => { throw new Error('no tenant'); } }],
    });
    try {
      const fem = failing.orm.em.fork();
      fem.create(Account, { code: 'b', balance: 2 });
      await expect(fem.flush()).rejects.toThrow('no tenant');
      expect(await fem.fork().count(Account)).toBe(0);
    } finally {
      await failing.orm.close(true);
    }
  });

  it('refuses to start when flushes may run without a transaction', async () => {
    const config = { ...db.config(dbNameFor(import.meta.url)), entities: [Account], implicitTransactions: false } as Options;
    await expect(MikroORM.init(withAuditTrail(config))).rejects.toThrow(AuditTrailConfigError);
    await expect(MikroORM.init(withAuditTrail(config))).rejects.toThrow(/implicitTransactions/);
  });
});

// SQLite does not enforce varchar lengths; PostgreSQL and MariaDB (strict mode) reject the 11-character user.
describeOnEachDatabase('audit insert rejected by the database', { ...suite, databases: SERVER_DATABASES }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('rolls back the change and its written D rows when a later audit insert is rejected', async () => {
    const em = ctx.t.orm.em.fork();
    const doomed = em.create(Account, { code: 'doomed', balance: 1 });
    await em.flush();
    em.remove(doomed);
    em.create(Account, { code: 'other', balance: 2 });
    await expect(auditContext.run({ user: 'x'.repeat(11) }, () => em.flush())).rejects.toThrow();
    expect(await counts(ctx)).toEqual({ accounts: 1, audits: 1 });
  });
});
