// The seal's watermark waits for the transactions writing an audit table (PostgreSQL, MariaDB: SQLite has one
// writer, and its one connection is the writer's until it ends): a seal taken while a writer is in flight covers
// its rows once it commits, and one that would wait longer than lockTimeout fails, naming the table.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { sealAuditTrail, verifyAuditTrail, type AuditTrailError } from '../../src/index.js';
import { refreshSchema } from '../support/mikro.js';
import { KEY, Ledger, describeTamper, storedRows, writeFirstHistory } from './support/ledger.js';

describeTamper(
  'the seal watermark',
  import.meta.url,
  ctx => {
    it('waits for a writer in flight, and then seals its rows', async () => {
      await refreshSchema(ctx.orm);
      await writeFirstHistory(ctx.orm);
      const writer = ctx.orm.em.fork();
      await writer.begin();
      writer.create(Ledger, { id: 70, owner: 'in flight', amount: 1 });
      await writer.flush();
      let sealed = false;
      const sealing = sealAuditTrail(ctx.orm, { key: KEY }).then(result => {
        sealed = true;
        return result;
      });
      await sleep(500);
      expect(sealed).toBe(false);
      await writer.commit();
      const result = await sealing;
      expect(result.tables[0]!.sealedTo).toBe(String((await storedRows(ctx.dba)).at(-1)!.id));
      expect((await verifyAuditTrail(ctx.orm, { key: KEY })).findings).toEqual([]);
    });

    it('fails after lockTimeout when a writer keeps its transaction open, naming the table; seals once it ended', async () => {
      await refreshSchema(ctx.orm);
      await writeFirstHistory(ctx.orm);
      const writer = ctx.orm.em.fork();
      await writer.begin();
      writer.create(Ledger, { id: 71, owner: 'forgotten', amount: 1 });
      await writer.flush();
      const error = (await sealAuditTrail(ctx.orm, { key: KEY, lockTimeout: 1 }).catch((e: unknown) => e)) as AuditTrailError;
      expect(error.code).toBe('AUDIT_SEAL_CONFLICT');
      expect(error.message).toMatch(/^Sealing ledger_audit waited 1 s for the transactions writing to it to finish/);
      await writer.rollback();
      expect((await sealAuditTrail(ctx.orm, { key: KEY })).tables[0]!.seals).toBe(1);
      if (ctx.db.name === 'mariadb') {
        // The session setting the seal changed on a pooled connection is back to what it was.
        const rows = (await ctx.orm.em.getConnection().execute('select @@session.lock_wait_timeout as t')) as { t: number }[];
        expect(Number(rows[0]!.t)).toBeGreaterThan(1);
      }
    });
  },
  {},
  ['postgresql', 'mariadb'],
);
