import { beforeEach, expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, AuditTrailError, auditContext, auditHistory, auditOf, diffVersions } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, ormMajor, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Customer {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', value: () => auditContext.current()?.user ?? null }] })
class Order {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
  @Property({ type: 'Date', length: 3 }) due!: Date;
  @Property({ type: 'json', nullable: true }) tags?: string[];
  @ManyToOne(() => Customer, { ref: true }) customer!: Ref<Customer>;
}

@Entity()
@AuditTrail()
class Note {
  @PrimaryKey({ type: 'number' }) id!: number;
}

const JAN = new Date('2026-01-31T00:00:00.000Z');
const FEB = new Date('2026-02-28T00:00:00.000Z');

describeOnEachDatabase('diffs between versions', { file: import.meta.url, config: { entities: [Customer, Order, Note] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Customer, { id: 1 });
    em.create(Customer, { id: 2 });
    em.create(Order, { id: 1, total: 100, due: JAN, tags: ['new'], customer: 1 });
    await auditContext.run({ user: 'ada' }, () => em.flush());
    const order = await em.findOneOrFail(Order, 1);
    order.total = 150;
    order.customer = em.getReference(Customer, 2, { wrapped: true });
    await auditContext.run({ user: 'grace' }, () => em.flush());
    order.due = FEB;
    order.tags = ['new', 'urgent'];
    await auditContext.run({ user: 'grace' }, () => em.flush());
  });

  it('lists each version, newest first, with the fields changed since the previous one', async () => {
    const history = await auditHistory(ctx.t.orm.em.fork(), Order, 1, { diffs: true });
    expect(history.map(({ version }) => version._audit_change_type)).toEqual(['U', 'U', 'I']);
    // MikroORM 6's mysql driver returns JSON columns as text on MariaDB (for every table): the diff reports what it read.
    const json = (value: string[]) => (ctx.db.name === 'mariadb' && ormMajor < 7 ? JSON.stringify(value) : value);
    expect(history[0]!.changes).toEqual({ due: { from: JAN, to: FEB }, tags: { from: json(['new']), to: json(['new', 'urgent']) } });
    // The relation is compared and reported by key; the track field `username` changed too, but describes the change.
    expect(history[1]!.changes).toEqual({ total: { from: 100, to: 150 }, customer: { from: 1, to: 2 } });
    expect(history[2]!.changes).toEqual({
      id: { from: null, to: 1 },
      total: { from: null, to: 100 },
      due: { from: null, to: JAN },
      tags: { from: null, to: json(['new']) },
      customer: { from: null, to: 1 },
    });
  });

  it('diffs any two versions of a row, and nothing for identical ones', async () => {
    const [newest, , oldest] = await auditHistory(ctx.t.orm.em.fork(), Order, 1);
    expect(Object.keys(diffVersions(oldest!, newest!)).sort()).toEqual(['customer', 'due', 'tags', 'total']);
    expect(diffVersions(newest!, newest!)).toEqual({});
  });

  it('rejects rows that are not audit rows, or rows of two entities', async () => {
    const em = ctx.t.orm.em.fork();
    const [version] = await auditHistory(em, Order, 1);
    const order = await em.findOneOrFail(Order, 1);
    expect(() => diffVersions(order, order)).toThrow(AuditTrailError);
    expect(() => diffVersions(order, order)).toThrow(/the newer argument is not an audit row/);
    em.create(Note, { id: 1 });
    await em.flush();
    const [note] = await em.find(auditOf(Note), {});
    expect(() => diffVersions(note as object, version as object)).toThrow(/got a NoteAudit row and a OrderAudit row/);
  });
});
