// Issue 12: the actor is recorded without a track field, in `_audit_actor`, by every write path.
import { beforeEach, expect, it } from 'vitest';
import { Collection, MikroORM, type Options, type Ref } from '@mikro-orm/core';
import { AUDIT_ACTOR, AuditTrail, AuditTrailError, asOf, auditContext, auditHistory, auditOf, auditOfCollection, restore, withAuditTrail } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, createSchemaSql, dropSchema, refreshSchema } from '../support/mikro.js';
import { createTestOrm } from '../support/orm.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
class Label {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail()
class Receipt {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) total!: number;
  @ManyToMany(() => Label) labels = new Collection<Label>(this);
}

// Not audited: the database deletes its audited lines with it, and nulls its audited notes' reference.
@Entity()
class Till {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail()
class TillLine {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Till, { ref: true, deleteRule: 'cascade' }) till!: Ref<Till>;
}

@Entity()
@AuditTrail()
class TillNote {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Till, { ref: true, nullable: true, deleteRule: 'set null' }) till?: Ref<Till> | null;
}

const ReceiptAudit = auditOf(Receipt);
const ReceiptLabelsAudit = auditOfCollection(Receipt, 'labels');
const entities = [Label, Receipt, Till, TillLine, TillNote];

async function actors({ t }: SuiteContext, entity: object = ReceiptAudit): Promise<unknown[][]> {
  const rows = (await t.orm.em.fork().find(entity as typeof ReceiptAudit, {}, { orderBy: { _audit_id: 'asc' } })) as Record<string, unknown>[];
  return rows.map(row => [row._audit_change_type, row._audit_actor]);
}

