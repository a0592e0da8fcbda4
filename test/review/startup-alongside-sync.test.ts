// Review of the 'warn' check running alongside the start: ORMs that connect lazily (MikroORM.initSync() on
// MikroORM 6, new MikroORM() on 7), orm.connect() later, orm.reconnect(), and two ORMs at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditTrail, withAuditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { ormMajor, refreshSchema } from '../support/mikro.js';
import { projectRoot } from '../support/migrationProject.js';

interface Row {
  id: number;
  label: string;
}

const Item = auditTrail(
  new EntitySchema<Row>({ name: 'RvSyncItem', tableName: 'rv_sync_item', properties: { id: { type: 'number', primary: true }, label: { type: 'string', length: 40 } } }),
);

const MISFIT = /rv_sync_item_audit\.id has the unique index/;

function initSynchronously(options: Options): MikroORM {
  const sync = MikroORM as unknown as { initSync?: (options: Options) => MikroORM };
  return ormMajor >= 7 ? new MikroORM(options) : sync.initSync!(options);
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`the default check with lazy connections on ${db.name}`, () => {
    const folder = mkdtempSync(join(projectRoot(), 'rv-sync-'));
    const dbName = db.name === 'sqlite' ? join(folder, 'app.db') : dbNameFor(import.meta.url);
    const config = (log: string[], extra: Partial<Options> = {}, moduleOptions: AuditTrailModuleOptions = {}): Options =>
      withAuditTrail({ ...db.config(dbName), dbName, entities: [Item], logger: (line: string) => log.push(line), allowGlobalContext: true, ...extra } as Options, moduleOptions);

    beforeAll(async () => {
      const orm = await MikroORM.init(config([], {}, { schemaCheck: 'off' }));
      await refreshSchema(orm);
      await allowAuditTableWrites(() => orm.schema.execute('create unique index rv_sync_item_audit_id_unique on rv_sync_item_audit (id)'));
      await orm.close(true);
    });
    afterAll(() => {
      rmSync(folder, { recursive: true, force: true });
    });

    it('control: MikroORM.init logs the misfit table by the time it is closed', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log));
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    // The way sync-init.test.ts does it: orm.connect() explicitly.
    it('initialised synchronously then orm.connect(): logs the misfit table', async () => {
      const log: string[] = [];
      const orm = initSynchronously(config(log));
      await orm.connect();
      await orm.em.fork().count(Item);
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    // MikroORM's docs for initSync(): "database connection will be established when you first interact with the
    // database". No orm.connect(): the first query connects.
    it('initialised synchronously, connected by the first query: logs the misfit table', async () => {
      const log: string[] = [];
      const orm = initSynchronously(config(log));
      await orm.em.fork().count(Item);
      await new Promise(resolve => setTimeout(resolve, 200));
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    it('initialised synchronously, connected by the first query: a schema diff right after still works', async () => {
      const log: string[] = [];
      const orm = initSynchronously(config(log));
      await orm.em.fork().count(Item);
      const started = Date.now();
      await (orm.schema as unknown as { getUpdateSchemaSQL(o: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
      expect(Date.now() - started).toBeLessThan(5000);
      await orm.close(true);
    });

    it('connect: false then orm.connect() later: logs the misfit table', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log, ormMajor < 7 ? ({ connect: false } as Partial<Options>) : {}));
      await orm.connect();
      await orm.em.fork().count(Item);
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    it('orm.reconnect() right after init: no hang, logged once, ORM usable', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log));
      await orm.reconnect();
      expect(await orm.em.fork().count(Item)).toBeGreaterThanOrEqual(0);
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
      expect(log.filter(line => /could not read the audit tables/.test(line))).toEqual([]);
    });

    it('two ORMs started at once on one database: each logs once, closing one does not disturb the other', async () => {
      const logs: [string[], string[]] = [[], []];
      const [a, b] = await Promise.all(logs.map(log => MikroORM.init(config(log))));
      await a!.close(true);
      expect(await b!.em.fork().count(Item)).toBeGreaterThanOrEqual(0);
      await b!.close(true);
      for (const log of logs) {
        expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
      }
    });

    it('close(true) immediately after init (no other query): no error, logged once', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log));
      const started = Date.now();
      await orm.close(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    it('close() twice concurrently right after init', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log));
      await Promise.all([orm.close(true), orm.close(true)]);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });

    // (The audit table has a unique index on id here: one write per id only.)
    it('a transaction with writes right after init (one-connection pool) does not deadlock', async () => {
      const log: string[] = [];
      const orm = await MikroORM.init(config(log, { pool: { min: 0, max: 1 } } as Partial<Options>));
      const id = 1000 + Math.floor(Math.random() * 100000);
      await Promise.race([
        orm.em.fork().transactional(async em => {
          em.create(Item, { id, label: 'tx' });
          await em.flush();
        }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('deadlock: transaction did not finish in 10 s')), 10_000)),
      ]);
      await orm.close(true);
      expect(log.filter(line => MISFIT.test(line))).toHaveLength(1);
    });
  });
}
