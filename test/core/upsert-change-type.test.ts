// An upsert's `I` or `U` must be what the database did: the row it matched is found by the database's unique
// index, which neither MikroORM's default filters (a soft-deleted row still conflicts) nor a case-insensitive
// collation (`ADA@x` conflicts with `ada@x`) stop.
import { expect, it } from 'vitest';
import { Type, type Platform } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, Filter, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

/**
 * Text the database compares without case: MariaDB's default collation does; SQLite with `COLLATE NOCASE`.
 * PostgreSQL compares text exactly (case-insensitive text needs the citext extension or a nondeterministic
 * collation created beforehand), so there `ADA@x` is a new row and must be recorded as an insert.
 */
class CaseInsensitiveText extends Type<string, string> {
  override getColumnType(_prop: unknown, platform: Platform): string {
    return platform.constructor.name.startsWith('Sqlite') ? 'text collate nocase' : 'varchar(255)';
  }
}

@Entity()
@AuditTrail()
@Filter({ name: 'live', cond: { deletedAt: null }, default: true })
class Member {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: CaseInsensitiveText, unique: true }) email!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'Date', nullable: true }) deletedAt?: Date | null;
}

const MemberAudit = auditOf(Member);

describeOnEachDatabase('upsert change types', { file: import.meta.url, config: { entities: [Member] } }, ctx => {
  async function changeTypes(email: string): Promise<string[]> {
    const member = await ctx.t.orm.em.fork().findOneOrFail(Member, { email }, { filters: false });
    const rows = await ctx.t.orm.em.fork().find(MemberAudit, { id: member.id }, { orderBy: { _audit_id: 'asc' } });
    return rows.map(row => row._audit_change_type!);
  }

  it('records U for an upsert onto a row a default filter hides (soft-deleted)', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Member, { email: 'gone@x', name: 'a', deletedAt: new Date() });
    await ctx.t.orm.em.fork().upsert(Member, { email: 'gone@x', name: 'b', deletedAt: null }, { onConflictFields: ['email'] });
    await ctx.t.orm.em.fork().upsertMany(Member, [{ email: 'gone@x', name: 'c' }, { email: 'new@x', name: 'n' }], { onConflictFields: ['email'] });
    expect(await changeTypes('gone@x')).toEqual(['I', 'U', 'U']);
    expect(await changeTypes('new@x')).toEqual(['I']);
  });

  it('records what the unique index did when keys differ only in case (U under a case-insensitive collation)', async () => {
    const caseInsensitive = ctx.db.name !== 'postgresql';
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Member, { email: 'ada@x', name: 'a' });
    await ctx.t.orm.em.fork().insert(Member, { email: 'bob@x', name: 'b' });
    await ctx.t.orm.em.fork().upsert(Member, { email: 'ADA@x', name: 'A' }, { onConflictFields: ['email'] });
    // MikroORM's own upsertMany() fails here on MariaDB ("Cannot find matching entity for condition"): it
    // matches the rows it reads back in JavaScript, exactly. One row at a time it works.
    await ctx.t.orm.em.fork().upsert(Member, { email: 'BOB@x', name: 'B' }, { onConflictFields: ['email'] });
    await ctx.t.orm.em.fork().upsert(Member, { email: 'cy@x', name: 'c' }, { onConflictFields: ['email'] });
    if (caseInsensitive) {
      expect(await changeTypes('ada@x')).toEqual(['I', 'U']);
      expect(await changeTypes('bob@x')).toEqual(['I', 'U']);
    } else {
      for (const email of ['ada@x', 'ADA@x', 'bob@x', 'BOB@x']) {
        expect(await changeTypes(email)).toEqual(['I']);
      }
    }
    expect(await changeTypes('cy@x')).toEqual(['I']);
    const names = (await ctx.t.orm.em.fork().find(Member, {}, { orderBy: { id: 'asc' } })).map(m => m.name);
    expect(names).toEqual(caseInsensitive ? ['A', 'B', 'c'] : ['a', 'b', 'A', 'B', 'c']);
  });
});
