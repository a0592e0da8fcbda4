// Review of the 'warn' check running alongside the start: the read stalled, killed or its database dropped while
// the application already runs. On PostgreSQL the read is held deterministically by another session holding an
// ACCESS EXCLUSIVE lock on pg_catalog.pg_description (the catalog statement reads it; MikroORM's start does not).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditTrail, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { refreshSchema } from '../support/mikro.js';

interface Row {
  id: number;
  label: string;
}

const Item = auditTrail(
  new EntitySchema<Row>({ name: 'RvFaultItem', tableName: 'rv_fault_item', properties: { id: { type: 'number', primary: true }, label: { type: 'string', length: 40 } } }),
);
const MISFIT = /rv_fault_item_audit\.id has the unique index/;
const UNREAD = /could not read the audit tables/;

const postgres = DATABASES.find(db => db.name === 'postgresql')!;
const admin = (database = 'postgres') => new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', password: 'root', database });
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms))]);
}

describe.skipIf(!postgres.available)('a stalled startup read on PostgreSQL', () => {
  const dbName = dbNameFor(import.meta.url);
  const config = (log: string[], extra: Partial<Options> = {}): Options =>
    withAuditTrail({ ...postgres.config(dbName), entities: [Item], logger: (line: string) => log.push(line), ...extra } as Options);
  let locker: pg.Client;

  beforeAll(async () => {
    const orm = await MikroORM.init(withAuditTrail({ ...postgres.config(dbName), entities: [Item] } as Options, { schemaCheck: 'off' }));
    await refreshSchema(orm);
    await allowAuditTableWrites(() => orm.schema.execute('create unique index rv_fault_item_audit_id_unique on rv_fault_item_audit (id)'));
    await orm.close(true);
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
  });

  async function lockCatalog(): Promise<pg.Client> {
    // pg_description is a catalog of each database: lock the test database's.
    locker = admin(dbName);
    // Dropped with the database in one test: its own termination is not what is tested.
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table pg_catalog.pg_description in access exclusive mode');
    return locker;
  }

  async function blockedReader(monitor: pg.Client): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await monitor.query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
        [dbName],
      );
      if (rows.length > 0) {
        return rows[0]!.pid;
      }
      await sleep(20);
    }
    throw new Error('the read never blocked');
  }

  it("MikroORM.init returns while the read is blocked; the app's query waits for the read, then runs", async () => {
    const log: string[] = [];
    const lock = await lockCatalog();
    const monitor = admin();
    await monitor.connect();
    try {
      const orm = await withTimeout(MikroORM.init(config(log)), 5000, 'MikroORM.init');
      await blockedReader(monitor);
      const query = orm.em.fork().count(Item);
      expect(await Promise.race([query.then(() => 'answered'), sleep(300).then(() => 'waiting')])).toBe('waiting');
      await lock.query('rollback');
      expect(await withTimeout(query, 5000, 'a query')).toBeGreaterThanOrEqual(0);
      await withTimeout(orm.close(true), 5000, 'orm.close()');
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
      await monitor.end();
    }
  });

  it('the read backend terminated mid-read: warned, no unhandled rejection, close works', async () => {
    const log: string[] = [];
    const lock = await lockCatalog();
    const monitor = admin();
    await monitor.connect();
    try {
      const orm = await MikroORM.init(config(log));
      const pid = await blockedReader(monitor);
      await monitor.query('select pg_terminate_backend($1)', [pid]);
      await sleep(200);
      await lock.query('rollback');
      expect(await withTimeout(orm.em.fork().count(Item), 5000, 'a query after the kill')).toBeGreaterThanOrEqual(0);
      await withTimeout(orm.close(true), 5000, 'orm.close()');
      expect(log.filter(line => UNREAD.test(line))).toHaveLength(1);
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
      await monitor.end();
    }
  });

  it('a schema diff while the read is blocked waits for it and still works once it ends', async () => {
    const log: string[] = [];
    const lock = await lockCatalog();
    const monitor = admin();
    await monitor.connect();
    try {
      const orm = await MikroORM.init(config(log));
      await blockedReader(monitor);
      const diff = (orm.schema as unknown as { getUpdateSchemaSQL(o: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
      await sleep(200);
      await lock.query('rollback');
      await withTimeout(diff, 10_000, 'getUpdateSchemaSQL');
      await withTimeout(orm.close(true), 5000, 'orm.close()');
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
      await monitor.end();
    }
  });

  // Graceful shutdown while the catalog is locked by someone else (a long migration in another process): before
  // the change MikroORM.init waited instead. close(true) waits for a running read, as plain MikroORM's close(true)
  // waits for a blocked query of the application's own (control below), and finishes once it ends.
  it('orm.close(true) while the read is blocked waits for it, and closes once it ends', async () => {
    const log: string[] = [];
    const lock = await lockCatalog();
    const monitor = admin();
    await monitor.connect();
    try {
      const orm = await MikroORM.init(config(log));
      await blockedReader(monitor);
      const closing = orm.close(true);
      const settled = await Promise.race([closing.then(() => 'closed'), sleep(300).then(() => 'waiting')]);
      await lock.query('rollback');
      await withTimeout(closing, 5000, 'orm.close()');
      expect(settled).toBe('waiting');
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
      await monitor.end();
    }
  });

  // Control for the finding above: plain MikroORM's close(true) with the application's own query blocked.
  it('control: plain MikroORM close(true) with an application query blocked on the same lock', async () => {
    const lock = await lockCatalog();
    try {
      const orm = await MikroORM.init({ ...postgres.config(dbName), entities: [Item] } as Options);
      const query = orm.em.getConnection().execute('select count(*) from pg_catalog.pg_description').catch(() => undefined);
      await sleep(100);
      const closing = orm.close(true);
      const settled = await Promise.race([closing.then(() => 'closed'), sleep(1500).then(() => 'hanging')]);
      await lock.query('rollback');
      await closing;
      await query;
      expect(settled).toBe('hanging');
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
    }
  });

  it('the database dropped (WITH FORCE) while the read is blocked: no unhandled rejection, close works', async () => {
    const log: string[] = [];
    const lock = await lockCatalog();
    const monitor = admin();
    await monitor.connect();
    try {
      const orm = await MikroORM.init(config(log));
      await blockedReader(monitor);
      // The locker session is in that database too: dropped with it.
      await monitor.query(`drop database ${dbName} with (force)`);
      await sleep(200);
      await withTimeout(orm.close(true), 5000, 'orm.close()');
      // Whatever was logged: the test is about not crashing.
      expect(log.filter(line => MISFIT.test(line))).toEqual([]);
    } finally {
      await lock.query('rollback').catch(() => undefined);
      await lock.end();
      await monitor.end();
      // Recreate for a rerun.
      const orm = await MikroORM.init(withAuditTrail({ ...postgres.config(dbName), entities: [Item] } as Options, { schemaCheck: 'off' }));
      await refreshSchema(orm);
      await allowAuditTableWrites(() => orm.schema.execute('create unique index rv_fault_item_audit_id_unique on rv_fault_item_audit (id)'));
      await orm.close(true);
    }
  });
});

// Without a way to hold the read, kill every connection of the ORM the moment MikroORM.init returns.
for (const db of DATABASES.filter(d => d.name !== 'sqlite')) {
  describe.skipIf(!db.available)(`connections killed right after init on ${db.name}`, () => {
    const dbName = `${dbNameFor(import.meta.url)}_k`;
    const log: string[] = [];
    beforeAll(async () => {
      const orm = await MikroORM.init(withAuditTrail({ ...db.config(dbName), entities: [Item] } as Options, { schemaCheck: 'off' }));
      await refreshSchema(orm);
      await allowAuditTableWrites(() => orm.schema.execute('create unique index rv_fault_item_audit_id_unique on rv_fault_item_audit (id)'));
      await orm.close(true);
    });

    it('no unhandled rejection, close works, something is logged', async () => {
      for (let round = 0; round < 5; round++) {
        const orm = await MikroORM.init(withAuditTrail({ ...db.config(dbName), entities: [Item], logger: (line: string) => log.push(line) } as Options));
        const killer = await MikroORM.init({ ...db.config(dbName), entities: [], discovery: { warnWhenNoEntities: false } } as Options);
        if (db.name === 'postgresql') {
          await killer.em.getConnection().execute(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${dbName}' and pid <> pg_backend_pid()`);
        } else {
          const rows = await killer.em
            .getConnection()
            .execute<{ id: number }[]>(`select id from information_schema.processlist where db = '${dbName}' and id <> connection_id()`);
          for (const row of rows) {
            await killer.em.getConnection().execute(`kill ${row.id}`).catch(() => undefined);
          }
        }
        await withTimeout(orm.close(true), 5000, 'orm.close()');
        await killer.close(true);
      }
      expect(log.filter(line => MISFIT.test(line) || UNREAD.test(line)).length).toBeGreaterThan(0);
    });
  });
}
