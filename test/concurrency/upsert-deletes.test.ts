// An upsert racing a delete of the row it would update: the row is gone when the upsert runs, so it inserts a
// fresh row with a new key. Its version must be an `I` of that key (not a `U`, and never no row at all).
import { expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { race } from '../support/race.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Subscriber {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'string' }) name!: string;
}

const SubscriberAudit = auditOf(Subscriber);

describeOnEachDatabase('upserts racing deletes of the same key', { file: import.meta.url, config: { entities: [Subscriber] }, databases: SERVER_DATABASES }, ctx => {
  const fork = () => ctx.t.orm.em.fork();
  const upsert = (name: string) => async (em: EntityManager) => {
    await em.upsert(Subscriber, { email: 'x@example.com', name }, { onConflictFields: ['email'] });
  };

  it('records I for an upsert that inserted a fresh row because another request deleted the old one while it ran', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      await upsert('old')(fork());
      const outcome = await race(
        fork,
        isolationLevel,
        async em => {
          em.remove(await em.findOneOrFail(Subscriber, { email: 'x@example.com' }));
          await em.flush();
        },
        upsert('new'),
      );
      if (!outcome.committed) {
        continue; // PostgreSQL REPEATABLE READ may refuse it: then nothing to check
      }
      const rows = await fork().find(SubscriberAudit, {}, { orderBy: { _audit_id: 'asc' } });
      const live = await fork().findOneOrFail(Subscriber, { email: 'x@example.com' });
      const ofLive = rows.filter(row => row.id === live.id).map(row => `${row._audit_change_type} ${row.name}`);
      // The live row's first version must be an insert.
      expect({ isolationLevel, ofLive }).toEqual({ isolationLevel, ofLive: ['I new'] });
    }
  });
});
