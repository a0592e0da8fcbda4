import { beforeEach, expect, it } from 'vitest';
import { Collection } from '@mikro-orm/core';
import { AuditTrail, AuditTrailConfigError, auditContext, auditOfCollection } from '../../src/index.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
class Genre {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany(() => Movie, movie => movie.genres) movies = new Collection<Movie>(this);
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: () => auditContext.current()?.user ?? null }] })
class Movie {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToMany(() => Genre, genre => genre.movies, { owner: true }) genres = new Collection<Genre>(this);
}

const MovieGenresAudit = auditOfCollection(Movie, 'genres');

async function pivotHistory({ t }: SuiteContext) {
  const rows = (await t.orm.em.getConnection().execute(
    'select movie_id, genre_id, _audit_change_type from movie_genres_audit order by _audit_id',
  )) as { movie_id: number; genre_id: number; _audit_change_type: string }[];
  return rows.map(row => [Number(row.movie_id), Number(row.genre_id), row._audit_change_type]);
}

describeOnEachDatabase('many-to-many collections', { file: import.meta.url, config: { entities: [Genre, Movie] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    [1, 2, 3].forEach(id => em.create(Genre, { id, name: `genre ${id}` }));
    await em.flush();
  });

  async function movie() {
    const em = ctx.t.orm.em.fork();
    const m = em.create(Movie, { id: 1, title: 'Metropolis' });
    m.genres.add(em.getReference(Genre, 1), em.getReference(Genre, 2));
    await auditContext.run({ user: 'ada', reason: 'catalogue' }, () => em.flush());
    return em;
  }

  it('records the pivot rows a new entity’s collection inserts, with actor, reason and transaction', async () => {
    await movie();
    expect(await pivotHistory(ctx)).toEqual([
      [1, 1, 'I'],
      [1, 2, 'I'],
    ]);
    const [row] = await ctx.t.orm.em.fork().find(MovieGenresAudit, {}, { limit: 1 });
    expect(row).toMatchObject({ actor: 'ada', _audit_reason: 'catalogue' });
  });

  it('records remove, set and removeAll as D and I rows, in one statement per flush', async () => {
    const em = await movie();
    const m = await em.findOneOrFail(Movie, 1, { populate: ['genres'] });
    m.genres.remove(em.getReference(Genre, 1));
    await em.flush();
    m.genres.set([em.getReference(Genre, 3)]);
    ctx.t.reset();
    await em.flush();
    expect(ctx.t.writesTo('movie_genres_audit')).toHaveLength(1);
    m.genres.removeAll();
    await em.flush();
    expect((await pivotHistory(ctx)).slice(2)).toEqual([
      [1, 1, 'D'],
      [1, 3, 'I'],
      [1, 2, 'D'],
      [1, 3, 'D'],
    ]);
  });

  it('records changes made from the inverse side', async () => {
    await movie();
    const em = ctx.t.orm.em.fork();
    const genre = await em.findOneOrFail(Genre, 3, { populate: ['movies'] });
    genre.movies.add(em.getReference(Movie, 1));
    await em.flush();
    expect((await pivotHistory(ctx)).slice(2)).toEqual([[1, 3, 'I']]);
  });

  it('records the pivot rows that go with a deleted owner once', async () => {
    const em = await movie();
    em.remove(await em.findOneOrFail(Movie, 1, { populate: ['genres'] }));
    await em.flush();
    const removed = (await pivotHistory(ctx)).slice(2);
    expect(removed.sort()).toEqual([
      [1, 1, 'D'],
      [1, 2, 'D'],
    ]);
  });

  it('records nothing when the transaction rolls back', async () => {
    await movie();
    await expect(
      ctx.t.orm.em.fork().transactional(async em => {
        const m = await em.findOneOrFail(Movie, 1, { populate: ['genres'] });
        m.genres.add(em.getReference(Genre, 3));
        await em.flush();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await pivotHistory(ctx)).toHaveLength(2);
  });

  it('names no audit entity for a collection that is not an audited owning side', () => {
    expect(() => auditOfCollection(Genre, 'movies')).toThrow(AuditTrailConfigError);
    expect(() => auditOfCollection(Movie, 'title')).toThrow(/Movie\.title is not an audited many-to-many collection/);
  });
});

@Entity()
class Course {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
class Student {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToMany({ entity: () => Course, pivotEntity: () => Enrolment }) courses = new Collection<Course>(this);
}

// An explicit pivot entity, audited by the user: changes through the collection are recorded in its audit table.
@Entity()
@AuditTrail()
class Enrolment {
  @ManyToOne(() => Student, { primary: true }) student!: Student;
  @ManyToOne(() => Course, { primary: true }) course!: Course;
  @Property({ type: 'string', default: 'active' }) status?: string;
}

describeOnEachDatabase('collections with an audited pivot entity', { file: import.meta.url, config: { entities: [Course, Student, Enrolment] } }, ctx => {
  it('records collection changes in the pivot entity’s audit table, with its own columns, once', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    const student = em.create(Student, { id: 1 });
    [1, 2].forEach(id => em.create(Course, { id }));
    await em.flush();
    student.courses.add(em.getReference(Course, 1), em.getReference(Course, 2));
    await em.flush();
    student.courses.remove(em.getReference(Course, 1));
    await em.flush();
    const rows = (await ctx.t.orm.em.getConnection().execute(
      'select student_id, course_id, status, _audit_change_type from enrolment_audit order by _audit_id',
    )) as Record<string, unknown>[];
    expect(rows.map(row => [Number(row.student_id), Number(row.course_id), row.status, row._audit_change_type])).toEqual([
      [1, 1, 'active', 'I'],
      [1, 2, 'active', 'I'],
      [1, 1, 'active', 'D'],
    ]);
  });
});
