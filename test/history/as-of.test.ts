import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, AuditTrailError, asOf, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Invoice {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
  @Property({ type: 'string' }) status!: string;
}

const InvoiceAudit = auditOf(Invoice);

// The instants of the steps below, as the database clock stamped them; `after(t)` lies between a step and the next.
let T1: Date, T2: Date, T3: Date, T4: Date, T5: Date;
const after = (t: Date) => t;

describeOnEachDatabase('asOf', { file: import.meta.url, config: { entities: [Invoice] } }, ctx => {
  // Insert, update, delete and re-insert invoice 1, with a second invoice alongside, at fixed instants.
  beforeAll(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    const step = async (): Promise<Date> => {
      await em.flush();
      const stamp = await newestStamp(em);
      await sleep(5);
      return stamp;
    };
    em.create(Invoice, { id: 1, total: 100, status: 'open' });
    T1 = await step();
    em.getReference(Invoice, 1).total = 150;
    em.create(Invoice, { id: 2, total: 200, status: 'open' });
    T2 = await step();
    em.remove(em.getReference(Invoice, 1));
    em.getReference(Invoice, 2).status = 'paid';
    T3 = await step();
    em.create(Invoice, { id: 1, total: 10, status: 'new' });
    T4 = await step();
    // Two versions with no time between them: the one that committed last wins.
    em.getReference(Invoice, 1).total = 11;
    await em.flush();
    em.getReference(Invoice, 1).total = 12;
    T5 = await step();
  });

  it('gives one row as it was at each instant, or null before it existed and after it was deleted', async () => {
    const em = ctx.t.orm.em.fork();
    const total = async (at: Date) => (await asOf(em, Invoice, 1, at))?.total ?? null;
    expect(await total(new Date(T1.getTime() - 1))).toBeNull();
    expect(await total(T1)).toBe(100);
    expect(await total(after(T1))).toBe(100);
    expect(await total(T2)).toBe(150);
    expect(await total(after(T3))).toBeNull();
    expect(await total(after(T4))).toBe(10);
    expect(await total(T5)).toBe(12);
    expect(await asOf(em, Invoice, 3, T5)).toBeNull();
  });

  it('gives every row as it was at an instant, in one query, leaving out deleted rows', async () => {
    const em = ctx.t.orm.em.fork();
    const state = async (at: Date, where?: object) =>
      (await asOf(em, Invoice, at, where)).map(row => [row.id, row.total, row.status]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(await state(new Date(T1.getTime() - 1))).toEqual([]);
    expect(await state(after(T2))).toEqual([
      [1, 150, 'open'],
      [2, 200, 'open'],
    ]);
    expect(await state(after(T3))).toEqual([[2, 200, 'paid']]);
    expect(await state(after(T4))).toEqual([
      [1, 10, 'new'],
      [2, 200, 'paid'],
    ]);
    expect(await state(T5)).toEqual([
      [1, 12, 'new'],
      [2, 200, 'paid'],
    ]);
  });

  it('answers with one query', async () => {
    const em = ctx.t.orm.em.fork();
    ctx.t.reset();
    await asOf(em, Invoice, T5, { status: 'new' });
    await asOf(em, Invoice, 1, T5);
    expect(ctx.t.queries.filter(query => /\bselect\b/i.test(query))).toHaveLength(2);
    expect(ctx.t.queries.join('\n')).toMatch(/row_number\(\) over \(partition by/);
  });

  it('filters on the state at that instant', async () => {
    const em = ctx.t.orm.em.fork();
    expect((await asOf(em, Invoice, after(T2), { status: 'open', total: { $gt: 160 } })).map(row => row.id)).toEqual([2]);
    expect(await asOf(em, Invoice, after(T3), { status: 'open' })).toEqual([]);
  });

  it('rejects an invalid date with the entity and the fix', async () => {
    const em = ctx.t.orm.em.fork();
    await expect(asOf(em, Invoice, new Date('not a date'))).rejects.toThrow(AuditTrailError);
    await expect(asOf(em, Invoice, new Date('not a date'))).rejects.toThrow(/asOf\(\) for Invoice needs a valid Date, got an invalid Date\. Pass a Date/);
    await expect(asOf(em, Invoice, 1, '2026-01-01' as unknown as Date)).rejects.toThrow(/got the string '2026-01-01'/);
  });
});

async function newestStamp(em: EntityManager): Promise<Date> {
  const [newest] = await em.fork().find(InvoiceAudit, {}, { orderBy: { _audit_id: 'desc' }, limit: 1 });
  return newest!._audit_timestamp;
}
