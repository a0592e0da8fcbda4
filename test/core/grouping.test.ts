import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail()
class Invoice {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
}

@Entity()
@AuditTrail()
class Payment {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) amount!: number;
}

const InvoiceAudit = auditOf(Invoice);
const PaymentAudit = auditOf(Payment);

interface Version {
  table: string;
  id: number;
  transaction: string | null;
  reason: string | null;
}

async function versions({ t }: SuiteContext): Promise<Version[]> {
  const em = t.orm.em.fork();
  const invoices = await em.find(InvoiceAudit, {}, { orderBy: { _audit_id: 'asc' } });
  const payments = await em.find(PaymentAudit, {}, { orderBy: { _audit_id: 'asc' } });
  return [
    ...invoices.map(row => ({ table: 'invoice', id: row.id!, transaction: row._audit_transaction, reason: row._audit_reason })),
    ...payments.map(row => ({ table: 'payment', id: row.id!, transaction: row._audit_transaction, reason: row._audit_reason })),
  ];
}

function transactionsOf(rows: Version[]): string[] {
  return [...new Set(rows.map(row => row.transaction!))];
}

describeOnEachDatabase('transaction ids and reasons', { file: import.meta.url, config: { entities: [Invoice, Payment] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('gives every row of one flush the same transaction id and the reason of the context', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Invoice, { id: 1, total: 10 });
    em.create(Payment, { id: 1, amount: 10 });
    await auditContext.run({ user: 'ada', reason: 'ticket #42' }, () => em.flush());
    const rows = await versions(ctx);
    expect(rows).toHaveLength(2);
    expect(transactionsOf(rows)).toHaveLength(1);
    expect(rows[0]!.transaction).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows.map(row => row.reason)).toEqual(['ticket #42', 'ticket #42']);
  });

  it('gives separate flushes separate ids, and no reason outside a context', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Invoice, { id: 1, total: 10 });
    await em.flush();
    em.create(Invoice, { id: 2, total: 20 });
    await em.flush();
    const rows = await versions(ctx);
    expect(transactionsOf(rows)).toHaveLength(2);
    expect(rows.map(row => row.reason)).toEqual([null, null]);
  });

  it('shares one id across flushes and nested transactions of one database transaction, each with its own reason', async () => {
    await auditContext.run({ reason: 'month end' }, () =>
      ctx.t.orm.em.fork().transactional(async em => {
        em.create(Invoice, { id: 1, total: 10 });
        await em.flush();
        await em.transactional(async inner => {
          inner.create(Payment, { id: 1, amount: 10 });
          await auditContext.run({ reason: 'settlement' }, () => inner.flush());
          await inner.transactional(async innermost => {
            innermost.create(Payment, { id: 2, amount: 5 });
            await innermost.flush();
          });
        });
        const invoice = await em.findOneOrFail(Invoice, 1);
        invoice.total = 15;
        await em.flush();
      }),
    );
    const rows = await versions(ctx);
    expect(rows.map(row => [row.table, row.id, row.reason])).toEqual([
      ['invoice', 1, 'month end'],
      ['invoice', 1, 'month end'],
      ['payment', 1, 'settlement'],
      ['payment', 2, 'month end'],
    ]);
    expect(transactionsOf(rows)).toHaveLength(1);

    // "Everything this request changed" is one query.
    const id = rows[0]!.transaction!;
    const em = ctx.t.orm.em.fork();
    expect(await em.count(InvoiceAudit, { _audit_transaction: id })).toBe(2);
    expect(await em.count(PaymentAudit, { _audit_transaction: id })).toBe(2);
  });

  it('shares one id within em.begin() and commit(), and a new one in the next transaction', async () => {
    const em = ctx.t.orm.em.fork();
    await em.begin();
    em.create(Invoice, { id: 1, total: 10 });
    await em.flush();
    em.create(Payment, { id: 1, amount: 10 });
    await em.flush();
    await em.commit();
    await em.transactional(trx => {
      trx.create(Invoice, { id: 2, total: 20 });
      return Promise.resolve();
    });
    const rows = await versions(ctx);
    const byId = rows.map(row => [row.table, row.id, row.transaction]);
    expect(byId[0]![2]).toBe(byId[2]![2]);
    expect(byId[1]![2]).not.toBe(byId[0]![2]);
  });
});
