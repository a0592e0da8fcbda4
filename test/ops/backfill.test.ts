// Issue 14: backfillAudit() gives every live row without history an initial I version, through the one writer
// (actor, track fields, masks, transaction ids), in keyset batches of their own transaction; idempotent and
// resumable after an interruption.
import { beforeEach, expect, it } from 'vitest';
import { Collection, type EntityManager } from '@mikro-orm/core';
import { AuditTrail, AuditTrailError, allowUnauditedWrites, auditContext, auditOf, auditOfCollection, backfillAudit, type BackfillProgress } from '../../src/index.js';
import { auditPlansOf } from '../../src/read/auditPlanOf.js';
import { Entity, ManyToMany, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail({
  mask: { email: (value: unknown) => `***@${String(value).split('@')[1]}` },
  trackFields: [{ name: 'shout', type: 'string', value: ({ entity }) => entity.name?.toUpperCase() ?? null }],
})
class Member {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) email!: string;
}

@Entity()
@AuditTrail()
class Seat {
  @PrimaryKey({ type: 'string', length: 10 }) hall!: string;
  @PrimaryKey({ type: 'number', autoincrement: false }) num!: number;
  @Property({ type: 'string' }) holder!: string;
}

@Entity()
class Tag {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
}

@Entity()
@AuditTrail()
class Post {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @ManyToMany(() => Tag) tags = new Collection<Tag>(this);
}

@Entity()
class Plain {
  @PrimaryKey({ type: 'number' }) id!: number;
}

const MemberAudit = auditOf<typeof Member, { shout: string | null }>(Member);
const SeatAudit = auditOf(Seat);

/** Rows written with plain SQL, as an application did before auditing was switched on. */
async function legacyRows(em: EntityManager, sql: string): Promise<void> {
  await allowUnauditedWrites(() => em.getConnection().execute(sql));
}

async function versions({ t }: SuiteContext, entity: typeof MemberAudit | typeof SeatAudit): Promise<Record<string, unknown>[]> {
  return (await t.orm.em.fork().find(entity as typeof MemberAudit, {}, { orderBy: { _audit_id: 'asc' } })) as unknown as Record<string, unknown>[];
}

