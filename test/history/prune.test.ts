import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, AuditTrailError, allowAuditTableWrites, allowUnauditedWrites, auditOf, pruneAudit } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail()
class Reading {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) value!: number;
}

const ReadingAudit = auditOf(Reading);
const day = (n: number) => new Date(Date.UTC(2026, 0, n));

/** `rows` live rows, each with `versions` versions written on days 1..versions (the last one a D row for deleted rows). */
async function seed({ t }: SuiteContext, rows: number, versions: number, deleted: number[] = []): Promise<void> {
  const em = t.orm.em.fork();
  const live = Array.from({ length: rows }, (_, i) => i + 1).filter(id => !deleted.includes(id));
  // Plain SQL, deliberately unaudited: em.insertMany() on an audited entity would write history of its own.
  await allowUnauditedWrites(async () => {
    for (let start = 0; start < live.length; start += 1000) {
      const values = live.slice(start, start + 1000).map(id => `(${id}, ${versions})`);
      await em.getConnection().execute(`insert into reading (id, value) values ${values.join(', ')}`);
    }
  });
  const history = Array.from({ length: rows * versions }, (_, n) => {
    const id = (n % rows) + 1;
    const version = Math.floor(n / rows) + 1;
    const gone = deleted.includes(id) && version === versions;
    return { id, value: version, _audit_timestamp: day(version), _audit_change_type: version === 1 ? 'I' : gone ? 'D' : 'U' };
  });
  await allowAuditTableWrites(async () => {
    for (let start = 0; start < history.length; start += 2000) {
      await em.insertMany(ReadingAudit, history.slice(start, start + 2000) as never[]);
    }
  });
}

async function versionsOf({ t }: SuiteContext, id: number): Promise<number[]> {
  const rows = await t.orm.em.fork().find(ReadingAudit, { id }, { orderBy: { _audit_id: 'asc' } });
  return rows.map(row => row.value!);
}

describeOnEachDatabase('pruneAudit', { file: import.meta.url, config: { entities: [Reading] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('keeps the newest versions of each row on 100,000 audit rows, in batches, and says how many it removed', async () => {
    await seed(ctx, 10_000, 10);
    expect(await ctx.t.orm.em.fork().count(ReadingAudit)).toBe(100_000);
    const result = await pruneAudit(ctx.t.orm.em.fork(), Reading, { keepLast: 3 });
    expect(result).toEqual({ removed: 70_000, batches: 14 });
    expect(await ctx.t.orm.em.fork().count(ReadingAudit)).toBe(30_000);
    expect(await versionsOf(ctx, 1)).toEqual([8, 9, 10]);
    expect(await versionsOf(ctx, 10_000)).toEqual([8, 9, 10]);
  });

  it('removes versions older than an instant, but never the newest version of a row that still exists', async () => {
    await seed(ctx, 3, 4, [3]);
    const result = await pruneAudit(ctx.t.orm.em.fork(), Reading, { olderThan: day(10), batchSize: 2 });
    // Rows 1 and 2 exist and keep their newest version; row 3 was deleted, so all of its history was old enough.
    expect(result).toEqual({ removed: 10, batches: 5 });
    expect(await versionsOf(ctx, 1)).toEqual([4]);
    expect(await versionsOf(ctx, 2)).toEqual([4]);
    expect(await versionsOf(ctx, 3)).toEqual([]);
  });

  it('combines both criteria, and removes the newest versions too when asked', async () => {
    await seed(ctx, 2, 5);
    expect(await pruneAudit(ctx.t.orm.em.fork(), Reading, { olderThan: day(3), keepLast: 1 })).toEqual({ removed: 4, batches: 1 });
    expect(await versionsOf(ctx, 1)).toEqual([3, 4, 5]);
    expect(await pruneAudit(ctx.t.orm.em.fork(), Reading, { keepLast: 0, pruneNewest: true })).toEqual({ removed: 6, batches: 1 });
    expect(await ctx.t.orm.em.fork().count(ReadingAudit)).toBe(0);
  });

  it('rejects missing or invalid criteria', async () => {
    const em = ctx.t.orm.em.fork();
    await expect(pruneAudit(em, Reading, {})).rejects.toThrow(AuditTrailError);
    await expect(pruneAudit(em, Reading, {})).rejects.toThrow(/pruneAudit\(\) for Reading needs olderThan, keepLast or both/);
    await expect(pruneAudit(em, Reading, { keepLast: -1 })).rejects.toThrow(/option keepLast must be an integer of 0 or more, got number -1/);
    await expect(pruneAudit(em, Reading, { olderThan: new Date('never') })).rejects.toThrow(/needs a valid Date/);
  });
});
