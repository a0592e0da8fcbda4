import { beforeEach, expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf, getAuditedEntities } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class User {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail<Order>({
  tableName: 'order_history',
  showInAdmin: true,
  trackFields: [
    { name: 'source', type: 'string', value: 'web' },
    { name: 'totalInCents', type: 'number', value: ({ entity }) => Math.round(entity.total * 100) },
    { name: 'wasDelete', type: 'boolean', value: ({ changeType }) => changeType === 'D' },
    { name: 'changedBy', entity: () => User, value: () => auditContext.current()?.user ?? null },
    // As for any MikroORM Date property, `length` is the fractional-second precision (MariaDB defaults to none).
    { name: 'checkedAt', type: 'Date', length: 3, value: () => new Date('2026-01-02T03:04:05.678Z') },
    { name: 'details', type: 'json', value: ({ entity }) => ({ items: [entity.total] }) },
  ],
})
class Order {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
}

@Entity()
@AuditTrail({ saveChangeType: false, auditDeletes: false })
class Setting {
  @PrimaryKey({ type: 'string' }) key!: string;
  @Property({ type: 'string' }) value!: string;
}

interface OrderTrack {
  app: string | null;
  source: string | null;
  totalInCents: number | null;
  wasDelete: boolean | null;
  changedBy: Ref<User> | User | null;
  checkedAt: Date | null;
  details: { items: number[] } | null;
}
const OrderAudit = auditOf<typeof Order, OrderTrack>(Order);
const SettingAudit = auditOf(Setting);

const moduleOptions = { globalTrackFields: [{ name: 'app', type: 'string', value: 'billing' }] };

describeOnEachDatabase('options', { file: import.meta.url, config: { entities: [User, Order, Setting] }, moduleOptions }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('fills constant, callback, reference, date, JSON and global track fields', async () => {
    const em = ctx.t.orm.em.fork();
    const user = em.create(User, { name: 'alice' });
    await em.flush();
    const order = em.create(Order, { total: 12.5 });
    await auditContext.run({ user: user.id }, () => em.flush());
    em.remove(order);
    await auditContext.run({ user: user.id }, () => em.flush());

    const rows = await ctx.t.orm.em.fork().find(OrderAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row._audit_change_type, row.app, row.source, row.totalInCents, row.wasDelete])).toEqual([
      ['I', 'billing', 'web', 1250, false],
      ['D', 'billing', 'web', 1250, true],
    ]);
    expect(rows[0]!.checkedAt?.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    // MikroORM's mysql driver returns MariaDB JSON (a LONGTEXT alias) as text, for any entity: parse it there.
    const details = rows[0]!.details as unknown;
    expect(typeof details === 'string' && ctx.db.name === 'mariadb' ? JSON.parse(details) : details).toEqual({ items: [12.5] });
    expect((rows[0]!.changedBy as User).id).toBe(user.id);
  });

  it('keeps the reference track value after the referenced row is deleted', async () => {
    const em = ctx.t.orm.em.fork();
    const user = em.create(User, { name: 'bob' });
    await em.flush();
    em.create(Order, { total: 1 });
    await auditContext.run({ user: user.id }, () => em.flush());
    em.remove(user);
    await em.flush();
    const [row] = await ctx.t.orm.em.fork().find(OrderAudit, {});
    expect((row!.changedBy as User).id).toBe(user.id);
  });

  it('uses the custom table name', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Order, { total: 3 });
    ctx.t.reset();
    await em.flush();
    expect(ctx.t.writesTo('order_history')).toHaveLength(1);
  });

  it('leaves out the change type column and delete rows when asked to', async () => {
    const em = ctx.t.orm.em.fork();
    const setting = em.create(Setting, { key: 'theme', value: 'dark' });
    await em.flush();
    setting.value = 'light';
    await em.flush();
    em.remove(setting);
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(SettingAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => row.value)).toEqual(['dark', 'light']);
    expect(rows[0]).not.toHaveProperty('_audit_change_type');
    const props = Object.keys(ctx.t.orm.getMetadata().get('SettingAudit').properties);
    expect(props).not.toContain('_audit_change_type');
  });

  it('reports the audited entities and their resolved options', () => {
    const info = getAuditedEntities(ctx.t.orm.em);
    expect(info.map(i => [i.entityName, i.auditEntityName, i.auditTableName, i.options.showInAdmin])).toEqual([
      ['Order', 'OrderAudit', 'order_history', true],
      ['Setting', 'SettingAudit', 'setting_audit', false],
    ]);
  });
});
