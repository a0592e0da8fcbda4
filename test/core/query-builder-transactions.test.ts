// A query builder's write created outside a transaction (`em.createQueryBuilder(X).update(…).where(…).execute()`,
// the form most MikroORM code uses) opens a transaction of its own for its statement and audit rows, as
// em.nativeUpdate() does: both commit or neither does.
import { expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail({
  trackFields: [
    {
      name: 'actor',
      type: 'string',
      value: () => {
        const user = auditContext.current()?.user;
        if (user === 'broken') {
          throw new Error('the actor lookup failed');
        }
        return user ?? null;
      },
    },
  ],
})
class Ledger {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

const LedgerAudit = auditOf<typeof Ledger, { actor: string | null }>(Ledger);

const qb = (em: EntityManager) => queryBuilder(em, Ledger);

describeOnEachDatabase('query-builder writes outside a transaction', { file: import.meta.url, config: { entities: [Ledger] } }, ctx => {
  const history = async () =>
    (await ctx.t.orm.em.fork().find(LedgerAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => [row.id, row.balance, row._audit_change_type, row.actor]);

  it('records insert(), update() and delete() in a transaction of their own', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    await auditContext.run({ user: 'ada' }, async () => {
      await qb(em).insert({ id: 1, balance: 10 }).execute();
      await qb(em).update({ balance: 20 }).where({ id: 1 }).execute();
      await qb(em).delete().where({ id: 1 }).execute();
    });
    expect(await history()).toEqual([
      [1, 10, 'I', 'ada'],
      [1, 20, 'U', 'ada'],
      [1, 20, 'D', 'ada'],
    ]);
  });

  it('rolls the statement back when its audit rows fail', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Ledger, { id: 1, balance: 10 });
    const em = ctx.t.orm.em.fork();
    await expect(auditContext.run({ user: 'broken' }, () => qb(em).update({ balance: 0 }).where({ id: 1 }).execute())).rejects.toThrow(/the actor lookup failed/);
    await expect(auditContext.run({ user: 'broken' }, () => qb(em).delete().where({ id: 1 }).execute())).rejects.toThrow(/the actor lookup failed/);
    expect((await ctx.t.orm.em.fork().findOneOrFail(Ledger, 1)).balance).toBe(10);
    expect(await history()).toEqual([[1, 10, 'I', null]]);
  });
});
