// Issue 12: a write of audited entities with no actor (the NestJS global-middleware mistake) is never silent
// when requireActor says so.
import { beforeEach, expect, it } from 'vitest';
import { Collection, MikroORM, type Options, type Ref } from '@mikro-orm/core';
import { AuditTrail, AuditTrailConfigError, AuditTrailError, auditContext, auditOf, auditOfCollection, withAuditTrail } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { createTestOrm, type TestOrm } from '../support/orm.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Stamp {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', nullable: true }) label?: string | null;
}

@Entity()
@AuditTrail()
class Voucher {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) value!: number;
  @ManyToMany(() => Stamp) stamps = new Collection<Stamp>(this);
}

// Not audited, but the database deletes its audited coupons with it.
@Entity()
class Booklet {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail()
class Coupon {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Booklet, { ref: true, deleteRule: 'cascade' }) booklet!: Ref<Booklet>;
}

const VoucherAudit = auditOf(Voucher);
const entities = [Stamp, Voucher, Booklet, Coupon];
const WARNING = /a write of the audited entity (\w+) ran with no actor/;

async function counts(t: TestOrm): Promise<number[]> {
  const em = t.orm.em.fork();
  return Promise.all([em.count(Voucher, {}), em.count(VoucherAudit, {}), em.count(auditOfCollection(Voucher, 'stamps'), {}), em.count(Coupon, {}), em.count(auditOf(Coupon), {})]);
}

// The statements that would change data: a refused write sends none (native writes and flushes not even a BEGIN).
function changes(t: TestOrm): string[] {
  return t.queries.filter(query => /\b(insert|update|delete)\b/i.test(query) && !WARNING.test(query));
}

describeOnEachDatabase('requireActor: error', { file: import.meta.url, config: { entities }, moduleOptions: { requireActor: 'error' } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Voucher, { id: 1, value: 1 });
    em.create(Stamp, { id: 1 });
    em.create(Booklet, { id: 1 });
    em.create(Coupon, { id: 1, booklet: 1 });
    await auditContext.run({ user: 'setup' }, () => em.flush());
    ctx.t.reset();
  });

  it('refuses a flush with no context before it sends a statement, naming the entity and the fix', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Voucher, { id: 2, value: 2 });
    const error = await em.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditTrailError);
    expect(error).toMatchObject({ code: 'AUDIT_ACTOR_MISSING', entity: 'Voucher' });
    expect((error as Error).message).toMatch(/Voucher ran with no actor[^]*Nothing was written[^]*auditContext\.run\(\{ user \}[^]*NestJS[^]*interceptor[^]*auditContext\.run\(\{ user: 'job:<name>' \}/);
    expect(ctx.t.queries).toEqual([]);
    expect(await counts(ctx.t)).toEqual([1, 1, 0, 1, 1]);
  });

  it('refuses a context without user, and lets an explicit null user and a named user through', async () => {
    const em = ctx.t.orm.em.fork();
    const voucher = await em.findOneOrFail(Voucher, 1);
    voucher.value = 5;
    await expect(auditContext.run({ reason: 'no user' }, () => em.flush())).rejects.toMatchObject({ code: 'AUDIT_ACTOR_MISSING' });
    await auditContext.run({ user: null, reason: 'nightly job' }, () => em.flush());
    voucher.value = 6;
    await auditContext.run({ user: 'alice' }, () => em.flush());
    const rows = await ctx.t.orm.em.fork().find(VoucherAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.value, row._audit_actor, row._audit_reason])).toEqual([
      [1, 'setup', null],
      [5, null, 'nightly job'],
      [6, 'alice', null],
    ]);
  });

  it('refuses collection changes and deletes the database cascades into audited rows', async () => {
    const em = ctx.t.orm.em.fork();
    const voucher = await em.findOneOrFail(Voucher, 1);
    voucher.stamps.add(em.getReference(Stamp, 1));
    await expect(em.flush()).rejects.toMatchObject({ code: 'AUDIT_ACTOR_MISSING', entity: 'Voucher' });
    const other = ctx.t.orm.em.fork();
    other.remove(other.getReference(Booklet, 1));
    await expect(other.flush()).rejects.toMatchObject({ code: 'AUDIT_ACTOR_MISSING', entity: 'Booklet' });
    await expect(ctx.t.orm.em.fork().nativeDelete(Booklet, { id: 1 })).rejects.toMatchObject({ code: 'AUDIT_ACTOR_MISSING', entity: 'Booklet' });
    expect(changes(ctx.t)).toEqual([]);
    expect(await counts(ctx.t)).toEqual([1, 1, 0, 1, 1]);
  });

  it('lets writes of unaudited entities through', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Stamp, { id: 2 });
    await em.flush();
    await ctx.t.orm.em.fork().nativeUpdate(Stamp, { id: 2 }, { label: 'two' });
    expect(await ctx.t.orm.em.fork().count(Stamp, { label: 'two' })).toBe(1);
  });

  it('refuses native writes and query builders, leaving nothing written', async () => {
    const em = ctx.t.orm.em.fork();
    const attempts: [string, () => Promise<unknown>][] = [
      ['insert', () => em.insert(Voucher, { id: 2, value: 2 })],
      ['insertMany', () => em.insertMany(Voucher, [{ id: 2, value: 2 }])],
      ['nativeUpdate', () => em.nativeUpdate(Voucher, { id: 1 }, { value: 2 })],
      ['nativeDelete', () => em.nativeDelete(Voucher, { id: 1 })],
      ['upsert', () => em.upsert(Voucher, { id: 1, value: 2 })],
      ['upsertMany', () => em.upsertMany(Voucher, [{ id: 3, value: 3 }])],
      ['query builder', () => queryBuilder(em, Voucher).update({ value: 2 }).where({ id: 1 }).execute()],
      ['query builder in a transaction', () => em.transactional(trx => queryBuilder(trx, Voucher).delete().where({ id: 1 }).execute())],
    ];
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toMatchObject({ code: 'AUDIT_ACTOR_MISSING', entity: 'Voucher' });
    }
    expect(changes(ctx.t)).toEqual([]);
    expect(await counts(ctx.t)).toEqual([1, 1, 0, 1, 1]);
  });

  it('rolls back the whole transaction a refused flush was part of', async () => {
    const error = await ctx.t.orm.em
      .fork()
      .transactional(async trx => {
        await auditContext.run({ user: 'alice' }, () => trx.nativeUpdate(Voucher, { id: 1 }, { value: 7 }));
        trx.create(Stamp, { id: 9 });
        trx.create(Voucher, { id: 9, value: 9 });
        await trx.flush();
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUDIT_ACTOR_MISSING' });
    const em = ctx.t.orm.em.fork();
    expect((await em.findOneOrFail(Voucher, 1)).value).toBe(1);
    expect(await em.count(Stamp, { id: 9 })).toBe(0);
    expect(await counts(ctx.t)).toEqual([1, 1, 0, 1, 1]);
  });
});

