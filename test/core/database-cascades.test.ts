import { beforeEach, expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail()
class Club {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: () => auditContext.current()?.user ?? null }] })
class Player {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne(() => Club, { ref: true, deleteRule: 'cascade' }) club!: Ref<Club>;
}

// Two levels down: deleting a club deletes its players, which deletes their kit.
@Entity()
@AuditTrail()
class Kit {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) item!: string;
  @ManyToOne(() => Player, { ref: true, deleteRule: 'cascade' }) player!: Ref<Player>;
}

@Entity()
@AuditTrail()
class Supporter {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToOne(() => Club, { ref: true, nullable: true, deleteRule: 'set null' }) club?: Ref<Club> | null;
}

// Not audited itself, but the database deletes it with its club, and its contracts with it.
@Entity()
class Sponsor {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Club, { ref: true, deleteRule: 'cascade' }) club!: Ref<Club>;
}

@Entity()
@AuditTrail()
class Contract {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) amount!: number;
  @ManyToOne(() => Sponsor, { ref: true, deleteRule: 'cascade' }) sponsor!: Ref<Sponsor>;
}

const entities = [Club, Player, Kit, Supporter, Sponsor, Contract];

async function seed({ t }: SuiteContext): Promise<void> {
  const em = t.orm.em.fork();
  for (const id of [1, 2]) {
    em.create(Club, { id, name: `club ${id}` });
    em.create(Player, { id: id * 10, name: `player ${id}a`, club: id });
    em.create(Player, { id: id * 10 + 1, name: `player ${id}b`, club: id });
    em.create(Kit, { id: id * 100, item: `boots ${id}`, player: id * 10 });
    em.create(Supporter, { id, name: `fan ${id}`, club: id });
    em.create(Sponsor, { id, club: id });
    em.create(Contract, { id, amount: id * 1000, sponsor: id });
  }
  await em.flush();
}

/** The audit rows written after the seed, per audit entity, as [key, change type, one column]. */
async function changes({ t }: SuiteContext) {
  const em = t.orm.em.fork();
  const after = <T extends { _audit_change_type?: string }>(rows: T[]) => rows.filter(row => row._audit_change_type !== 'I');
  const order = { orderBy: { _audit_id: 'asc' } } as const;
  return {
    clubs: after(await em.find(auditOf(Club), {}, order)).map(row => [row.id, row._audit_change_type, row.name]),
    players: after(await em.find(auditOf(Player), {}, order)).map(row => [row.id, row._audit_change_type, row.name]),
    kit: after(await em.find(auditOf(Kit), {}, order)).map(row => [row.id, row._audit_change_type, row.item]),
    supporters: after(await em.find(auditOf(Supporter), {}, order)).map(row => [row.id, row._audit_change_type, row.club?.id ?? null]),
    contracts: after(await em.find(auditOf(Contract), {}, order)).map(row => [row.id, row._audit_change_type, row.amount]),
  };
}

const CLUB_1_DELETED = {
  clubs: [[1, 'D', 'club 1']],
  players: [
    [10, 'D', 'player 1a'],
    [11, 'D', 'player 1b'],
  ],
  kit: [[100, 'D', 'boots 1']],
  supporters: [[1, 'U', null]],
  contracts: [[1, 'D', 1000]],
};

describeOnEachDatabase('database cascades', { file: import.meta.url, config: { entities } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    await seed(ctx);
  });

  it('records the rows the database deletes or nulls when a flush deletes a row by reference', async () => {
    const em = ctx.t.orm.em.fork();
    em.remove(em.getReference(Club, 1));
    await auditContext.run({ user: 'ada' }, () => em.flush());
    expect(await changes(ctx)).toEqual(CLUB_1_DELETED);
    const [cascaded] = await ctx.t.orm.em.fork().find(auditOf(Player), { id: 10, _audit_change_type: 'D' });
    expect(cascaded).toMatchObject({ actor: 'ada', club: { id: 1 } });
    // The database really did it.
    expect(await ctx.t.orm.em.fork().count(Player)).toBe(2);
    expect((await ctx.t.orm.em.fork().findOneOrFail(Supporter, 1)).club).toBeNull();
  });

  it('writes one D row for a row the flush deletes itself and the database would have deleted too', async () => {
    const em = ctx.t.orm.em.fork();
    em.remove(await em.findOneOrFail(Player, 10));
    em.remove(em.getReference(Club, 1));
    await em.flush();
    expect(await changes(ctx)).toEqual(CLUB_1_DELETED);
  });

  it('records them for em.nativeDelete() too, and for a delete of an unaudited row', async () => {
    await ctx.t.orm.em.fork().nativeDelete(Club, { id: 1 });
    expect(await changes(ctx)).toEqual(CLUB_1_DELETED);
    const em = ctx.t.orm.em.fork();
    em.remove(em.getReference(Sponsor, 2));
    await em.flush();
    expect((await changes(ctx)).contracts).toEqual([
      [1, 'D', 1000],
      [2, 'D', 2000],
    ]);
  });

  it('records them for a query-builder delete() in a transaction', async () => {
    await ctx.t.orm.em.fork().transactional(async em => {
      const sql = em as unknown as { createQueryBuilder(entity: object): { delete(): { where(cond: object): { execute(): Promise<unknown> } } } };
      await sql.createQueryBuilder(Club).delete().where({ id: 1 }).execute();
    });
    expect(await changes(ctx)).toEqual(CLUB_1_DELETED);
  });

  it('records nothing when the deleting transaction rolls back', async () => {
    await expect(
      ctx.t.orm.em.fork().transactional(async em => {
        await em.nativeDelete(Club, { id: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await changes(ctx)).toEqual({ clubs: [], players: [], kit: [], supporters: [], contracts: [] });
    expect(await ctx.t.orm.em.fork().count(Player)).toBe(4);
  });
});