describeOnEachDatabase('the built-in actor column', { file: import.meta.url, config: { entities } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('records the context user of a flush in every I, U and D row, a number as its text', async () => {
    const em = ctx.t.orm.em.fork();
    const receipt = em.create(Receipt, { id: 1, total: 1 });
    await auditContext.run({ user: 'alice', reason: 'sale' }, () => em.flush());
    receipt.total = 2;
    await auditContext.run({ user: 42 }, () => em.flush());
    em.remove(receipt);
    await auditContext.run({ user: 'bob' }, () => em.flush());
    expect(await actors(ctx)).toEqual([
      ['I', 'alice'],
      ['U', '42'],
      ['D', 'bob'],
    ]);
    expect(AUDIT_ACTOR).toBe('_audit_actor');
  });

  it('records NULL outside a context, for an explicit null user, and with only a reason', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Receipt, { id: 1, total: 1 });
    await em.flush();
    em.create(Receipt, { id: 2, total: 1 });
    await auditContext.run({ user: null }, () => em.flush());
    em.create(Receipt, { id: 3, total: 1 });
    await auditContext.run({ reason: 'import' }, () => em.flush());
    expect(await actors(ctx)).toEqual([
      ['I', null],
      ['I', null],
      ['I', null],
    ]);
  });

  it('records the actor of native writes: insert, insertMany, nativeUpdate, upsert, upsertMany, nativeDelete', async () => {
    const run = <R>(user: string, fn: () => Promise<R>) => auditContext.run({ user }, fn);
    await run('insert', () => ctx.t.orm.em.fork().insert(Receipt, { id: 1, total: 1 }));
    await run('insertMany', () => ctx.t.orm.em.fork().insertMany(Receipt, [{ id: 2, total: 1 }, { id: 3, total: 1 }]));
    await run('nativeUpdate', () => ctx.t.orm.em.fork().nativeUpdate(Receipt, { id: 1 }, { total: 5 }));
    await run('upsert', () => ctx.t.orm.em.fork().upsert(Receipt, { id: 4, total: 1 }));
    await run('upsertMany', () => ctx.t.orm.em.fork().upsertMany(Receipt, [{ id: 4, total: 2 }, { id: 5, total: 1 }]));
    await run('nativeDelete', () => ctx.t.orm.em.fork().nativeDelete(Receipt, { id: 2 }));
    expect(await actors(ctx)).toEqual([
      ['I', 'insert'],
      ['I', 'insertMany'],
      ['I', 'insertMany'],
      ['U', 'nativeUpdate'],
      ['I', 'upsert'],
      ['U', 'upsertMany'],
      ['I', 'upsertMany'],
      ['D', 'nativeDelete'],
    ]);
  });

  it('records the actor of query builders, in a transaction of the caller and in their own', async () => {
    await auditContext.run({ user: 'own' }, () => queryBuilder(ctx.t.orm.em.fork(), Receipt).insert({ id: 1, total: 1 }).execute());
    await auditContext.run({ user: 'caller' }, () =>
      ctx.t.orm.em.fork().transactional(async trx => {
        await queryBuilder(trx, Receipt).update({ total: 2 }).where({ id: 1 }).execute();
        await queryBuilder(trx, Receipt).delete().where({ id: 1 }).execute();
      }),
    );
    expect(await actors(ctx)).toEqual([
      ['I', 'own'],
      ['U', 'caller'],
      ['D', 'caller'],
    ]);
  });

  it('records the actor of pivot rows', async () => {
    const em = ctx.t.orm.em.fork();
    const receipt = em.create(Receipt, { id: 1, total: 1 });
    receipt.labels.add(em.create(Label, { id: 1 }), em.create(Label, { id: 2 }));
    await auditContext.run({ user: 'tagger' }, () => em.flush());
    receipt.labels.remove(em.getReference(Label, 1));
    await auditContext.run({ user: 'untagger' }, () => em.flush());
    expect(await actors(ctx, ReceiptLabelsAudit)).toEqual([
      ['I', 'tagger'],
      ['I', 'tagger'],
      ['D', 'untagger'],
    ]);
  });

  it('records the actor of rows the database deletes or nulls, by a flush and by nativeDelete', async () => {
    const em = ctx.t.orm.em.fork();
    for (const id of [1, 2]) {
      em.create(Till, { id });
      em.create(TillLine, { id, till: id });
      em.create(TillNote, { id, till: id });
    }
    await auditContext.run({ user: 'setup' }, () => em.flush());
    em.remove(em.getReference(Till, 1));
    await auditContext.run({ user: 'closer' }, () => em.flush());
    await auditContext.run({ user: 'native' }, () => ctx.t.orm.em.fork().nativeDelete(Till, { id: 2 }));
    expect(await actors(ctx, auditOf(TillLine))).toEqual([
      ['I', 'setup'],
      ['I', 'setup'],
      ['D', 'closer'],
      ['D', 'native'],
    ]);
    expect(await actors(ctx, auditOf(TillNote))).toEqual([
      ['I', 'setup'],
      ['I', 'setup'],
      ['U', 'closer'],
      ['U', 'native'],
    ]);
  });

  it('is returned by auditHistory and asOf, and never restored into the entity', async () => {
    const em = ctx.t.orm.em.fork();
    const receipt = em.create(Receipt, { id: 1, total: 1 });
    await auditContext.run({ user: 'alice' }, () => em.flush());
    receipt.total = 2;
    await auditContext.run({ user: 'bob' }, () => em.flush());
    const history = await auditHistory(ctx.t.orm.em.fork(), Receipt, 1);
    expect(history.map(row => row._audit_actor)).toEqual(['bob', 'alice']);
    expect((await asOf(ctx.t.orm.em.fork(), Receipt, 1, new Date(Date.now() + 60_000)))?._audit_actor).toBe('bob');
    const restored = await auditContext.run({ user: 'carol' }, () => restore(ctx.t.orm.em.fork(), history[1]!));
    expect(restored.total).toBe(1);
    expect(restored).not.toHaveProperty('_audit_actor');
    expect((await actors(ctx)).at(-1)).toEqual(['U', 'carol']);
  });
});

