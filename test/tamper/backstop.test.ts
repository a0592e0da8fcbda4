// Rows the trigger backstop writes (SQL outside the ORM) have no hash and are in no chain: the library's rows around
// them, in the same table and even in the same database transaction, still chain and recompute.
import { expect, it } from 'vitest';
import { allowAuditTableWrites, allowUnauditedWrites, AuditTrail, auditOf } from '../../src/index.js';
import { auditPlanOf } from '../../src/read/auditPlanOf.js';
import { backstopTableOf } from '../../src/discover/backstopTable.js';
import { buildBackstopStatements } from '../../src/sql/backstopTriggers.js';
import { Entity, PrimaryKey, Property, ormMajor, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { recomputeChains } from '../support/chains.js';

@Entity()
@AuditTrail({ tamperEvidence: true })
class Till {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

const TillAudit = auditOf(Till);

describeOnEachDatabase(
  'trigger backstop rows next to chained rows',
  // MikroORM 7 refuses the backstop on MySQL/MariaDB (test/migrations/backstop.test.ts).
  {
    file: import.meta.url,
    config: { entities: [Till], forceUtcTimezone: true },
    moduleOptions: { triggerBackstop: {} },
    databases: SERVER_DATABASES.filter(db => db.name === 'postgresql' || ormMajor < 7),
  },
  ctx => {
    it('leaves backstop rows without a hash and every library row chained', async () => {
      await refreshSchema(ctx.t.orm);
      const em = ctx.t.orm.em.fork();
      for (const sql of buildBackstopStatements(backstopTableOf(auditPlanOf(em, Till), {})).up) {
        await allowAuditTableWrites(() => allowUnauditedWrites(() => em.getConnection().execute(sql)));
      }
      await ctx.t.orm.em.fork().insertMany(Till, [{ id: 1, balance: 1 }, { id: 2, balance: 1 }]);
      await allowUnauditedWrites(() => ctx.t.orm.em.getConnection().execute('update till set balance = 5 where id = 1'));
      // Raw SQL and library writes in one database transaction.
      await ctx.t.orm.em.fork().transactional(async trx => {
        await trx.nativeUpdate(Till, { id: 2 }, { balance: 2 });
        await allowUnauditedWrites(() => trx.getConnection().execute('update till set balance = 6 where id = 1', [], 'run', trx.getTransactionContext()));
        await trx.nativeUpdate(Till, { id: 2 }, { balance: 3 });
      });
      const rows = await ctx.t.orm.em.fork().find(TillAudit, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row.id, row.balance, row._audit_hash === null])).toEqual([
        [1, 1, false],
        [2, 1, false],
        [1, 5, true],
        [2, 2, false],
        [1, 6, true],
        [2, 3, false],
      ]);
      const report = await recomputeChains(ctx.t.orm.em.fork(), Till);
      expect(report.mismatches).toEqual([]);
      // PostgreSQL's trigger names the transaction by txid, MariaDB's leaves it NULL: never one of the library's.
      expect(report.chained).toBe(4);
      expect(report.unchained.length).toBe(ctx.db.name === 'postgresql' ? 2 : 0);
    });
  },
);
