// An audited flush whose audit rows carry values that differ between rows (here an insert and an update: `I` and
// `U`) reads its source rows through a derived table of those values (JSON_TABLE on MySQL/MariaDB). On a small
// table MariaDB's optimizer once joined it to a full scan of the source, and the locking read then held every row
// and gap until commit: another connection's insert waited. The source rows are looked up by key only.
import { expect, it } from 'vitest';
import { AuditTrail } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail({ trackFields: [{ name: 'step', type: 'string', length: 20, value: () => 'same' }] })
class Seat {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) holder!: string;
}

@Entity()
@AuditTrail({ tamperEvidence: true })
class ChainedSeat {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) holder!: string;
}

describeOnEachDatabase('locks of an audited flush with per-row values', { file: import.meta.url, config: { entities: [Seat, ChainedSeat] }, databases: SERVER_DATABASES }, ctx => {
  for (const entity of [Seat, ChainedSeat]) {
    it(`lets another connection insert and update other rows of a small table meanwhile (${entity.name})`, async () => {
      for (const isolationLevel of isolationLevelsOf(ctx.db)) {
        await refreshSchema(ctx.t.orm);
        await ctx.t.orm.em.fork().insertMany(entity, [1, 2, 3].map(id => ({ id, holder: 'nobody' })));
        const a = ctx.t.orm.em.fork();
        await a.begin({ isolationLevel });
        try {
          (await a.findOneOrFail(entity, 1)).holder = 'a';
          a.create(entity, { id: 10, holder: 'a' });
          await a.flush();
          // The other connection gives up after 2 seconds instead of the server's default wait.
          const b = ctx.t.orm.em.fork();
          await b.transactional(async trx => {
            const timeout = ctx.db.name === 'postgresql' ? `set local lock_timeout = '2s'` : 'set session innodb_lock_wait_timeout = 2';
            await trx.getConnection().execute(timeout, [], 'run', trx.getTransactionContext());
            trx.create(entity, { id: 20, holder: 'b' });
            (await trx.findOneOrFail(entity, 3)).holder = 'b';
            await trx.flush();
          });
        } finally {
          await a.commit();
        }
        expect(await ctx.t.orm.em.fork().count(entity, {})).toBe(5);
      }
    });
  }
});
