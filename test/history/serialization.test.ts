// History is shown to people: an audit row returned from a controller must carry every audit column, though
// MikroORM's serializers leave out `_`-prefixed properties (issue 12, point 5). Dates come out as MikroORM gives
// the live row's dates: `Date` objects from toObject()/serialize(), ISO strings in JSON.
import { beforeAll, expect, it } from 'vitest';
import { Collection, serialize, wrap } from '@mikro-orm/core';
import { AuditTrail, asOf, auditContext, auditHistory, auditOf, auditOfCollection, type AuditRow } from '../../src/index.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class SerCustomer {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class SerLabel {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: () => auditContext.current()?.user ?? null }] })
class SerInvoice {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) number!: string;
  @Property({ type: 'Date', length: 3 }) issuedAt!: Date;
  @ManyToOne(() => SerCustomer, { nullable: true }) customer?: SerCustomer | null;
  @ManyToMany({ entity: () => SerLabel, owner: true }) labels = new Collection<SerLabel>(this);
}

// Columns whose JSON MikroORM shapes: a backing field behind a get/set pair (column and JSON key `email`), a hidden
// column, a renamed one, and a `_` name MikroORM leaves out.
@Entity()
@AuditTrail()
class SerAccount {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', accessor: 'email' }) private _email!: string;
  @Property({ type: 'string', hidden: true }) passwordHash!: string;
  @Property({ type: 'string', serializedName: 'nick' }) nickname!: string;
  @Property({ type: 'string' }) _legacyCode!: string;

  get email(): string {
    return this._email;
  }

  set email(value: string) {
    this._email = value;
  }
}

const InvoiceAudit = auditOf<typeof SerInvoice, { actor: string | null }>(SerInvoice);
const InvoiceLabelsAudit = auditOfCollection(SerInvoice, 'labels');
type Row = AuditRow<SerInvoice, { actor: string | null }>;

const ISSUED = new Date('2026-03-04T05:06:07.089Z');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Through JSON, as an HTTP response carries it. */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The same keys, no more, no fewer, with the same values. */
function expectExactly(actual: unknown, expected: Record<string, unknown>): void {
  expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
  expect(actual).toEqual(expected);
}

/** Every column of an audit row of SerInvoice, as toObject() and serialize() give them (dates as `Date`). */
function invoiceColumns(row: Row, changes: { type: string; number: string; reason: string; actor: string }): Record<string, unknown> {
  expect(row._audit_timestamp).toBeInstanceOf(Date);
  expect(row._audit_transaction).toMatch(UUID);
  return {
    _audit_id: row._audit_id,
    _audit_timestamp: row._audit_timestamp,
    _audit_change_type: changes.type,
    _audit_transaction: row._audit_transaction,
    _audit_reason: changes.reason,
    _audit_actor: changes.actor,
    actor: changes.actor,
    id: 1,
    number: changes.number,
    issuedAt: ISSUED,
    customer: 1,
  };
}

/** The same in JSON: dates as ISO strings, exactly as `JSON.stringify` gives the live row's dates. */
function invoiceJson(row: Row, changes: Parameters<typeof invoiceColumns>[1]): Record<string, unknown> {
  return { ...invoiceColumns(row, changes), _audit_timestamp: row._audit_timestamp.toISOString(), issuedAt: ISSUED.toISOString() };
}

const INSERTED = { type: 'I', number: 'F-1', reason: 'issued', actor: 'ada' };
const UPDATED = { type: 'U', number: 'F-1b', reason: 'renumbered', actor: 'bob' };

const entities = [SerCustomer, SerLabel, SerInvoice, SerAccount];

