// MikroORM's upsert calls itself: `upsert` with `disableIdentityMap` runs the fork's upsert, and `upsertMany`
// above `batchSize` runs itself per chunk. Each row must still get one audit row.
import { expect, it } from 'vitest';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Counter {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) value!: number;
}

const CounterAudit = auditOf(Counter);

describeOnEachDatabase('upserts MikroORM splits or forks', { file: import.meta.url, config: { entities: [Counter] } }, ctx => {
  it('writes one audit row per upserted row, however MikroORM runs the upsert', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().upsert(Counter, { id: 1, value: 1 }, { disableIdentityMap: true });
    await ctx.t.orm.em.fork().upsert(Counter, { id: 1, value: 2 }, { disableIdentityMap: true });
    const rows = Array.from({ length: 350 }, (_, i) => ({ id: 100 + i, value: i }));
    await ctx.t.orm.em.fork().upsertMany(Counter, rows, { batchSize: 100 });
    await ctx.t.orm.em.fork().upsertMany(Counter, rows.map(row => ({ ...row, value: row.value + 1 })), { batchSize: 100 });
    const history = await ctx.t.orm.em.fork().find(CounterAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(history.filter(row => row.id === 1).map(row => [row._audit_change_type, row.value])).toEqual([
      ['I', 1],
      ['U', 2],
    ]);
    const many = history.filter(row => (row.id ?? 0) >= 100);
    expect(many).toHaveLength(700);
    expect(many.filter(row => row._audit_change_type === 'I')).toHaveLength(350);
    expect(new Set(many.filter(row => row._audit_change_type === 'U').map(row => row.id)).size).toBe(350);
  });
});
