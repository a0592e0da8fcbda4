import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Author {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail()
class Book {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne(() => Author) author!: Author;
}

@Entity()
class Note {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) text!: string;
}

// The audited twin of Note: same columns, so any difference in statements is the audit trail's.
@Entity()
@AuditTrail()
class Memo {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) text!: string;
}

const BookAudit = auditOf(Book);

describeOnEachDatabase(
  'batched audit statements',
  { file: import.meta.url, config: { entities: [Author, Book, Note, Memo] }, moduleOptions: { batchSize: 40 } },
  ctx => {
    beforeEach(() => refreshSchema(ctx.t.orm));

    it('writes one INSERT per audited class for a flush of many inserts', async () => {
      const em = ctx.t.orm.em.fork();
      const author = em.create(Author, { name: 'A' });
      for (let i = 0; i < 30; i++) {
        em.create(Book, { title: `B${i}`, author });
      }
      ctx.t.reset();
      await em.flush();
      expect(ctx.t.writesTo('author_audit')).toHaveLength(1);
      expect(ctx.t.writesTo('book_audit')).toHaveLength(1);
      expect(await ctx.t.orm.em.fork().count(BookAudit)).toBe(30);
    });

    it('writes inserts and updates of a class together, and deletes in one statement per class', async () => {
      const em = ctx.t.orm.em.fork();
      const author = em.create(Author, { name: 'A' });
      const books = Array.from({ length: 10 }, (_, i) => em.create(Book, { title: `B${i}`, author }));
      await em.flush();

      books.slice(0, 5).forEach(book => (book.title += '!'));
      em.create(Book, { title: 'new', author });
      ctx.t.reset();
      await em.flush();
      expect(ctx.t.writesTo('book_audit')).toHaveLength(1);

      books.slice(5).forEach(book => em.remove(book));
      ctx.t.reset();
      await em.flush();
      expect(ctx.t.writesTo('book_audit')).toHaveLength(1);

      const types = (await ctx.t.orm.em.fork().find(BookAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row._audit_change_type);
      expect(types.filter(type => type === 'I')).toHaveLength(11);
      expect(types.filter(type => type === 'U')).toHaveLength(5);
      expect(types.filter(type => type === 'D')).toHaveLength(5);
    });

    it('splits a flush larger than batchSize into chunks, still one statement per chunk', async () => {
      const em = ctx.t.orm.em.fork();
      const author = em.create(Author, { name: 'A' });
      for (let i = 0; i < 100; i++) {
        em.create(Book, { title: `B${i}`, author });
      }
      ctx.t.reset();
      await em.flush();
      expect(ctx.t.writesTo('book_audit')).toHaveLength(3); // 40 + 40 + 20
      const titles = (await ctx.t.orm.em.fork().find(BookAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row.title);
      expect(titles).toEqual(Array.from({ length: 100 }, (_, i) => `B${i}`));
    });

    it('adds one statement to an insert or update flush of one audited class, two to a delete (lock, then copy), for 1 or 30 rows', async () => {
      const statements = async (entity: typeof Note | typeof Memo, size: number) => {
        const counts: number[] = [];
        const em = ctx.t.orm.em.fork();
        const rows = Array.from({ length: size }, (_, i) => em.create(entity, { text: `t${i}` }));
        ctx.t.reset();
        await em.flush();
        counts.push(ctx.t.queries.length);
        rows.forEach(row => (row.text += '!'));
        ctx.t.reset();
        await em.flush();
        counts.push(ctx.t.queries.length);
        rows.forEach(row => em.remove(row));
        ctx.t.reset();
        await em.flush();
        counts.push(ctx.t.queries.length);
        return counts;
      };
      for (const size of [1, 30]) {
        const plain = await statements(Note, size);
        expect(await statements(Memo, size)).toEqual(plain.map((count, i) => count + (i === 2 ? 2 : 1)));
      }
    });

    it('costs unaudited entities nothing', async () => {
      const em = ctx.t.orm.em.fork();
      em.create(Note, { text: 'n' });
      ctx.t.reset();
      await em.flush();
      expect(ctx.t.queries.filter(q => /_audit/.test(q))).toEqual([]);
    });
  },
);
