import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, AuditTrailError, allowUnauditedWrites, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail()
class Wallet {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

@Entity()
class Preference {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) value!: string;
}

const WalletAudit = auditOf(Wallet);

const qb = queryBuilder;

async function state({ t }: SuiteContext) {
  const em = t.orm.em.fork();
  return { balance: (await em.findOneOrFail(Wallet, 1)).balance, wallets: await em.count(Wallet), history: await em.count(WalletAudit) };
}

const UNAUDITED = /This statement writes to wallet, the table of the audited entity Wallet, outside em\.flush\(\) and the audited native writes, so it would leave no history .* allowUnauditedWrites/;

describeOnEachDatabase('strict mode', { file: import.meta.url, config: { entities: [Wallet, Preference] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Wallet, { id: 1, balance: 10 });
    await em.flush();
  });

  it('refuses raw SQL before it reaches the database', async () => {
    const em = ctx.t.orm.em.fork();
    await expect(em.getConnection().execute('update wallet set balance = 0')).rejects.toThrow(UNAUDITED);
    await expect(em.getConnection().execute('update wallet set balance = 0')).rejects.toThrow(AuditTrailError);
    expect(await state(ctx)).toEqual({ balance: 10, wallets: 1, history: 1 });
  });

  it('lets flushes, audited native writes and unaudited tables through', async () => {
    const em = ctx.t.orm.em.fork();
    await em.nativeUpdate(Wallet, { id: 1 }, { balance: 11 });
    const wallet = await em.findOneOrFail(Wallet, 1);
    wallet.balance = 12;
    await em.flush();
    await qb(em, Preference).insert({ id: 1, value: 'dark' }).execute();
    await qb(em, Preference).update({ value: 'light' }).where({ id: 1 }).execute();
    expect(await state(ctx)).toEqual({ balance: 12, wallets: 1, history: 3 });
  });

  it('lets deliberate maintenance through allowUnauditedWrites, which records nothing', async () => {
    await allowUnauditedWrites(() => qb(ctx.t.orm.em.fork(), Wallet).update({ balance: 0 }).where({ id: 1 }).execute());
    expect(await state(ctx)).toEqual({ balance: 0, wallets: 1, history: 1 });
  });
});

describeOnEachDatabase('strict mode off', { file: import.meta.url, config: { entities: [Wallet, Preference] }, moduleOptions: { strict: false } }, ctx => {
  it('lets raw SQL to an audited table through, unaudited', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Wallet, { id: 1, balance: 10 });
    await em.flush();
    await em.getConnection().execute('update wallet set balance = 0');
    expect(await state(ctx)).toEqual({ balance: 0, wallets: 1, history: 1 });
  });
});

