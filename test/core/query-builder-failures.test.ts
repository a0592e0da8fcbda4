// A query builder's write that fails (a unique violation the caller catches) inside em.transactional() leaves
// neither the change nor audit rows behind, and the transaction goes on and commits what else it did.
import { expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Ledger {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string', unique: true }) code!: string;
}

const LedgerAudit = auditOf(Ledger);

describeOnEachDatabase('a failed query-builder write inside a transaction', { file: import.meta.url, config: { entities: [Ledger] } }, ctx => {
  it('rolls back to before it, so that the caller can catch the error and commit the rest', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Ledger, { id: 1, code: 'a' });
    await ctx.t.orm.em.fork().transactional(async em => {
      const sql = em as unknown as SqlEntityManager;
      await expect(sql.createQueryBuilder(Ledger).insert({ id: 2, code: 'a' }).execute()).rejects.toThrow();
      await expect(sql.createQueryBuilder(Ledger).update({ code: 'a' }).where({ id: 1 }).execute()).resolves.toBeDefined();
      await sql.createQueryBuilder(Ledger).insert({ id: 3, code: 'c' }).execute();
      em.create(Ledger, { id: 4, code: 'd' });
    });
    const rows = await ctx.t.orm.em.fork().find(Ledger, {}, { orderBy: { id: 'asc' } });
    expect(rows.map(row => row.id)).toEqual([1, 3, 4]);
    const history = await ctx.t.orm.em.fork().find(LedgerAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(history.map(row => [row.id, row._audit_change_type])).toEqual([
      [1, 'I'],
      [1, 'U'],
      [3, 'I'],
      [4, 'I'],
    ]);
  });
});
