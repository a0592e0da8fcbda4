// Eight connections writing to one audited table at once, under both isolation levels applications use: a chain is
// per (audit table, transaction), so no writer reads another's audit rows and none waits for another. Every chain
// recomputes, and the writers meet no error (lock wait, deadlock, serialization failure) that the same workload
// without tamper evidence does not meet.
import { expect, it } from 'vitest';
import type { EntityManager, IsolationLevel } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { expectChainsIntact } from '../support/chains.js';

@Entity()
@AuditTrail({ tamperEvidence: true })
class Racer {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) worker!: number;
  @Property({ type: 'string' }) state!: string;
}

// The same table without tamper evidence: the baseline.
@Entity()
@AuditTrail()
class PlainRacer {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) worker!: number;
  @Property({ type: 'string' }) state!: string;
}

const RacerAudit = auditOf(Racer);
const WORKERS = 8;
const TRANSACTIONS = 15;

type Entity = typeof Racer | typeof PlainRacer;

// One worker: small transactions, each inserting two rows, updating one by flush and one natively, deleting one.
async function worker(em: EntityManager, entity: Entity, n: number, isolationLevel: IsolationLevel): Promise<string[]> {
  const errors: string[] = [];
  for (let t = 0; t < TRANSACTIONS; t++) {
    try {
      await auditContext.run({ user: `worker ${n}`, reason: `transaction ${t}` }, () =>
        em.fork().transactional(
          async trx => {
            trx.create(entity, { worker: n, state: `new ${t}` });
            trx.create(entity, { worker: n, state: `new ${t}` });
            await trx.flush();
            const mine = await trx.find(entity, { worker: n }, { orderBy: { id: 'asc' } });
            mine.at(-1)!.state = `updated ${t}`;
            await trx.flush();
            await trx.nativeUpdate(entity, { id: mine[0]!.id }, { state: `native ${t}` });
            trx.remove(mine.at(-2)!);
            await trx.flush();
          },
          { isolationLevel },
        ),
      );
    } catch (error) {
      errors.push(String((error as Error).message));
    }
  }
  return errors;
}

describeOnEachDatabase('eight concurrent tamper-evident writers', { file: import.meta.url, config: { entities: [Racer, PlainRacer], pool: { min: 0, max: 12 } }, databases: SERVER_DATABASES }, ctx => {
  async function race(entity: Entity, isolationLevel: IsolationLevel): Promise<string[]> {
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(ctx.t.orm.em, entity, n, isolationLevel)));
    return results.flat();
  }

  it('keeps every chain intact, with no error the same workload without tamper evidence does not have', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      const baseline = await race(PlainRacer, isolationLevel);
      const errors = await race(Racer, isolationLevel);
      expect({ isolationLevel, errors }).toEqual({ isolationLevel, errors: baseline });
      const report = await expectChainsIntact(ctx.t.orm.em.fork(), Racer);
      // One chain per committed transaction; each wrote 2 inserts, 1 flush update, 1 native update, 1 delete.
      expect(report.chains).toBe(WORKERS * TRANSACTIONS - errors.length);
      expect(report.chained).toBe(5 * report.chains);
      const transactions = await ctx.t.orm.em.fork().find(RacerAudit, {}, { fields: ['_audit_transaction'] });
      expect(new Set(transactions.map(row => row._audit_transaction)).size).toBe(report.chains);
    }
  });
});
