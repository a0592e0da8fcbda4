import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, AuditTrailError, allowAuditTableWrites, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Invoice {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
}

const InvoiceAudit = auditOf(Invoice);

describeOnEachDatabase('read-only history', { file: import.meta.url, config: { entities: [Invoice] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Invoice, { total: 10 });
    await em.flush();
  });

  async function historyTotals() {
    return (await ctx.t.orm.em.fork().find(InvoiceAudit, {})).map(row => row.total);
  }

  it('rejects creating an audit row through the EntityManager', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(InvoiceAudit, { id: 1, total: 1_000_000, _audit_timestamp: new Date(), _audit_change_type: 'I' } as never);
    await expect(em.flush()).rejects.toThrow(AuditTrailError);
    expect(await historyTotals()).toEqual([10]);
  });

  it('rejects changing a loaded audit row, with a message saying what to do', async () => {
    const em = ctx.t.orm.em.fork();
    const [row] = await em.find(InvoiceAudit, {});
    row!.total = 0;
    await expect(em.flush()).rejects.toThrow(/InvoiceAudit rows .* cannot be changed through the EntityManager/);
    expect(await historyTotals()).toEqual([10]);
  });

  it('rejects removing an audit row, and the flush changes nothing else', async () => {
    const em = ctx.t.orm.em.fork();
    const [row] = await em.find(InvoiceAudit, {});
    em.remove(row!);
    em.create(Invoice, { total: 20 });
    await expect(em.flush()).rejects.toThrow(/cannot be removed/);
    expect(await historyTotals()).toEqual([10]);
    expect(await ctx.t.orm.em.fork().count(Invoice)).toBe(1);
  });

  it('rejects native updates, deletes and inserts of audit rows, and raw SQL writing to the audit table', async () => {
    const em = ctx.t.orm.em.fork();
    const table = em.getPlatform().quoteIdentifier('invoice_audit');
    const attempts: [string, () => Promise<unknown>][] = [
      ['nativeUpdate', () => em.nativeUpdate(InvoiceAudit, {}, { total: 0 })],
      ['nativeDelete', () => em.nativeDelete(InvoiceAudit, {})],
      ['insert', () => em.insert(InvoiceAudit, { id: 1, total: 5, _audit_timestamp: new Date(), _audit_change_type: 'I' } as never)],
      ['execute update', () => em.getConnection().execute(`update ${table} set total = 0`)],
      ['execute delete', () => em.getConnection().execute(`DELETE FROM ${table}`)],
      ['transactional nativeDelete', () => em.transactional(tx => tx.nativeDelete(InvoiceAudit, {}))],
    ];
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toThrow(/InvoiceAudit rows \(table invoice_audit\) are a security record/);
    }
    // MikroORM wraps errors from its driver methods in a DriverException that keeps the message.
    await expect(em.getConnection().execute(`delete from ${table}`)).rejects.toThrow(AuditTrailError);
    expect(await historyTotals()).toEqual([10]);
  });

  it('lets reads and deliberate maintenance through', async () => {
    const em = ctx.t.orm.em.fork();
    const table = em.getPlatform().quoteIdentifier('invoice_audit');
    expect(await em.getConnection().execute(`select count(*) as n from ${table}`)).toHaveLength(1);
    await allowAuditTableWrites(() => em.nativeDelete(InvoiceAudit, {}));
    expect(await historyTotals()).toEqual([]);
  });

  it('lets loaded history sit in a unit of work that flushes other changes', async () => {
    const em = ctx.t.orm.em.fork();
    await em.find(InvoiceAudit, {});
    const invoice = await em.findOneOrFail(Invoice, { total: 10 });
    invoice.total = 11;
    await em.flush();
    expect(await historyTotals()).toEqual([10, 11]);
  });
});
