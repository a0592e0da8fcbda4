// Issue 14: backfillAudit() while the application writes, on two real connections. A row the application changes
// or inserts meanwhile gets its version from the application, never a second I version from the backfill, and
// versions stay in commit order (the backfill locks its rows as a write does, and looks again under the locks).
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, allowUnauditedWrites, auditContext, auditOf, backfillAudit } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { SERVER_DATABASES, describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

// Called while the backfill writes a batch (its rows locked): lets a test act in the middle of it.
let duringBackfill: (() => Promise<void>) | undefined;

@Entity()
@AuditTrail({
  trackFields: [
    {
      name: 'seen',
      type: 'string',
      value: async ({ entity, context }) => {
        if (context?.reason === 'backfill') {
          await duringBackfill?.();
        }
        return entity.owner ?? null;
      },
    },
  ],
})
class Account {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) owner!: string;
}

const AccountAudit = auditOf(Account);

async function legacyRows(em: EntityManager, ids: number[]): Promise<void> {
  await allowUnauditedWrites(() => em.getConnection().execute(`insert into account (id, owner) values ${ids.map(id => `(${id}, 'o${id}')`).join(', ')}`));
}

/** Per key, its change types in commit order, and the reason of each. */
async function historyByKey({ t }: SuiteContext): Promise<Map<number, string[]>> {
  const rows = await t.orm.em.fork().find(AccountAudit, {}, { orderBy: { _audit_id: 'asc' } });
  const byKey = new Map<number, string[]>();
  for (const row of rows) {
    byKey.set(row.id!, [...(byKey.get(row.id!) ?? []), `${row._audit_change_type}:${row._audit_reason ?? 'app'}`]);
  }
  return byKey;
}

describeOnEachDatabase('backfillAudit while the application writes', { file: import.meta.url, config: { entities: [Account] }, databases: SERVER_DATABASES }, ctx => {
  const fork = () => ctx.t.orm.em.fork();

  beforeEach(async () => {
    duringBackfill = undefined;
    await refreshSchema(ctx.t.orm);
  });

  it('skips a row whose application write held its lock first: the row keeps only the version the application wrote', async () => {
    await legacyRows(fork(), [1, 2, 3, 4, 5, 6]);
    const app = fork();
    await app.begin();
    await app.nativeUpdate(Account, { id: 3 }, { owner: 'changed' });
    const backfill = backfillAudit(fork(), Account);
    await sleep(300); // the backfill read row 3 as without history and waits for its lock
    await app.commit();
    expect(await backfill).toEqual({ written: 5, batches: 1 });
    const history = await historyByKey(ctx);
    expect(history.get(3)).toEqual(['U:app']);
    expect([1, 2, 4, 5, 6].map(id => history.get(id))).toEqual(Array(5).fill(['I:backfill']));
  });

  it('holds its rows while it writes: an application update waits and comes after the I version, an insert gets its own', async () => {
    await legacyRows(fork(), [1, 2, 3, 4, 5, 6]);
    let release!: () => void;
    const paused = new Promise<void>(resolve => (release = resolve));
    let reached!: () => void;
    const inBatch = new Promise<void>(resolve => (reached = resolve));
    duringBackfill = async () => {
      duringBackfill = undefined;
      reached();
      await paused;
    };
    const backfill = backfillAudit(fork(), Account, { batchSize: 10 });
    await inBatch;
    const update = fork().nativeUpdate(Account, { id: 2 }, { owner: 'later' });
    await fork().insert(Account, { id: 100, owner: 'new' }); // a key after the backfill's: not locked, not waiting
    await sleep(300);
    release();
    expect(await backfill).toEqual({ written: 6, batches: 1 });
    expect(await update).toBe(1);
    const history = await historyByKey(ctx);
    expect(history.get(2)).toEqual(['I:backfill', 'U:app']);
    expect(history.get(100)).toEqual(['I:app']);
    expect(await backfillAudit(fork(), Account)).toEqual({ written: 0, batches: 0 });
  });

  it('never writes a second I version while the application inserts, updates and deletes throughout the run', async () => {
    const legacy = Array.from({ length: 400 }, (_, i) => i + 1);
    await legacyRows(fork(), legacy);
    let finished = false;
    const backfill = backfillAudit(fork(), Account, { batchSize: 25 }).finally(() => (finished = true));
    let step = 0;
    await auditContext.run({ user: 'app' }, async () => {
      while (!finished || step < 30) {
        step++;
        const id = 1 + ((step * 37) % legacy.length);
        if (step % 3 === 0) {
          await fork().insert(Account, { id: 1000 + step, owner: 'new' });
        } else if (step % 7 === 0) {
          await fork().nativeDelete(Account, { id });
        } else {
          await fork().nativeUpdate(Account, { id }, { owner: `step ${step}` });
        }
      }
    });
    await backfill;
    const history = await historyByKey(ctx);
    const live = (await fork().find(Account, {}, { fields: ['id'] })).map(row => row.id);
    expect(live.filter(id => !history.has(id))).toEqual([]);
    const broken = [...history].filter(([, types]) => types.filter(t => t.startsWith('I')).length > 1 || types.slice(1).some(t => t.startsWith('I')));
    expect(broken).toEqual([]);
    expect([...history.values()].filter(types => types[0] === 'I:backfill').length).toBeGreaterThan(0);
  });
});
