// Two connections: a native write whose matching rows another transaction is changing. The rows the write
// changes and the rows its history names must be the same, whatever the other transaction commits, under the
// isolation level each database uses by default and the other one used in practice. (SQLite serializes writers:
// there is no second writer to race with.)
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { IsolationLevel, type EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Chore {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) status!: string;
}

const ChoreAudit = auditOf(Chore);

type Outcome = { affected: number } | { error: unknown };

describeOnEachDatabase('native writes racing a transaction', { file: import.meta.url, config: { entities: [Chore] }, databases: SERVER_DATABASES }, ctx => {
  // The other transaction moves row 1 out of the write's condition and row 2 into it, then commits while the
  // native write waits for its locks.
  async function race(write: (em: EntityManager) => Promise<number>): Promise<Outcome> {
    const other = ctx.t.orm.em.fork();
    await other.begin();
    (await other.findOneOrFail(Chore, 1)).status = 'done';
    (await other.findOneOrFail(Chore, 2)).status = 'open';
    await other.flush();
    const pending = write(ctx.t.orm.em.fork()).then(
      affected => ({ affected }),
      (error: unknown) => ({ error }),
    );
    await sleep(300);
    await other.commit();
    return pending;
  }

  // The database's default first, then the other level applications use on it.
  const levels = () =>
    ctx.db.name === 'postgresql' ? [IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ] : [IsolationLevel.REPEATABLE_READ, IsolationLevel.READ_COMMITTED];

  it('gives history to exactly the rows nativeUpdate changed, or changes nothing', async () => {
    for (const isolationLevel of levels()) {
      await refreshSchema(ctx.t.orm);
      await ctx.t.orm.em.fork().insertMany(Chore, [{ id: 1, status: 'open' }, { id: 2, status: 'closed' }]);
      const outcome = await race(em => em.transactional(trx => trx.nativeUpdate(Chore, { status: 'open' }, { status: 'archived' }), { isolationLevel }));
      const archived = (await ctx.t.orm.em.fork().find(Chore, { status: 'archived' })).map(row => row.id);
      const history = (await ctx.t.orm.em.fork().find(ChoreAudit, { status: 'archived' })).map(row => row.id);
      expect(history.sort()).toEqual(archived.sort());
      if ('affected' in outcome) {
        expect(outcome.affected).toBe(archived.length);
      } else {
        expect(archived).toEqual([]);
      }
    }
  });

  it('gives history to exactly the rows a query-builder update or delete changed', async () => {
    for (const isolationLevel of levels()) {
      for (const type of ['update', 'delete'] as const) {
        await refreshSchema(ctx.t.orm);
        await ctx.t.orm.em.fork().insertMany(Chore, [{ id: 1, status: 'open' }, { id: 2, status: 'closed' }]);
        await race(em =>
          em.transactional(async trx => {
            const qb = (trx as unknown as SqlEntityManager).createQueryBuilder(Chore);
            await (type === 'update' ? qb.update({ status: 'archived' }) : qb.delete()).where({ status: 'open' }).execute();
            return 0;
          }, { isolationLevel }),
        );
        const rows = await ctx.t.orm.em.fork().find(Chore, {}, { orderBy: { id: 'asc' } });
        const changed = type === 'update' ? rows.filter(row => row.status === 'archived').map(row => row.id) : [1, 2].filter(id => !rows.some(row => row.id === id));
        const history = await ctx.t.orm.em.fork().find(ChoreAudit, { _audit_change_type: type === 'update' ? 'U' : 'D', ...(type === 'update' ? { status: 'archived' } : {}) });
        expect(history.map(row => row.id).sort()).toEqual(changed);
      }
    }
  });

  it('gives a D row to exactly the rows nativeDelete deleted, or deletes nothing', async () => {
    for (const isolationLevel of levels()) {
      await refreshSchema(ctx.t.orm);
      await ctx.t.orm.em.fork().insertMany(Chore, [{ id: 1, status: 'open' }, { id: 2, status: 'closed' }]);
      const outcome = await race(em => em.transactional(trx => trx.nativeDelete(Chore, { status: 'open' }), { isolationLevel }));
      const remaining = (await ctx.t.orm.em.fork().find(Chore, {})).map(row => row.id);
      const deleted = [1, 2].filter(id => !remaining.includes(id));
      const history = (await ctx.t.orm.em.fork().find(ChoreAudit, { _audit_change_type: 'D' })).map(row => row.id);
      expect(history.sort()).toEqual(deleted);
      if ('affected' in outcome) {
        expect(outcome.affected).toBe(deleted.length);
      }
    }
  });
});