describeOnEachDatabase('requireActor: warn', { file: import.meta.url, config: { entities }, moduleOptions: { requireActor: 'warn' } }, ctx => {
  const warnings = (t: TestOrm) => t.queries.filter(message => WARNING.test(message));

  it('logs once per ORM through its logger, and writes the change with a NULL actor', async () => {
    await refreshSchema(ctx.t.orm);
    ctx.t.reset();
    for (const id of [1, 2]) {
      const em = ctx.t.orm.em.fork();
      em.create(Voucher, { id, value: id });
      await em.flush();
    }
    await ctx.t.orm.em.fork().nativeUpdate(Voucher, {}, { value: 3 });
    const [warning, ...more] = warnings(ctx.t);
    expect(more).toEqual([]);
    expect(warning).toMatch(/Voucher ran with no actor[^]*NULL _audit_actor[^]*auditContext\.run\(\{ user \}[^]*reported once \(requireActor: 'warn'\)/);
    const rows = await ctx.t.orm.em.fork().find(VoucherAudit, {});
    expect(rows.map(row => row._audit_actor)).toEqual([null, null, null, null]);

    const second = await createTestOrm(ctx.db, dbNameFor(import.meta.url), { entities }, { requireActor: 'warn' });
    try {
      const em = second.orm.em.fork();
      em.create(Voucher, { id: 1, value: 1 });
      await auditContext.run({ user: 'alice' }, () => em.flush());
      expect(warnings(second)).toEqual([]);
      em.create(Voucher, { id: 2, value: 1 });
      await em.flush();
      expect(warnings(second)).toHaveLength(1);
    } finally {
      await second.orm.close(true);
    }
  });
});


it.each([
  [{ requireActor: 'always' }, /option 'requireActor' must be 'error', 'warn' or false, got the string 'always'/],
  [{ requireActor: true }, /option 'requireActor' must be/],
  [{ actor: true }, /option 'actor' must be false or \{ type\?: 'string' \| 'number'/],
  [{ actor: { type: 'uuid' } }, /option 'actor' must be/],
  [{ actor: { type: 'number', length: 10 } }, /option 'actor' must be/],
  [{ actor: { length: 0 } }, /option 'actor' must be/],
  [{ actor: { size: 10 } }, /option 'actor' must be/],
])('refuses the module options %j at startup', (options, message) => {
  const config = { dbName: ':memory:', entities } as Options;
  expect(() => withAuditTrail(config, options as never)).toThrow(AuditTrailConfigError);
  expect(() => withAuditTrail(config, options as never)).toThrow(message);
});

it('refuses a property or a track field named _audit_actor at startup', async () => {
  @Entity()
  @AuditTrail()
  class Forged {
    @PrimaryKey({ type: 'number' }) id!: number;
    @Property({ type: 'string', nullable: true }) _audit_actor?: string;
  }
  @Entity()
  @AuditTrail({ trackFields: [{ name: '_audit_actor', type: 'string', value: 'x' }] })
  class Tracked {
    @PrimaryKey({ type: 'number' }) id!: number;
  }
  const { SqliteDriver } = await import('@mikro-orm/sqlite');
  for (const [entity, name] of [
    [Forged, '_audit_actor'],
    [Tracked, "trackFields['_audit_actor']"],
  ] as const) {
    const init = MikroORM.init(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [entity] } as Options));
    await expect(init).rejects.toThrow(AuditTrailConfigError);
    await expect(init).rejects.toMatchObject({ code: 'AUDIT_RESERVED_NAME', entity: entity.name });
    await expect(init).rejects.toThrow(`${entity.name}.${name} clashes with the audit column '_audit_actor'`);
  }
});
