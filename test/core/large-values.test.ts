// Flushes whose audit rows carry large per-row values are written in many small statements, their values
// computed a slice at a time: every change must still get exactly one audit row, with its own value.
import { expect, it } from 'vitest';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

const PADDING = 'x'.repeat(2000);

@Entity()
@AuditTrail({ trackFields: [{ name: 'payload', type: 'text', value: ({ entity }) => `${(entity).label}:${PADDING}` }] })
class Parcel {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const ParcelAudit = auditOf<typeof Parcel, { payload: string | null }>(Parcel);

describeOnEachDatabase('large per-row values', { file: import.meta.url, config: { entities: [Parcel] } }, ctx => {
  it('gives each of 3,000 changes exactly one audit row with its own value, in several statements', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    for (let i = 0; i < 3000; i++) {
      em.create(Parcel, { label: `parcel ${i}` });
    }
    ctx.t.reset();
    await em.flush();
    const statements = ctx.t.writesTo('parcel_audit').length;
    expect(statements).toBeGreaterThan(3);
    const rows = await ctx.t.orm.em.fork().find(ParcelAudit, {}, { orderBy: { id: 'asc' } });
    expect(rows).toHaveLength(3000);
    expect(new Set(rows.map(row => row.id)).size).toBe(3000);
    for (const row of rows) {
      expect(row.payload).toBe(`${row.label}:${PADDING}`);
    }
  });
});
