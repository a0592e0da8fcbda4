// Every way MikroORM lets an entity be defined without decorators, marked with auditTrail(): EntitySchema with a
// `properties` object, with a `class`, with `extends`, with embeddables, many-to-many owners with and without an
// explicit `pivotEntity`, one-to-many inverse sides, and defineEntity (MikroORM 6.6 and 7). Such schemas have no
// property `name` until discovery, which crashed withAuditTrail() (issue 12, point 8).
import { beforeAll, expect, it } from 'vitest';
import { Collection, EntitySchema, ReferenceKind, defineEntity, p } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditHistory, auditOf, auditOfCollection, auditTrail } from '../../src/index.js';
import { Entity, ManyToMany, PrimaryKey, ormMajor } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

// Unaudited targets.
interface ITag {
  id: number;
  name: string;
}
const TagSchema = new EntitySchema<ITag>({
  name: 'DefTag',
  properties: { id: { type: 'number', primary: true }, name: { type: 'string' } },
});

// An embeddable schema.
interface IMoney {
  amount: number;
  currency: string;
}
const MoneySchema = new EntitySchema<IMoney>({
  name: 'DefMoney',
  embeddable: true,
  properties: { amount: { type: 'number' }, currency: { type: 'string', length: 3 } },
});

// EntitySchema with a class: the application lists and instantiates the class.
class DefWriter {
  id!: number;
  name!: string;
  tags = new Collection<ITag>(this);
  novels = new Collection<DefNovel>(this);
}
const WriterSchema = auditTrail(
  new EntitySchema<DefWriter>({
    class: DefWriter,
    properties: {
      id: { type: 'number', primary: true },
      name: { type: 'string' },
      // Owning side named by `owner: true`, unidirectional.
      tags: { kind: ReferenceKind.MANY_TO_MANY, entity: () => TagSchema, owner: true },
      // Inverse one-to-many side: not copied.
      novels: { kind: ReferenceKind.ONE_TO_MANY, entity: () => DefNovel, mappedBy: 'writer' },
    },
  }),
);

// A base schema with an owning many-to-many collection, and a schema that extends it.
interface IBase {
  id: number;
  labels: Collection<ITag>;
}
const BaseSchema = new EntitySchema<IBase>({
  name: 'DefBase',
  abstract: true,
  properties: {
    id: { type: 'number', primary: true },
    // Owning because nothing says otherwise (no `mappedBy`).
    labels: { kind: ReferenceKind.MANY_TO_MANY, entity: () => TagSchema },
  },
});
class DefNovel {
  id!: number;
  title!: string;
  price!: IMoney;
  writer?: DefWriter | null;
  labels = new Collection<ITag>(this);
}
const NovelSchema = auditTrail(
  new EntitySchema<DefNovel, IBase>({
    class: DefNovel,
    extends: BaseSchema,
    properties: {
      title: { type: 'string' },
      price: { kind: ReferenceKind.EMBEDDED, entity: () => MoneySchema },
      writer: { kind: ReferenceKind.MANY_TO_ONE, entity: () => DefWriter, nullable: true },
    },
  }),
);

// MikroORM 6 also names the base by a string.
class DefPoem {
  id!: number;
  verse!: string;
  labels = new Collection<ITag>(this);
}
const PoemSchema = auditTrail(
  new EntitySchema<DefPoem, IBase>({
    class: DefPoem,
    extends: ormMajor >= 7 ? BaseSchema : 'DefBase',
    properties: { verse: { type: 'string' } },
  }),
);

// A many-to-many collection with an explicit pivot entity, itself audited.
interface IShelf {
  id: number;
  tags: Collection<ITag>;
}
interface IShelfTag {
  shelf: IShelf;
  tag: ITag;
}
const ShelfTagSchema = auditTrail(
  new EntitySchema<IShelfTag>({
    name: 'DefShelfTag',
    properties: {
      shelf: { kind: ReferenceKind.MANY_TO_ONE, entity: () => ShelfSchema, primary: true },
      tag: { kind: ReferenceKind.MANY_TO_ONE, entity: () => TagSchema, primary: true },
    },
  }),
);
const ShelfSchema: EntitySchema<IShelf> = auditTrail(
  new EntitySchema<IShelf>({
    name: 'DefShelf',
    properties: {
      id: { type: 'number', primary: true },
      tags: { kind: ReferenceKind.MANY_TO_MANY, entity: () => TagSchema, pivotEntity: () => ShelfTagSchema, owner: true },
    },
  }),
);

