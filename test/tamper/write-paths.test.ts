// Every way the library writes audit rows gives them hashes that recompute from the database's canonical texts,
// chained per (audit table, transaction): flushes, native writes, query builders, upserts, database cascades,
// collection (pivot) rows, several flushes in one transaction and savepoints rolled back.
import { beforeEach, expect, it } from 'vitest';
import { Collection, type Ref } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf, auditOfCollection } from '../../src/index.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, Unique, refreshSchema } from '../support/mikro.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { expectChainsIntact, recomputeTableChains } from '../support/chains.js';

@Entity()
// Masks are tested on Reader; a mask on a collection's owner with tamper evidence in core/collection-owner-masks.
@AuditTrail({ trackFields: [{ name: 'ticket', type: 'string', value: ({ changeType }) => `T-${changeType}` }] })
class Shelf {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) @Unique() label!: string;
  @Property({ type: 'string', nullable: true }) secret?: string | null;
  @ManyToMany(() => Tag, tag => tag.shelves, { owner: true }) tags = new Collection<Tag>(this);
}

@Entity()
class Tag {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany(() => Shelf, shelf => shelf.tags) shelves = new Collection<Shelf>(this);
}

@Entity()
@AuditTrail()
class Book {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne(() => Shelf, { ref: true, deleteRule: 'cascade' }) shelf!: Ref<Shelf>;
}

@Entity()
@AuditTrail({ mask: { name: v => `***${String(v).slice(-2)}` } })
class Reader {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne(() => Shelf, { ref: true, nullable: true, deleteRule: 'set null' }) favourite?: Ref<Shelf> | null;
}

// Audited, but opted out of the module's tamper evidence.
@Entity()
@AuditTrail({ tamperEvidence: false })
class Note {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) text!: string;
}

const ShelfAudit = auditOf(Shelf);
const BookAudit = auditOf(Book);
const NoteAudit = auditOf(Note);
auditOfCollection(Shelf, 'tags');

const entities = [Shelf, Tag, Book, Reader, Note];

