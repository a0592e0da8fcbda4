// Versions are ordered as the database committed them, not by a client clock: a write that started first but
// waited for a row lock lands last, and its version must be the newest one everywhere history is read.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { IsolationLevel } from '@mikro-orm/core';
import { AuditTrail, asOf, auditHistory, auditOf, pruneAudit } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { isolationLevelsOf } from '../support/isolation.js';

@Entity()
@AuditTrail()
class Account {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

const AccountAudit = auditOf(Account);

describeOnEachDatabase('history order under concurrent writers', { file: import.meta.url, config: { entities: [Account] }, databases: SERVER_DATABASES }, ctx => {
  // A holds the row's lock; B starts its flush (and, before the fix, took its timestamp) and waits for the lock;
  // A writes again and commits; B's write lands last. Under PostgreSQL's REPEATABLE READ the database refuses
  // B's write instead (a serialization failure): then it must leave no version behind. Says whether B committed.
  async function laterWriterWaits(isolationLevel: IsolationLevel): Promise<boolean> {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Account, { id: 1, balance: 0 });
    const a = ctx.t.orm.em.fork();
    await a.begin({ isolationLevel });
    (await a.findOneOrFail(Account, 1)).balance = 1;
    await a.flush();
    const b = ctx.t.orm.em.fork();
    const account = await b.findOneOrFail(Account, 1);
    account.balance = 3;
    const pending = b.transactional(trx => trx.flush(), { isolationLevel });
    await sleep(300);
    (await a.findOneOrFail(Account, 1)).balance = 2;
    await a.flush();
    await a.commit();
    return pending.then(
      () => true,
      (error: unknown) => {
        expect(String(error)).toMatch(/could not serialize access/);
        return false;
      },
    );
  }

  it('lists the committed state as the newest version, in every reader', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      const committed = await laterWriterWaits(isolationLevel);
      const em = ctx.t.orm.em.fork();
      const live = (await em.findOneOrFail(Account, 1)).balance;
      expect(live).toBe(committed ? 3 : 2);
      expect((await auditHistory(em, Account, 1)).map(row => row.balance)).toEqual(committed ? [3, 2, 1, 0] : [2, 1, 0]);
      expect((await asOf(em, Account, 1, new Date(Date.now() + 60_000)))?.balance).toBe(live);
      expect((await asOf(em, Account, new Date(Date.now() + 60_000))).map(row => row.balance)).toEqual([live]);
      await pruneAudit(em, Account, { keepLast: 1 });
      expect((await em.fork().find(AccountAudit, {})).map(row => row.balance)).toEqual([live]);
    }
  });
});