// defineEntity: an owning side named by `inversedBy`, the inverse side audited too, properties given as a function,
// an embeddable and a one-to-many inverse side.
const FeeSchema = defineEntity({
  name: 'DefFee',
  embeddable: true,
  properties: { amount: p.integer(), currency: p.string().length(3) },
});
const CourseSchema = auditTrail(
  defineEntity({
    name: 'DefCourse',
    properties: {
      id: p.integer().primary(),
      title: p.string(),
      students: () => p.manyToMany(StudentSchema).inversedBy('courses'),
      fee: () => p.embedded(FeeSchema).nullable(),
      lessons: () => p.oneToMany(LessonSchema).mappedBy('course'),
    },
  }),
);
const LessonSchema = defineEntity({
  name: 'DefLesson',
  properties: { id: p.integer().primary(), course: () => p.manyToOne(CourseSchema) },
});
const StudentSchema = auditTrail(
  defineEntity({
    name: 'DefStudent',
    properties: builders => ({
      id: builders.integer().primary(),
      name: builders.string(),
      courses: () => builders.manyToMany(CourseSchema).mappedBy('students'),
    }),
  }),
);

// defineEntity with a class of the application's, set after marking (MikroORM 7's documented pattern extends the
// class defineEntity generated). Listed and used by its class.
const PupilSchema = auditTrail(
  defineEntity({
    name: 'DefPupil',
    properties: { id: p.integer().primary(), name: p.string(), clubs: () => p.manyToMany(TagSchema).owner() },
  }),
);
const PupilBase = (ormMajor >= 7 ? (PupilSchema as unknown as { class: new () => object }).class : class {}) as new () => object;
class DefPupil extends PupilBase {
  id!: number;
  name!: string;
  clubs = new Collection<ITag>(this);
}
PupilSchema.setClass(DefPupil as never);

// The decorated form of the same inheritance: an owning collection declared on a base class.
abstract class DefTagged {
  @ManyToMany({ entity: () => TagSchema, owner: true }) tags = new Collection<ITag>(this);
}
@Entity()
@AuditTrail()
class DefPost extends DefTagged {
  @PrimaryKey({ type: 'number' }) id!: number;
}

const entities = [
  TagSchema, MoneySchema, DefWriter, BaseSchema, NovelSchema, PoemSchema, ShelfTagSchema, ShelfSchema, FeeSchema, CourseSchema,
  StudentSchema, LessonSchema, DefPupil, DefPost,
];

