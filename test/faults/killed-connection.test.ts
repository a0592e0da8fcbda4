// The connection killed mid-flush (pg_terminate_backend, MariaDB KILL), between the flush's statements and its
// audit rows: the caller gets the driver's error, neither the change nor any audit row stays, and the audit trail
// keeps no connection. MikroORM 7.2.1 on PostgreSQL itself does not return a connection killed inside a
// transaction to its pool, nor closes such a pool (both reproduced without the audit trail), so the pool is
// compared with that of a plain ORM put through the same kill, and each ORM here is its own and closed with a
// bounded wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DriverException, EntitySchema, MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { AuditTrail, AuditTrailError, auditOf } from '../../src/index.js';
import { dbNameFor, type TestDatabase } from '../support/databases.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';
import { createTestOrm } from '../support/orm.js';
import { SERVER_DATABASES } from '../support/suite.js';
import { usableConnections } from './pool.js';

const POOL = 3;
let duringAudit: (() => Promise<void>) | undefined;

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: async () => (await duringAudit?.(), 'someone') }] })
class Crate {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) qty!: number;
}

const CrateAudit = auditOf(Crate);
const PlainCrate = new EntitySchema<{ id: number }>({ name: 'PlainCrate', tableName: 'plain_crate', properties: { id: { type: 'number', primary: true } } });

async function closeWithin(orm: MikroORM, ms = 3_000): Promise<void> {
  await Promise.race([orm.close(true), sleep(ms)]);
}

describe.each(SERVER_DATABASES.filter(db => db.available))('a connection killed mid-flush on $name', (db: TestDatabase) => {
  const postgres = () => db.name === 'postgresql';
  const dbName = dbNameFor(import.meta.url);

  // Kills the connection of `em`'s transaction from another connection, as an operator or a failover would.
  async function killer(em: EntityManager, other: EntityManager): Promise<() => Promise<void>> {
    const sql = postgres() ? 'select pg_backend_pid() as pid' : 'select connection_id() as pid';
    const { pid } = (await em.getConnection().execute(sql, [], 'get', em.getTransactionContext())) as { pid: number };
    return async () => {
      await other.getConnection().execute(postgres() ? 'select pg_terminate_backend(?)' : `kill ${Number(pid)}`, postgres() ? [pid] : []);
    };
  }

  async function plainUsableAfterKill(): Promise<number> {
    const orm = await MikroORM.init({ ...db.config(dbName), entities: [PlainCrate], pool: { min: 0, max: POOL } } as Options);
    try {
      await orm.em
        .fork()
        .transactional(async em => {
          await (await killer(em, orm.em.fork()))();
          await em.getConnection().execute('select 1', [], 'all', em.getTransactionContext());
        })
        .catch(() => undefined);
      await orm.em.fork().getConnection().execute('select 1').catch(() => undefined);
      return await usableConnections(orm, POOL);
    } finally {
      await closeWithin(orm);
    }
  }

  it('leaves neither the change nor audit rows, reports the driver error, and keeps no connection', async () => {
    const plainUsable = await plainUsableAfterKill();
    const { orm } = await createTestOrm(db, dbName, { entities: [Crate], pool: { min: 0, max: POOL } });
    try {
      await killMidFlush(orm, plainUsable);
    } finally {
      await closeWithin(orm);
    }
  }, 30_000);

  async function killMidFlush(orm: MikroORM, plainUsable: number): Promise<void> {
    await orm.em.fork().insert(Crate, { id: 1, qty: 1 });
    const attempt = orm.em.fork().transactional(async em => {
      const kill = await killer(em, orm.em.fork());
      duringAudit = async () => {
        duringAudit = undefined;
        await kill();
      };
      (await em.findOneOrFail(Crate, 1)).qty = 2;
      em.create(Crate, { id: 2, qty: 2 });
      await em.flush();
    });
    // The driver's own error (its wording depends on when the socket closes), not one of the audit trail's.
    const error = await attempt.then(() => undefined, (e: unknown) => e);
    duringAudit = undefined;
    expect(error).toBeInstanceOf(DriverException);
    expect(error).not.toBeInstanceOf(AuditTrailError);
    expect(await orm.em.fork().find(Crate, {}, { orderBy: { id: 'asc' } })).toMatchObject([{ id: 1, qty: 1 }]);
    expect((await orm.em.fork().find(CrateAudit, {})).map(row => [row.id, row._audit_change_type])).toEqual([[1, 'I']]);
    // A broken connection may fail one more query before the pool drops it.
    await orm.em.fork().count(Crate, {}).catch(() => undefined);
    expect(await usableConnections(orm, POOL)).toBe(plainUsable);
  }
});
