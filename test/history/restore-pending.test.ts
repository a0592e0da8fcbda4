// restore() writes the restored row only: other changes pending in the caller's EntityManager stay pending and
// never carry the restore's reason.
import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, auditHistory, auditOf, restore, type AuditRow } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Lease {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) rent!: number;
  @Property({ type: 'string', nullable: true }) note?: string | null;
}

@Entity()
@AuditTrail()
class Memo {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) text!: string;
}

const MemoAudit = auditOf(Memo);

describeOnEachDatabase('restore with pending changes', { file: import.meta.url, config: { entities: [Lease, Memo] } }, ctx => {
  let first: AuditRow<Lease>;

  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Lease, { id: 1, rent: 100, note: 'draft' });
    em.create(Lease, { id: 2, rent: 5 });
    em.create(Memo, { id: 1, text: 'a' });
    await em.flush();
    em.getReference(Lease, 1).rent = 250;
    await em.flush();
    first = (await auditHistory(ctx.t.orm.em.fork(), Lease, 1)).at(-1)!;
  });

  it('leaves other pending changes unflushed, and they get no restore reason when flushed later', async () => {
    const em = ctx.t.orm.em.fork();
    (await em.findOneOrFail(Memo, 1)).text = 'b';
    (await em.findOneOrFail(Lease, 2)).rent = 6;
    em.create(Memo, { id: 2, text: 'new' });

    const restored = await restore(em, first, { reason: 'undo' });

    const fresh = ctx.t.orm.em.fork();
    expect((await fresh.findOneOrFail(Lease, 1)).rent).toBe(100);
    expect((await fresh.findOneOrFail(Memo, 1)).text).toBe('a');
    expect((await fresh.findOneOrFail(Lease, 2)).rent).toBe(5);
    expect(await fresh.findOne(Memo, 2)).toBeNull();
    expect(restored).toBe(await em.findOneOrFail(Lease, 1));

    await em.flush();
    const memoRows = await ctx.t.orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(memoRows.map(row => [row.id, row.text, row._audit_reason ?? null]).sort()).toEqual([
      [1, 'a', null],
      [1, 'b', null],
      [2, 'new', null],
    ]);
    const [lease2] = await auditHistory(ctx.t.orm.em.fork(), Lease, 2);
    expect([lease2!.rent, lease2!._audit_reason ?? null]).toEqual([6, null]);
    const [lease1] = await auditHistory(ctx.t.orm.em.fork(), Lease, 1);
    expect([lease1!.rent, lease1!._audit_reason]).toEqual([100, 'undo']);
  });

  it('replaces a pending change to the restored row itself with the restored state', async () => {
    const em = ctx.t.orm.em.fork();
    const lease = await em.findOneOrFail(Lease, 1);
    lease.note = 'pending';
    const restored = await restore(em, first);
    expect(restored).toBe(lease);
    expect([lease.rent, lease.note]).toEqual([100, 'draft']);
    ctx.t.reset();
    await em.flush();
    expect(ctx.t.writesTo('lease')).toEqual([]);
  });

  it('runs in the caller\'s transaction, and rolls back with it', async () => {
    const em = ctx.t.orm.em.fork();
    await expect(
      em.transactional(async tem => {
        await restore(tem, first);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await ctx.t.orm.em.fork().findOneOrFail(Lease, 1)).rent).toBe(250);
    expect(await auditHistory(ctx.t.orm.em.fork(), Lease, 1)).toHaveLength(2);
  });
});
