// Masked values are read back from the source row by its key: a date key must match whatever form the database
// returns it in (SQLite: milliseconds; the others: a date), never leaving history with NULL instead of the mask.
import { expect, it } from 'vitest';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail({ mask: { secret: (value: unknown) => `***${String(value).slice(-2)}` } })
class Reading {
  @PrimaryKey({ type: 'Date', length: 3 }) takenAt!: Date;
  @PrimaryKey({ type: 'string' }) sensor!: string;
  @Property({ type: 'string' }) secret!: string;
}

const ReadingAudit = auditOf(Reading);

describeOnEachDatabase('date keys', { file: import.meta.url, config: { entities: [Reading] } }, ctx => {
  it('mask the values of entities keyed by a date', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    for (let i = 0; i < 5; i++) {
      em.create(Reading, { takenAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 500)), sensor: `s${i}`, secret: `secret-${i}0` });
    }
    await em.flush();
    await em.nativeUpdate(Reading, { sensor: 's1' }, { secret: 'changed-42' });
    const rows = await ctx.t.orm.em.fork().find(ReadingAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.sensor, row.secret])).toEqual([
      ['s0', '***00'],
      ['s1', '***10'],
      ['s2', '***20'],
      ['s3', '***30'],
      ['s4', '***40'],
      ['s1', '***42'],
    ]);
  });
});