describeOnEachDatabase('tamper-evident write paths', { file: import.meta.url, config: { entities }, moduleOptions: { tamperEvidence: true } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));
  const em = () => ctx.t.orm.em.fork();

  async function seed(): Promise<void> {
    const e = em();
    [1, 2, 3].forEach(id => e.create(Tag, { id, name: `tag ${id}` }));
    for (const id of [1, 2]) {
      const shelf = e.create(Shelf, { id, label: `shelf ${id}`, secret: `s3cret-${id}` });
      shelf.tags.add(e.getReference(Tag, 1));
      e.create(Book, { id: id * 10, title: `book ${id}`, shelf });
      e.create(Reader, { id: id * 100, name: `reader ${id}`, favourite: shelf });
    }
    await auditContext.run({ user: 'ada', reason: 'seed' }, () => e.flush());
  }

  async function expectAllIntact(): Promise<void> {
    for (const entity of [Shelf, Book, Reader]) {
      await expectChainsIntact(em(), entity);
    }
    const pivot = await recomputeTableChains(em(), 'shelf_tags_audit');
    expect(pivot.mismatches).toEqual([]);
    expect(pivot.unchained).toEqual([]);
  }

  it('flush inserts, updates and deletes, masks and track fields, collections and database cascades', async () => {
    await seed();
    const e = em();
    const shelf = await e.findOneOrFail(Shelf, 1, { populate: ['tags'] });
    shelf.label = "it's \\ new";
    shelf.tags.add(e.getReference(Tag, 2), e.getReference(Tag, 3));
    shelf.tags.remove(e.getReference(Tag, 1));
    await e.flush();
    e.remove(await e.findOneOrFail(Shelf, 2));
    await auditContext.run({ user: 'bob', reason: 'gone' }, () => e.flush());
    // The database deleted book 20 and nulled reader 200's favourite: both are recorded, chained.
    expect((await em().find(BookAudit, { id: 20 })).map(row => row._audit_change_type)).toEqual(['I', 'D']);
    await expectAllIntact();
    const shelves = await em().find(ShelfAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(shelves.every(row => /^[0-9a-f]{64}$/.test(row._audit_hash!))).toBe(true);
    expect(new Set(shelves.map(row => row._audit_hash)).size).toBe(shelves.length);
  });

  it('native writes, insertMany and query builders', async () => {
    await seed();
    await em().insert(Shelf, { id: 3, label: 'native', secret: 'xx' });
    await em().insertMany(Shelf, [{ id: 4, label: 'many a' }, { id: 5, label: 'many b', secret: 'yyyy' }]);
    await em().nativeUpdate(Shelf, { id: { $in: [3, 4] } }, { secret: 'changed' });
    await em().nativeDelete(Book, { id: 10 });
    await queryBuilder(em(), Shelf).insert({ id: 6, label: 'qb' }).execute();
    await queryBuilder(em(), Shelf).update({ label: 'qb updated' }).where({ id: 6 }).execute();
    await queryBuilder(em(), Book).delete().where({ id: 20 }).execute();
    await em().nativeDelete(Shelf, { id: 5 });
    await expectAllIntact();
    expect((await em().find(ShelfAudit, { id: 6 })).map(row => row._audit_change_type)).toEqual(['I', 'U']);
  });

  it('upserts', async () => {
    await seed();
    await em().upsert(Shelf, { id: 1, label: 'shelf 1', secret: 'upserted' });
    await em().upsert(Shelf, { id: 7, label: 'upsert new' });
    await em().upsertMany(Shelf, [{ id: 7, label: 'upsert new', secret: 'again' }, { id: 8, label: 'upsert many' }]);
    await expectAllIntact();
    expect((await em().find(ShelfAudit, { id: { $in: [7, 8] } }, { orderBy: { _audit_id: 'asc' } })).map(r => [r.id, r._audit_change_type])).toEqual([
      [7, 'I'],
      [7, 'U'],
      [8, 'I'],
    ]);
  });

  it('several flushes in one explicit transaction form one chain per table', async () => {
    await seed();
    await ctx.t.orm.em.fork().transactional(async trx => {
      for (let i = 0; i < 5; i++) {
        const shelf = await trx.findOneOrFail(Shelf, 1);
        shelf.label = `round ${i}`;
        await trx.flush();
        await trx.nativeUpdate(Shelf, { id: 2 }, { label: `native ${i}` });
      }
      trx.create(Book, { id: 30, title: 'in the transaction', shelf: 1 });
    });
    const report = await expectChainsIntact(em(), Shelf);
    const rows = await em().find(ShelfAudit, { _audit_change_type: 'U' });
    expect(new Set(rows.map(row => row._audit_transaction)).size).toBe(1);
    expect(rows).toHaveLength(10);
    // One chain for the seed, one for the transaction.
    expect(report.chains).toBe(2);
  });

  it('a savepoint rolled back leaves no stale chain head: later rows link to the last row that stayed', async () => {
    await seed();
    await ctx.t.orm.em.fork().transactional(async trx => {
      (await trx.findOneOrFail(Shelf, 1)).label = 'before the savepoint';
      await trx.flush();
      await expect(
        trx.transactional(async inner => {
          (await inner.findOneOrFail(Shelf, 1)).label = 'rolled back';
          await inner.flush();
          await inner.nativeUpdate(Shelf, { id: 2 }, { label: 'rolled back too' });
          throw new Error('roll the savepoint back');
        }),
      ).rejects.toThrow('roll the savepoint back');
      await trx.nativeUpdate(Shelf, { id: 2 }, { label: 'after the savepoint 2' });
      (await trx.findOneOrFail(Shelf, 1)).label = 'after the savepoint 1';
      await trx.flush();
    });
    await expectAllIntact();
    const labels = (await em().find(ShelfAudit, { _audit_change_type: 'U' }, { orderBy: { _audit_id: 'asc' } })).map(row => row.label);
    expect(labels).toEqual(['before the savepoint', 'after the savepoint 2', 'after the savepoint 1']);
  });

  it('an entity with tamperEvidence: false has no hash column and no pre-read', async () => {
    ctx.t.reset();
    await em().insert(Note, { id: 1, text: 'plain' });
    const audit = ctx.t.orm.getMetadata().get(NoteAudit.meta.className);
    expect(Object.keys(audit.properties)).not.toContain('_audit_hash');
    expect(ctx.t.queries.filter(q => q.includes('_audit_hash'))).toEqual([]);
    expect(await em().count(NoteAudit, {})).toBe(1);
  });
});