describeOnEachDatabase('serializing history', { file: import.meta.url, config: { entities } }, ctx => {
  beforeAll(async () => {
    const em = ctx.t.orm.em.fork();
    const customer = em.create(SerCustomer, { id: 1, name: 'ACME' });
    const invoice = em.create(SerInvoice, { id: 1, number: 'F-1', issuedAt: ISSUED, customer });
    invoice.labels.add(em.create(SerLabel, { id: 1, name: 'urgent' }));
    await auditContext.run({ user: 'ada', reason: 'issued' }, () => em.flush());
    invoice.number = 'F-1b';
    await auditContext.run({ user: 'bob', reason: 'renumbered' }, () => em.flush());
  });

  const firstVersion = () => ctx.t.orm.em.fork().findOneOrFail(InvoiceAudit, { _audit_change_type: 'I' });

  it('JSON.stringify, toObject(), toJSON() and serialize() give every audit column', async () => {
    const row = await firstVersion();
    expect((json(row) as { _audit_timestamp: string })._audit_timestamp).toMatch(ISO);
    expectExactly(json(row), invoiceJson(row, INSERTED));
    expectExactly(wrap(row).toObject(), invoiceColumns(row, INSERTED));
    expectExactly(wrap(row).toJSON(), invoiceColumns(row, INSERTED));
    expectExactly(serialize(row), invoiceColumns(row, INSERTED));
    expectExactly(json(serialize(row)), invoiceJson(row, INSERTED));
    // The live row's date serializes the same way.
    const live = await ctx.t.orm.em.fork().findOneOrFail(SerInvoice, 1);
    expect((json(live) as { issuedAt: string }).issuedAt).toBe(ISSUED.toISOString());
  });

  it('serialize() with populate expands the relation and keeps every audit column; exclude still works', async () => {
    const row = await ctx.t.orm.em.fork().findOneOrFail(InvoiceAudit, { _audit_change_type: 'I' }, { populate: ['customer'] });
    const populated = { ...invoiceColumns(row, INSERTED), customer: { id: 1, name: 'ACME' } };
    expectExactly(serialize(row, { populate: ['customer'] }), populated);
    expectExactly(wrap(row).toObject(), populated);
    const withoutReason = invoiceColumns(row, INSERTED);
    delete withoutReason._audit_reason;
    expectExactly(serialize(row, { exclude: ['_audit_reason'] }), withoutReason);
  });

  it('the rows auditHistory() returns serialize with every audit column, with and without diffs', async () => {
    const history = await auditHistory<typeof SerInvoice, { actor: string | null }>(ctx.t.orm.em.fork(), SerInvoice, 1);
    const [updated, inserted] = history as [Row, Row];
    expect(json(history)).toEqual([invoiceJson(updated, UPDATED), invoiceJson(inserted, INSERTED)]);
    expectExactly((json(history) as unknown[])[0], invoiceJson(updated, UPDATED));

    const withDiffs = await auditHistory<typeof SerInvoice, { actor: string | null }>(ctx.t.orm.em.fork(), SerInvoice, 1, { diffs: true });
    expect(json(withDiffs)).toEqual([
      { version: invoiceJson(updated, UPDATED), changes: { number: { from: 'F-1', to: 'F-1b' } } },
      {
        version: invoiceJson(inserted, INSERTED),
        changes: {
          id: { from: null, to: 1 },
          number: { from: null, to: 'F-1' },
          issuedAt: { from: null, to: ISSUED.toISOString() },
          customer: { from: null, to: 1 },
        },
      },
    ]);
  });

  it('the versions asOf() returns serialize with every audit column, by key and for every row', async () => {
    const later = new Date('2100-01-01T00:00:00.000Z');
    const one = await asOf(ctx.t.orm.em.fork(), SerInvoice, 1, later);
    expectExactly(json(one), invoiceJson(one as Row, UPDATED));
    const all = await asOf(ctx.t.orm.em.fork(), SerInvoice, later);
    expect(all).toHaveLength(1);
    expectExactly(json(all[0]), invoiceJson(all[0] as Row, UPDATED));
  });

  it('pivot audit rows serialize with every audit column, their relations by key or populated', async () => {
    const [row] = await ctx.t.orm.em.fork().find(InvoiceLabelsAudit, {});
    const columns = {
      _audit_id: row!._audit_id,
      _audit_timestamp: row!._audit_timestamp,
      _audit_change_type: 'I',
      _audit_transaction: row!._audit_transaction,
      _audit_reason: 'issued',
      _audit_actor: 'ada',
      actor: 'ada',
      SerInvoice_owner: 1,
      SerLabel_inverse: 1,
    };
    expect(row!._audit_timestamp).toBeInstanceOf(Date);
    expectExactly(json(row), { ...columns, _audit_timestamp: row!._audit_timestamp.toISOString() });
    expectExactly(wrap(row!).toObject(), columns);
    expectExactly(serialize(row!), columns);
    const [loaded] = await ctx.t.orm.em.fork().find(InvoiceLabelsAudit, {}, { populate: ['SerLabel_inverse'] as never });
    expectExactly(serialize(loaded!, { populate: ['SerLabel_inverse'] as never }), { ...columns, SerLabel_inverse: { id: 1, name: 'urgent' } });
  });

  it('copied columns serialize as the live row’s do: hidden stays hidden, renamed and accessor-backed as live', async () => {
    const em = ctx.t.orm.em.fork();
    const account = em.create(SerAccount, { id: 1, email: 'ada@example.com', passwordHash: 'x1', nickname: 'ada', _legacyCode: 'L1' } as never);
    await em.flush();
    const live = json(account) as Record<string, unknown>;
    expect(live).toEqual({ id: 1, email: 'ada@example.com', nick: 'ada' });

    const row = await ctx.t.orm.em.fork().findOneOrFail(auditOf(SerAccount), { id: 1 });
    const audit = {
      _audit_id: row._audit_id,
      _audit_timestamp: row._audit_timestamp.toISOString(),
      _audit_change_type: 'I',
      _audit_transaction: row._audit_transaction,
      _audit_reason: null,
      _audit_actor: null,
    };
    expectExactly(json(row), { ...live, ...audit });
    expectExactly(json(serialize(row)), { ...live, ...audit });
    expect(json(serialize(row, { includeHidden: true }))).toEqual({ ...live, ...audit, passwordHash: 'x1' });
  });
});
