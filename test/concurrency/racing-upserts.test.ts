// An upsert racing an insert of the same unique key: the upsert waits for the other transaction's row and then
// updates it, so its version must be a `U`, whatever it read before it waited. The upsert runs as applications
// call it, on its own; inside a REPEATABLE READ transaction of the caller's on MySQL/MariaDB its snapshot predates
// the other insert and it is recorded as `I` (README, known limits).
import { expect, it } from 'vitest';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { race } from '../support/race.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: ({ context }) => context?.user ?? null }] })
class Subscriber {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'string' }) plan!: string;
}

const SubscriberAudit = auditOf<typeof Subscriber, { actor: string | null }>(Subscriber);

describeOnEachDatabase('upserts racing inserts', { file: import.meta.url, config: { entities: [Subscriber] }, databases: SERVER_DATABASES }, ctx => {
  it('records the upsert that found the row another request inserted meanwhile as an update', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      const outcome = await race(
        () => ctx.t.orm.em.fork(),
        isolationLevel,
        em =>
          auditContext.run({ user: 'ann' }, async () => {
            em.create(Subscriber, { email: 'x@y', plan: 'free' });
            await em.flush();
          }),
        em => auditContext.run({ user: 'bob' }, async () => void (await em.upsert(Subscriber, { email: 'x@y', plan: 'pro' }, { onConflictFields: ['email'] }))),
        { waiterTransaction: false },
      );
      expect(outcome.committed).toBe(true);
      const history = (await ctx.t.orm.em.fork().find(SubscriberAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => [row.plan, row._audit_change_type, row.actor]);
      expect(history).toEqual([['free', 'I', 'ann'], ['pro', 'U', 'bob']]);
      expect((await ctx.t.orm.em.fork().findOneOrFail(Subscriber, { email: 'x@y' })).plan).toBe('pro');
    }
  });
});
