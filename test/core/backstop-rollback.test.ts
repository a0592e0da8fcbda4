// With the trigger backstop on PostgreSQL, a flush that fails (a unique violation) must report that violation
// and give its connection back: clearing the backstop mark on the aborted transaction failed with 25P02 before
// the rollback ran, so every failed flush kept one pooled connection until the application hung.
import { expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AuditTrail, auditContext } from '../../src/index.js';
import { DATABASES } from '../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Badge {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', unique: true }) code!: string;
}

describeOnEachDatabase(
  'failed flushes with the trigger backstop',
  {
    file: import.meta.url,
    config: { entities: [Badge], pool: { min: 0, max: 2 } },
    moduleOptions: {
      triggerBackstop: { actorField: 'actor' },
      globalTrackFields: [{ name: 'actor', type: 'string', value: ({ context }) => context?.user ?? null }],
    },
    databases: DATABASES.filter(db => db.name === 'postgresql'),
  },
  ctx => {
    it('report the violation and return their connection, more times than the pool has connections', async () => {
      await refreshSchema(ctx.t.orm);
      const em = ctx.t.orm.em.fork();
      em.create(Badge, { code: 'taken' });
      await em.flush();
      for (let i = 0; i < 5; i++) {
        const failing = ctx.t.orm.em.fork();
        failing.create(Badge, { code: 'taken' });
        await expect(auditContext.run({ user: 'u' }, () => failing.flush())).rejects.toThrow(UniqueConstraintViolationException);
      }
      const after = ctx.t.orm.em.fork();
      after.create(Badge, { code: 'free' });
      await after.flush();
      expect(await ctx.t.orm.em.fork().count(Badge, {})).toBe(2);
    }, 20_000);
  },
);
