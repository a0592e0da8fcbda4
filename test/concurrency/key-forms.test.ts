// A flush deleting rows by keys the database matches in another form (`ABC` finds `abc` under MariaDB's
// case-insensitive collation) while another of its keys is already gone (deleted concurrently): the rows that
// exist are told by the database, not by comparing key texts, and the flush deletes what the plain application
// deletes, with one D row.
import { expect, it } from 'vitest';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Tag {
  @PrimaryKey({ type: 'string', length: 50 }) code!: string;
  @Property({ type: 'string' }) label!: string;
}
const TagAudit = auditOf(Tag);

describeOnEachDatabase('keys the database matches in another form', { file: import.meta.url, config: { entities: [Tag] }, databases: SERVER_DATABASES.filter(db => db.name === 'mariadb') }, ctx => {
  it('deletes by a key in another case together with a key already gone', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Tag, { code: 'abc', label: 'x' });
    const em = ctx.t.orm.em.fork();
    em.remove(em.getReference(Tag, 'ABC' as never));
    em.remove(em.getReference(Tag, 'gone' as never));
    await em.flush();
    expect(await ctx.t.orm.em.fork().count(Tag, {})).toBe(0);
    expect(await ctx.t.orm.em.fork().count(TagAudit, { _audit_change_type: 'D' })).toBe(1);
  });
});
