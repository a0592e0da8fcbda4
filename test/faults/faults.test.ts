// Faults in the middle of an audited write: a deadlock, a track-field callback that throws, an audit insert the
// database refuses, a nested transaction that throws and is caught (a killed connection: killed-connection.test.ts). After each:
// the caller sees the original error, history has exactly the committed changes (no orphaned and no missing
// audit row), and every pooled connection came back.
import { expect, it } from 'vitest';
import { DeadlockException, type EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { expectPoolFree } from './pool.js';

const POOL = 3;
// Set by a test to run inside the track-field callback, i.e. after the flush's statements, before its audit rows.
let duringAudit: ((em: EntityManager) => Promise<void>) | undefined;

@Entity()
@AuditTrail({
  trackFields: [
    {
      name: 'actor',
      type: 'string',
      length: 20,
      value: async ({ em, context }) => {
        await duringAudit?.(em);
        if (context?.user === 'throws') {
          throw new Error('actor lookup failed');
        }
        return context?.user ?? null;
      },
    },
  ],
})
class Item {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) qty!: number;
}

const ItemAudit = auditOf<typeof Item, { actor: string | null }>(Item);

describeOnEachDatabase('faults during an audited write', { file: import.meta.url, config: { entities: [Item], pool: { min: 0, max: POOL } } }, ctx => {
  // SQLite runs on one connection.
  const poolSize = () => (ctx.db.name === 'sqlite' ? 1 : POOL);
  async function history(): Promise<unknown[][]> {
    return (await ctx.t.orm.em.fork().find(ItemAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => [row.id, row.qty, row._audit_change_type]);
  }

  async function seed(): Promise<void> {
    duringAudit = undefined;
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Item, { id: 1, qty: 1 });
  }

  it('rolls back and reports a track-field callback that throws', async () => {
    await seed();
    const em = ctx.t.orm.em.fork();
    (await em.findOneOrFail(Item, 1)).qty = 2;
    em.create(Item, { id: 2, qty: 5 });
    await expect(auditContext.run({ user: 'throws' }, () => em.flush())).rejects.toThrow('actor lookup failed');
    expect(await ctx.t.orm.em.fork().find(Item, {}, { orderBy: { id: 'asc' } })).toMatchObject([{ id: 1, qty: 1 }]);
    expect(await history()).toEqual([[1, 1, 'I']]);
    await expectPoolFree(ctx.t.orm, poolSize());
  });

  it('rolls back and reports an audit insert the database refuses', async () => {
    await seed();
    const em = ctx.t.orm.em.fork();
    (await em.findOneOrFail(Item, 1)).qty = 2;
    // SQLite does not enforce lengths: there the row is simply written.
    const flushed = auditContext.run({ user: 'a name longer than twenty characters' }, () => em.flush());
    if (ctx.db.name === 'sqlite') {
      await flushed;
      expect(await history()).toEqual([[1, 1, 'I'], [1, 2, 'U']]);
    } else {
      await expect(flushed).rejects.toThrow(/too long|Data too long|value too long/i);
      expect((await ctx.t.orm.em.fork().findOneOrFail(Item, 1)).qty).toBe(1);
      expect(await history()).toEqual([[1, 1, 'I']]);
    }
    await expectPoolFree(ctx.t.orm, poolSize());
  });

  it('keeps the outer changes and drops a caught nested transaction with its audit rows', async () => {
    await seed();
    await ctx.t.orm.em.fork().transactional(async em => {
      (await em.findOneOrFail(Item, 1)).qty = 2;
      await em.flush();
      await em
        .transactional(async inner => {
          inner.create(Item, { id: 3, qty: 3 });
          await inner.flush();
          throw new Error('inner abort');
        })
        .catch((error: unknown) => expect(String(error)).toMatch('inner abort'));
    });
    expect(await ctx.t.orm.em.fork().count(Item, {})).toBe(1);
    expect(await history()).toEqual([[1, 1, 'I'], [1, 2, 'U']]);
    await expectPoolFree(ctx.t.orm, poolSize());
  });
});

describeOnEachDatabase('deadlocks during an audited write', { file: import.meta.url, config: { entities: [Item], pool: { min: 0, max: POOL } }, databases: SERVER_DATABASES }, ctx => {
  async function history(): Promise<unknown[][]> {
    return (await ctx.t.orm.em.fork().find(ItemAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => [row.id, row.qty, row._audit_change_type]);
  }

  // Crossing writes of rows 1 and 2: updates deadlock in MikroORM's UPDATE, deletes in the audit trail's locking
  // read before the `D` snapshot. Either way the application gets MikroORM's DeadlockException to retry on.
  it.each(['update', 'delete'] as const)('records only the transaction a deadlock let through (%s)', async kind => {
    duringAudit = undefined;
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Item, { id: 1, qty: 0 });
    await ctx.t.orm.em.fork().insert(Item, { id: 2, qty: 0 });
    const a = ctx.t.orm.em.fork();
    const b = ctx.t.orm.em.fork();
    await a.begin();
    await b.begin();
    const write = async (em: EntityManager, id: number, qty: number) => {
      const item = await em.findOneOrFail(Item, id);
      if (kind === 'update') {
        item.qty = qty;
      } else {
        em.remove(item);
      }
      await em.flush();
    };
    await write(a, 1, 10);
    await write(b, 2, 20);
    const outcomes = await Promise.allSettled([write(a, 2, 11).then(() => a.commit()), write(b, 1, 21).then(() => b.commit())]);
    const failed = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ i, reason: outcome.reason as unknown }] : []));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toBeInstanceOf(DeadlockException);
    await (failed[0]!.i === 0 ? a : b).rollback();
    const live = await ctx.t.orm.em.fork().find(Item, {}, { orderBy: { id: 'asc' } });
    const changes = (await history()).filter(row => row[2] !== 'I');
    if (kind === 'update') {
      expect(changes.map(row => [row[0], row[1]]).sort()).toEqual(live.map(item => [item.id, item.qty]).sort());
    } else {
      expect(live).toEqual([]);
      expect(changes.map(row => [row[0], row[2]]).sort()).toEqual([[1, 'D'], [2, 'D']]);
    }
    await expectPoolFree(ctx.t.orm, POOL);
  });
});
