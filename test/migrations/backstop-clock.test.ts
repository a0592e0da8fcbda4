// One clock, read after the row lock, for trigger rows too: another client's update that waits behind an audited
// flush fires its trigger after the flush committed, so its version's stamp must not be before the flush's. A
// statement's start time (statement_timestamp(), utc_timestamp()) is before the wait: triggers read the clock.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { LockMode } from '@mikro-orm/core';
import { allowAuditTableWrites, allowUnauditedWrites, AuditTrail, auditOf } from '../../src/index.js';
import { auditPlanOf } from '../../src/read/auditPlanOf.js';
import { backstopTableOf } from '../../src/discover/backstopTable.js';
import { buildBackstopStatements } from '../../src/sql/backstopTriggers.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, ormMajor, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

const run = promisify(execFile);

@Entity()
@AuditTrail()
class Till {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

const TillAudit = auditOf(Till);

describeOnEachDatabase(
  'trigger backstop rows and the database clock',
  // MikroORM 7 refuses the backstop on MySQL/MariaDB (test/migrations/backstop.test.ts).
  { file: import.meta.url, config: { entities: [Till], forceUtcTimezone: true }, moduleOptions: { triggerBackstop: {} }, databases: SERVER_DATABASES.filter(db => db.name === 'postgresql' || ormMajor < 7) },
  ctx => {
    const otherClient = (sql: string) =>
      ctx.db.name === 'postgresql'
        ? run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', dbNameFor(import.meta.url), '-v', 'ON_ERROR_STOP=1', '-c', sql])
        : run('mariadb', ['-h', '127.0.0.1', '-u', 'root', dbNameFor(import.meta.url), '-e', sql]);

    it('stamps a version written after another one with a timestamp not before it', async () => {
      await refreshSchema(ctx.t.orm);
      const em = ctx.t.orm.em.fork();
      const statements = buildBackstopStatements(backstopTableOf(auditPlanOf(em, Till), {}));
      for (const sql of statements.up) {
        await allowAuditTableWrites(() => allowUnauditedWrites(() => em.getConnection().execute(sql)));
      }
      await ctx.t.orm.em.fork().insert(Till, { id: 1, balance: 1 });

      // The application's request locks the row, and writes its change 500 ms later.
      const app = ctx.t.orm.em.fork();
      await app.begin();
      const till = await app.findOneOrFail(Till, 1, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const other = otherClient('update till set balance = 3 where id = 1'); // waits for the lock
      await sleep(500);
      till.balance = 2;
      await app.flush();
      await app.commit();
      await other;

      const rows = await ctx.t.orm.em.fork().find(TillAudit, { id: 1 }, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => row.balance)).toEqual([1, 2, 3]);
      const [, second, third] = rows.map(row => row._audit_timestamp.getTime());
      // The waiting client's statement started 500 ms before the flush: its stamp must be from after the wait.
      expect(third).toBeGreaterThanOrEqual(second!);
    });
  },
);
