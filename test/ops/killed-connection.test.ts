// Issue 14: a backfill or prune whose connection is killed mid-batch (pg_terminate_backend, MariaDB KILL), as an
// operator or a failover would: the driver's error reaches the caller, the batches before stay, the one under way
// leaves nothing behind, and a rerun finishes with the state an uninterrupted run gives. Each ORM here is its
// own and closed with a bounded wait (MikroORM 7 on PostgreSQL keeps a killed connection, see test/faults).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DriverException, type EntityManager, type MikroORM } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, allowUnauditedWrites, auditOf, backfillAudit, pruneAudit, type PruneRecorder } from '../../src/index.js';
import { dbNameFor, type TestDatabase } from '../support/databases.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';
import { createTestOrm } from '../support/orm.js';
import { SERVER_DATABASES } from '../support/suite.js';

// Called inside a backfill batch, its rows locked: a test kills the batch's connection here.
let duringBackfill: ((em: EntityManager) => Promise<void>) | undefined;

@Entity()
@AuditTrail({
  trackFields: [{ name: 'note', type: 'string', value: async ({ em, context }) => (context?.reason === 'backfill' ? await duringBackfill?.(em) : undefined, 'n') }],
})
class Parcel {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) weight!: number;
}

@Entity()
class PruneNote {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) auditId!: number;
}

const ParcelAudit = auditOf(Parcel);

async function closeWithin(orm: MikroORM, ms = 3_000): Promise<void> {
  await Promise.race([orm.close(true), sleep(ms)]);
}

describe.each(SERVER_DATABASES.filter(db => db.available))('a backfill or prune whose connection is killed on $name', (db: TestDatabase) => {
  const postgres = () => db.name === 'postgresql';

  async function withOrm(body: (orm: MikroORM) => Promise<void>): Promise<void> {
    const { orm } = await createTestOrm(db, dbNameFor(import.meta.url), { entities: [Parcel, PruneNote], pool: { min: 0, max: 4 } });
    try {
      await body(orm);
    } finally {
      duringBackfill = undefined;
      await closeWithin(orm);
    }
  }

  // Kills the connection of `em`'s transaction from another connection.
  async function killConnectionOf(em: EntityManager, transaction: unknown, other: EntityManager): Promise<void> {
    const sql = postgres() ? 'select pg_backend_pid() as pid' : 'select connection_id() as pid';
    const { pid } = (await em.getConnection().execute(sql, [], 'get', transaction as never)) as { pid: number };
    await other.getConnection().execute(postgres() ? 'select pg_terminate_backend(?)' : `kill ${Number(pid)}`, postgres() ? [pid] : []);
  }

  async function seedParcels(orm: MikroORM, rows: number): Promise<void> {
    const values = Array.from({ length: rows }, (_, i) => `(${i + 1}, ${i + 1})`).join(', ');
    await allowUnauditedWrites(() => orm.em.fork().getConnection().execute(`insert into parcel (id, weight) values ${values}`));
  }

  it('backfill: the first batch stays, the killed one leaves no row, a rerun gives every row exactly one I version', async () => {
    await withOrm(async orm => {
      await seedParcels(orm, 30);
      const batches = new Set<unknown>();
      // Track fields are called once per row: the second batch is the second transaction seen.
      duringBackfill = async em => {
        if (batches.add(em.getTransactionContext()).size === 2) {
          duringBackfill = undefined;
          await killConnectionOf(em, em.getTransactionContext(), orm.em.fork());
        }
      };
      const error = await backfillAudit(orm.em.fork(), Parcel, { batchSize: 10 }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DriverException);
      await orm.em.fork().count(Parcel, {}).catch(() => undefined); // a broken connection may fail one more query
      expect((await orm.em.fork().find(ParcelAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row.id)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(await backfillAudit(orm.em.fork(), Parcel, { batchSize: 10 })).toEqual({ written: 20, batches: 2 });
      const rows = await orm.em.fork().find(ParcelAudit, {}, { orderBy: { id: 'asc' } });
      expect(rows.map(row => `${row.id}:${row._audit_change_type}`)).toEqual(Array.from({ length: 30 }, (_, i) => `${i + 1}:I`));
    });
  }, 60_000);

  it('prune with a recorder: a killed batch rolls back its records and its delete together, a rerun ends as an uninterrupted prune', async () => {
    await withOrm(async orm => {
      await seedParcels(orm, 20);
      const history = Array.from({ length: 20 * 5 }, (_, n) => ({ id: (n % 20) + 1, weight: n, _audit_timestamp: new Date(Date.UTC(2026, 0, 1 + Math.floor(n / 20))), _audit_change_type: n < 20 ? 'I' : 'U' }));
      await allowAuditTableWrites(() => orm.em.fork().insertMany(ParcelAudit, history as never[]));
      let calls = 0;
      const onBatch: PruneRecorder = {
        async record(em, transaction, rows) {
          await em.getConnection().execute(`insert into prune_note (audit_id) values ${rows.map(row => `(${Number(row.id)})`).join(', ')}`, [], 'run', transaction);
          if (++calls === 2) {
            await killConnectionOf(em, transaction, orm.em.fork());
          }
        },
      };
      const error = await pruneAudit(orm.em.fork(), Parcel, { keepLast: 1, batchSize: 25, onBatch }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DriverException);
      await orm.em.fork().count(Parcel, {}).catch(() => undefined);
      const notes = async () => (await orm.em.fork().find(PruneNote, {})).map(row => row.auditId);
      expect((await notes()).length).toBe(25);
      expect(await orm.em.fork().count(ParcelAudit)).toBe(100 - 25);
      expect(await pruneAudit(orm.em.fork(), Parcel, { keepLast: 1, batchSize: 25, onBatch })).toEqual({ removed: 55, batches: 3 });
      const left = await orm.em.fork().find(ParcelAudit, {}, { orderBy: { id: 'asc' } });
      expect(left.map(row => `${row.id}:${row.weight}`)).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}:${80 + i}`));
      const noted = await notes();
      expect(noted.length).toBe(80);
      expect(await orm.em.fork().count(ParcelAudit, { _audit_id: { $in: noted } })).toBe(0);
    });
  }, 60_000);
});