describeOnEachDatabase('auditTrail() on every schema shape', { file: import.meta.url, config: { entities } }, ctx => {
  // The ORM starts on a fresh schema; each test uses keys and collections of its own.
  beforeAll(async () => {
    const em = ctx.t.orm.em.fork();
    [1, 2, 3].forEach(id => em.create(TagSchema, { id, name: `tag ${id}` }));
    await em.flush();
  });

  it('records an EntitySchema with a class, listed by its class, and its collection', async () => {
    const em = ctx.t.orm.em.fork();
    const writer = em.create(DefWriter, { id: 1, name: 'Čapek' });
    writer.tags.add(em.getReference(TagSchema, 1), em.getReference(TagSchema, 2));
    await auditContext.run({ reason: 'signed' }, () => em.flush());
    writer.name = 'Karel Čapek';
    writer.tags.remove(em.getReference(TagSchema, 1));
    await em.flush();

    const history = await auditHistory(ctx.t.orm.em.fork(), writer);
    expect(history.map(row => [row._audit_change_type, row.name])).toEqual([
      ['U', 'Karel Čapek'],
      ['I', 'Čapek'],
    ]);
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(DefWriter, 'tags'), {}, { orderBy: { _audit_id: 'asc' } });
    expect(pivot.map(row => [row._audit_change_type, row._audit_reason])).toEqual([
      ['I', 'signed'],
      ['I', 'signed'],
      ['D', null],
    ]);
    expect(auditOfCollection(WriterSchema, 'tags')).toBe(auditOfCollection(DefWriter, 'tags'));
  });

  it('records a schema that extends a base schema, with its embeddable, relation and inherited collection', async () => {
    const em = ctx.t.orm.em.fork();
    const writer = em.create(DefWriter, { id: 2, name: 'Hašek' });
    const novel = em.create(DefNovel, { id: 7, title: 'Švejk', price: { amount: 10, currency: 'CZK' }, writer });
    novel.labels.add(em.getReference(TagSchema, 3));
    await em.flush();
    novel.price.amount = 12;
    await em.flush();
    em.remove(novel);
    await em.flush();

    const history = await auditHistory(ctx.t.orm.em.fork(), DefNovel, 7);
    expect(history.map(row => [row._audit_change_type, row.id, row.title, row.price?.amount, row.writer?.id])).toEqual([
      ['D', 7, 'Švejk', 12, 2],
      ['U', 7, 'Švejk', 12, 2],
      ['I', 7, 'Švejk', 10, 2],
    ]);
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(NovelSchema, 'labels'), {}, { orderBy: { _audit_id: 'asc' } });
    expect(pivot.map(row => row._audit_change_type)).toEqual(['I', 'D']);
  });

  it('records a collection a decorated entity inherits from its base class', async () => {
    const em = ctx.t.orm.em.fork();
    const post = em.create(DefPost, { id: 1 });
    post.tags.add(em.getReference(TagSchema, 1));
    await em.flush();
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(DefPost, 'tags'), {});
    expect(pivot.map(row => [row._audit_change_type, (row.DefPost_owner as { id: number }).id])).toEqual([['I', 1]]);
  });

  it('records a collection with an explicit pivot entity through that entity’s audit', async () => {
    const em = ctx.t.orm.em.fork();
    const shelf = em.create(ShelfSchema, { id: 1 });
    shelf.tags.add(em.getReference(TagSchema, 1), em.getReference(TagSchema, 2));
    await em.flush();
    shelf.tags.remove(em.getReference(TagSchema, 2));
    await em.flush();

    const rows = await ctx.t.orm.em.fork().find(auditOf(ShelfTagSchema), {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row._audit_change_type, row.shelf?.id, row.tag?.id])).toEqual([
      ['I', 1, 1],
      ['I', 1, 2],
      ['D', 1, 2],
    ]);
    expect(() => auditOfCollection(ShelfSchema, 'tags')).toThrow(/pivotEntity/);
  });

  it('records defineEntity entities, both sides of their many-to-many and an embeddable', async () => {
    const em = ctx.t.orm.em.fork();
    const course = em.create(CourseSchema, { id: 1, title: 'Logic', fee: { amount: 5, currency: 'EUR' } });
    const student = em.create(StudentSchema, { id: 1, name: 'Ada' });
    course.students.add(student);
    await em.flush();
    student.name = 'Ada L.';
    student.courses.remove(course);
    await em.flush();

    const courses = await auditHistory(ctx.t.orm.em.fork(), CourseSchema, 1);
    expect(courses.map(row => [row._audit_change_type, row.title, row.fee?.amount])).toEqual([['I', 'Logic', 5]]);
    const students = await auditHistory(ctx.t.orm.em.fork(), StudentSchema, 1);
    expect(students.map(row => [row._audit_change_type, row.name])).toEqual([
      ['U', 'Ada L.'],
      ['I', 'Ada'],
    ]);
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(CourseSchema, 'students'), {}, { orderBy: { _audit_id: 'asc' } });
    expect(pivot.map(row => row._audit_change_type)).toEqual(['I', 'D']);
    expect(pivot[0]).toMatchObject({ DefCourse_owner: { id: 1 }, DefStudent_inverse: { id: 1 } });
    // The inverse side writes through the owner's pivot audit; it has none of its own.
    expect(() => auditOfCollection(StudentSchema, 'courses')).toThrow(/owning side/);
  });

  it('records a base named by a string (MikroORM 6) like one given as a schema', async () => {
    const em = ctx.t.orm.em.fork();
    const poem = em.create(DefPoem, { id: 3, verse: 'Máj' });
    poem.labels.add(em.getReference(TagSchema, 1));
    await em.flush();
    expect((await auditHistory(ctx.t.orm.em.fork(), poem)).map(row => [row._audit_change_type, row.id, row.verse])).toEqual([['I', 3, 'Máj']]);
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(DefPoem, 'labels'), {});
    expect(pivot.map(row => row._audit_change_type)).toEqual(['I']);
  });

  it('records defineEntity with a class set after marking, used and listed by that class', async () => {
    const em = ctx.t.orm.em.fork();
    const pupil = em.create(DefPupil, { id: 1, name: 'Bo' });
    pupil.clubs.add(em.getReference(TagSchema, 2));
    await em.flush();
    em.remove(pupil);
    await em.flush();

    const history = await auditHistory(ctx.t.orm.em.fork(), DefPupil, 1);
    expect(history.map(row => [row._audit_change_type, row.name])).toEqual([
      ['D', 'Bo'],
      ['I', 'Bo'],
    ]);
    const pivot = await ctx.t.orm.em.fork().find(auditOfCollection(DefPupil, 'clubs'), {}, { orderBy: { _audit_id: 'asc' } });
    expect(pivot.map(row => row._audit_change_type)).toEqual(['I', 'D']);
    expect(auditOf(DefPupil)).toBe(auditOf(PupilSchema));
  });
});
