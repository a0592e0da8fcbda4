// The audited flush takes its row locks in the order the application's own statements take them: MikroORM writes
// pivot rows after its updates and deletes last, so collection owners are locked right before the pivot writes
// and deleted rows right before the deletes (not when the flush's transaction opens). A request that locks the
// same rows in the application's order (updated row first) waits for the audited flush, as it waits for the
// plain one, and both commit. The same sequences run on the application without withAuditTrail.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Collection, MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { AuditTrail } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, ManyToMany, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Shelf {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail()
class Item {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

@Entity()
class Sticker {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
}

@Entity()
@AuditTrail()
class Board {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) note!: string;
  @ManyToMany(() => Sticker) stickers = new Collection<Sticker>(this);
}

const entities = [Shelf, Item, Sticker, Board];

type Outcome = string;
const outcome = (p: Promise<unknown>): Promise<Outcome> => p.then(() => 'committed', (e: unknown) => (e as Error).constructor.name + ': ' + String((e as Error).message).slice(0, 80));

/**
 * `other` holds `first` (its first flush), then the flush under test starts, then `other` runs `second` and
 * commits. Returns how each ended.
 */
async function interleave(em: () => EntityManager, first: (em: EntityManager) => Promise<void>, flush: (em: EntityManager) => Promise<void>, second: (em: EntityManager) => Promise<void>) {
  const other = em();
  await other.begin();
  await first(other);
  const tested = outcome(flush(em()));
  await sleep(300);
  const others = outcome((async () => {
    await second(other);
    await other.commit();
  })().catch(async (e: unknown) => {
    await other.rollback().catch(() => undefined);
    throw e;
  }));
  return { tested: await tested, other: await others };
}

describeOnEachDatabase('the order of the audited flush row locks', { file: import.meta.url, config: { entities }, databases: SERVER_DATABASES }, ctx => {
  let plain: MikroORM;
  beforeAll(async () => {
    // The same application without withAuditTrail, on the same database.
    plain = await MikroORM.init({ ...ctx.db.config(dbNameFor(import.meta.url)), entities, allowGlobalContext: true } as Options);
  });
  afterAll(async () => {
    await plain?.close(true);
  });

  async function seed(): Promise<void> {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Shelf, { id: 1, name: 'shelf' });
    em.create(Item, { id: 1, title: 'item' });
    em.create(Sticker, { id: 1 });
    em.create(Sticker, { id: 2 });
    em.create(Board, { id: 1, note: 'one' });
    em.create(Board, { id: 2, note: 'two' });
    await em.flush();
  }

  // Flush under test: rename shelf 1 and delete item 1. The other request: rename shelf 1, then retitle item 1.
  const scenarioDelete = (orm: MikroORM) =>
    interleave(
      () => orm.em.fork(),
      async em => {
        (await em.findOneOrFail(Shelf, 1)).name = 'other';
        await em.flush();
      },
      async em => {
        (await em.findOneOrFail(Shelf, 1)).name = 'tested';
        em.remove(await em.findOneOrFail(Item, 1));
        await em.flush();
      },
      async em => {
        (await em.findOneOrFail(Item, 1)).title = 'other';
        await em.flush();
      },
    );

  it('a flush that updates one row and deletes another: the plain application has no deadlock', async () => {
    await seed();
    expect(await scenarioDelete(plain)).toEqual({ tested: 'committed', other: 'committed' });
  });

  it('a flush that updates one row and deletes another: no deadlock with the audit trail either', async () => {
    await seed();
    expect(await scenarioDelete(ctx.t.orm)).toEqual({ tested: 'committed', other: 'committed' });
  });

  // Flush under test: add a sticker to board 1 and rewrite board 2's note. The other request: rewrite board 2's
  // note, then add a sticker to board 1.
  const scenarioPivot = (orm: MikroORM) =>
    interleave(
      () => orm.em.fork(),
      async em => {
        (await em.findOneOrFail(Board, 2)).note = 'other';
        await em.flush();
      },
      async em => {
        const [one, two] = await em.find(Board, {}, { orderBy: { id: 'asc' }, populate: ['stickers'] });
        one!.stickers.add(em.getReference(Sticker, 1));
        two!.note = 'tested';
        await em.flush();
      },
      async em => {
        const one = await em.findOneOrFail(Board, 1, { populate: ['stickers'] });
        one.stickers.add(em.getReference(Sticker, 2));
        await em.flush();
      },
    );

  it('a flush that changes one collection and updates another row: the plain application has no deadlock', async () => {
    await seed();
    expect(await scenarioPivot(plain)).toEqual({ tested: 'committed', other: 'committed' });
  });

  it('a flush that changes one collection and updates another row: no deadlock with the audit trail either', async () => {
    await seed();
    expect(await scenarioPivot(ctx.t.orm)).toEqual({ tested: 'committed', other: 'committed' });
  });
});