describeOnEachDatabase('the actor column options', { file: import.meta.url, config: { entities } }, ctx => {
  const withOptions = (moduleOptions: Parameters<typeof createTestOrm>[3]) =>
    createTestOrm(ctx.db, dbNameFor(import.meta.url), { entities }, moduleOptions);

  it('is a nullable, indexed varchar(255) by default', async () => {
    const ddl = await createSchemaSql(ctx.t.orm);
    const type = ctx.db.name === 'sqlite' ? 'text' : 'varchar\\(255\\)';
    expect(ddl).toMatch(new RegExp(`[\`"]_audit_actor[\`"] ${type} null`));
    expect(ddl).toMatch(/(create|add) index [`"]receipt_audit__audit_actor_index[`"]/);
    expect(ddl).toMatch(new RegExp(`create table [\`"]receipt_labels_audit[\`"] \\([^;]*[\`"]_audit_actor[\`"] ${type} null`));
  });

  it('keeps an existing column and its values with actor: false, and creates none', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Receipt, { id: 1, total: 1 });
    await auditContext.run({ user: 'alice' }, () => em.flush());
    // History is never dropped: the column stays (SQLite's in-memory database is new for every ORM).
    const kept = await MikroORM.init(withAuditTrail({ ...ctx.db.config(dbNameFor(import.meta.url)), entities, allowGlobalContext: true } as Options, { actor: false }));
    try {
      if (ctx.db.name !== 'sqlite') {
        const other = kept.em.fork();
        other.create(Receipt, { id: 2, total: 1 });
        await auditContext.run({ user: 'bob' }, () => other.flush());
        const rows = await kept.em.fork().find(ReceiptAudit, {}, { orderBy: { _audit_id: 'asc' } });
        expect(rows.map(row => [row.id, row._audit_actor])).toEqual([[1, 'alice'], [2, null]]);
      }
    } finally {
      await kept.close(true);
    }
    await dropSchema(ctx.t.orm);
    const t = await withOptions({ actor: false });
    try {
      expect(await createSchemaSql(t.orm)).not.toMatch(/_audit_actor/);
      const fresh = t.orm.em.fork();
      fresh.create(Receipt, { id: 1, total: 1 });
      await auditContext.run({ user: 'alice' }, () => fresh.flush());
      const [row] = await t.orm.em.fork().find(ReceiptAudit, {});
      expect(row!._audit_actor).toBeUndefined();
      expect(Object.keys(row!)).not.toContain('_audit_actor');
    } finally {
      await t.orm.close(true);
    }
  });

  it('stores integers in a bigint with type number, and refuses another user before anything is written', async () => {
    const t = await withOptions({ actor: { type: 'number' } });
    try {
      expect(await createSchemaSql(t.orm)).toMatch(/[`"]_audit_actor[`"] (bigint|integer) null/);
      const em = t.orm.em.fork();
      em.create(Receipt, { id: 1, total: 1 });
      em.create(Receipt, { id: 2, total: 1 });
      await auditContext.run({ user: 9_007_199_254_740_991 }, () => em.flush());
      await auditContext.run({ user: '17' }, () => t.orm.em.fork().nativeUpdate(Receipt, { id: 1 }, { total: 2 }));
      const rows = await t.orm.em.fork().find(ReceiptAudit, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => row._audit_actor)).toEqual([9_007_199_254_740_991, 9_007_199_254_740_991, 17]);
      const refused = t.orm.em.fork();
      refused.create(Receipt, { id: 3, total: 1 });
      const error = await auditContext.run({ user: 'alice' }, () => refused.flush()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuditTrailError);
      expect(error).toMatchObject({ code: 'AUDIT_INVALID_ACTOR', entity: 'Receipt' });
      expect((error as Error).message).toMatch(/the string 'alice'[^]*integers/);
      await expect(auditContext.run({ user: 1.5 }, () => t.orm.em.fork().insert(Receipt, { id: 4, total: 1 }))).rejects.toThrow(/number 1\.5/);
      expect(await t.orm.em.fork().count(Receipt, {})).toBe(2);
      expect(await t.orm.em.fork().count(ReceiptAudit, {})).toBe(3);
    } finally {
      await t.orm.close(true);
    }
  });

  it('refuses a user longer than the column before anything is written', async () => {
    const t = await withOptions({ actor: { length: 5 } });
    try {
      expect(await createSchemaSql(t.orm)).toMatch(ctx.db.name === 'sqlite' ? /[`"]_audit_actor[`"] text null/ : /[`"]_audit_actor[`"] varchar\(5\) null/);
      const em = t.orm.em.fork();
      em.create(Receipt, { id: 1, total: 1 });
      await auditContext.run({ user: 'ééééé' }, () => em.flush());
      em.create(Receipt, { id: 2, total: 1 });
      await expect(auditContext.run({ user: 'alice!' }, () => em.flush())).rejects.toThrow(/at most 5 characters[^]*actor: \{ length/);
      await expect(auditContext.run({ user: 'alice!' }, () => t.orm.em.fork().nativeDelete(Receipt, {}))).rejects.toThrow(/at most 5 characters/);
      expect((await t.orm.em.fork().find(Receipt, {})).map(receipt => receipt.id)).toEqual([1]);
      expect((await t.orm.em.fork().find(ReceiptAudit, {})).map(row => row._audit_actor)).toEqual(['ééééé']);
    } finally {
      await t.orm.close(true);
    }
  });
});