describeOnEachDatabase('backfillAudit', { file: import.meta.url, config: { entities: [Member, Seat, Tag, Post, Plain] } }, ctx => {
  const fork = () => ctx.t.orm.em.fork();

  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const names = ['ann', 'bob', 'cid', 'dee', 'eve', 'fay', 'gus'];
    await legacyRows(fork(), `insert into member (id, name, email) values ${names.map((n, i) => `(${(i + 1) * 10}, '${n}', '${n}@old.example')`).join(', ')}`);
    // Two rows with history of their own: one written through the ORM, one an update of a legacy row.
    await auditContext.run({ user: 'app' }, async () => {
      await fork().insert(Member, { id: 5, name: 'new', email: 'new@app.example' });
      await fork().nativeUpdate(Member, { id: 30 }, { name: 'cyd' });
    });
  });

  it('writes one I version per row without history, through the writer: actor, reason, masks, track fields, a transaction per batch', async () => {
    const progress: BackfillProgress[] = [];
    const result = await auditContext.run({ user: 'ops:alice' }, () =>
      backfillAudit(fork(), Member, { batchSize: 2, onProgress: p => void progress.push(p) }),
    );
    expect(result).toEqual({ written: 6, batches: 3 });
    expect(progress).toEqual([
      { done: 2, total: 6, written: 2 },
      { done: 4, total: 6, written: 4 },
      { done: 6, total: 6, written: 6 },
    ]);
    const rows = (await versions(ctx, MemberAudit)).slice(2);
    expect(rows.map(r => [r.id, r._audit_change_type, r._audit_reason, r._audit_actor, r.name, r.email, r.shout])).toEqual(
      [10, 20, 40, 50, 60, 70].map(id => {
        const name = { 10: 'ann', 20: 'bob', 40: 'dee', 50: 'eve', 60: 'fay', 70: 'gus' }[id]!;
        return [id, 'I', 'backfill', 'ops:alice', name, '***@old.example', name.toUpperCase()];
      }),
    );
    const transactions = rows.map(r => r._audit_transaction);
    expect(new Set(transactions).size).toBe(3);
    expect(transactions[0]).toBe(transactions[1]);
    // The rows that had history keep exactly it.
    const all = await versions(ctx, MemberAudit);
    expect(all.filter(r => r.id === 5).map(r => [r._audit_change_type, r._audit_reason])).toEqual([['I', null]]);
    expect(all.filter(r => r.id === 30).map(r => [r._audit_change_type, r.name])).toEqual([['U', 'cyd']]);
  });

  it('is idempotent: a second run looks at nothing and writes nothing', async () => {
    expect(await backfillAudit(fork(), Member)).toEqual({ written: 6, batches: 1 });
    const progress: BackfillProgress[] = [];
    expect(await backfillAudit(fork(), Member, { onProgress: p => void progress.push(p) })).toEqual({ written: 0, batches: 0 });
    expect(progress).toEqual([]);
    expect(await fork().count(MemberAudit)).toBe(8);
  });

  it('resumes after an interruption: the committed batches stay, a rerun writes the rest, nothing twice', async () => {
    const stop = new Error('interrupted after the first batch');
    await expect(backfillAudit(fork(), Member, { batchSize: 4, onProgress: () => Promise.reject(stop) })).rejects.toBe(stop);
    expect((await versions(ctx, MemberAudit)).filter(r => r._audit_reason === 'backfill').map(r => r.id)).toEqual([10, 20, 40, 50]);
    expect(await backfillAudit(fork(), Member, { batchSize: 4 })).toEqual({ written: 2, batches: 1 });
    const backfilled = (await versions(ctx, MemberAudit)).filter(r => r._audit_reason === 'backfill').map(r => r.id);
    expect(backfilled).toEqual([10, 20, 40, 50, 60, 70]);
  });

  it('walks composite keys in key order across batches, and takes its reason from the options', async () => {
    const seats = ['a', 'b', 'c'].flatMap(hall => [1, 2, 3].map(num => `('${hall}', ${num}, '${hall}${num}')`));
    await legacyRows(fork(), `insert into seat (hall, num, holder) values ${seats.join(', ')}`);
    await fork().nativeUpdate(Seat, { hall: 'b', num: 2 }, { holder: 'taken' });
    expect(await backfillAudit(fork(), Seat, { batchSize: 2, reason: 'auditing switched on' })).toEqual({ written: 8, batches: 4 });
    const rows = await versions(ctx, SeatAudit);
    expect(rows.map(r => [r.hall, r.num, r._audit_change_type].join(':'))).toEqual(['b:2:U', 'a:1:I', 'a:2:I', 'a:3:I', 'b:1:I', 'b:3:I', 'c:1:I', 'c:2:I', 'c:3:I']);
    expect(new Set(rows.slice(1).map(r => r._audit_reason))).toEqual(new Set(['auditing switched on']));
    expect(await backfillAudit(fork(), Seat, { batchSize: 2 })).toEqual({ written: 0, batches: 0 });
  });

  it('backfills the pivot rows of an audited collection (keys of relations: track fields get references)', async () => {
    await legacyRows(fork(), 'insert into tag (id) values (1), (2), (3)');
    await legacyRows(fork(), 'insert into post (id) values (1), (2)');
    await legacyRows(fork(), 'insert into post_tags (post_id, tag_id) values (1, 1), (1, 2), (2, 3)');
    const pivot = auditPlansOf(fork())!.pivots.get('Post.tags')!.plan;
    expect(await backfillAudit(fork(), pivot.source.class as never, { batchSize: 2 })).toEqual({ written: 3, batches: 2 });
    const rows = await fork().find(auditOfCollection(Post, 'tags'), {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row._audit_change_type, row._audit_reason])).toEqual(Array(3).fill(['I', 'backfill']));
    expect(await backfillAudit(fork(), Post)).toEqual({ written: 2, batches: 1 });
    expect(await backfillAudit(fork(), pivot.source.class as never)).toEqual({ written: 0, batches: 0 });
  });

  it("runs inside the caller's transaction when there is one: rolled back with it", async () => {
    const rollback = new Error('rolled back');
    const attempt = fork().transactional(async em => {
      expect(await backfillAudit(em, Member, { batchSize: 4 })).toEqual({ written: 6, batches: 2 });
      expect(await em.count(MemberAudit)).toBe(8);
      throw rollback;
    });
    await expect(attempt).rejects.toBe(rollback);
    expect(await fork().count(MemberAudit)).toBe(2);
  });

  it('refuses bad options and entities without an audit trail, naming the fix', async () => {
    await expect(backfillAudit(fork(), Member, { batchSize: 0 })).rejects.toThrow(/backfillAudit\(\) for Member: option batchSize must be a positive integer/);
    await expect(backfillAudit(fork(), Member, { reason: 7 as never })).rejects.toThrow(AuditTrailError);
    await expect(backfillAudit(fork(), Plain)).rejects.toThrow(/Plain has no audit trail/);
    expect(await fork().count(MemberAudit)).toBe(2);
  });
});
