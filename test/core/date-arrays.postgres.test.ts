// On PostgreSQL the library sends the keys of a flush, and row values that differ between rows, as one array per
// column, and other values as single parameters. A `timestamp` (without time zone) column keeps the wall-clock
// digits it is given, so every path must give the digits MikroORM writes for the same Date (its `forceUtcTimezone`
// / `timezone` options applied), or a date key matches no source row and a track field stores another instant.
// The process runs in a time zone that is not UTC, where local and UTC digits differ.
process.env.TZ = 'Asia/Kolkata';

import { afterAll, expect, it } from 'vitest';
import { DateTimeType } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { DATABASES } from '../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

class WallClock extends DateTimeType {
  override getColumnType(): string {
    return 'timestamp(3)';
  }
}

@Entity()
@AuditTrail<Gauge>({ trackFields: [{ name: 'checkedAt', type: WallClock, value: ({ entity }) => entity.takenAt }] })
class Gauge {
  @PrimaryKey({ type: WallClock }) takenAt!: Date;
  @Property({ type: 'number' }) level!: number;
}

const GaugeAudit = auditOf(Gauge);
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute, 0, 250));

afterAll(() => {
  delete process.env.TZ;
});

function checks(ctx: SuiteContext): void {
  it('matches date keys and stores the same digits as MikroORM, through arrays and single parameters', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    // Three rows: keys and (differing) track values travel as arrays.
    [1, 2, 3].forEach(minute => em.create(Gauge, { takenAt: at(minute), level: minute }));
    await em.flush();
    // One row: its track value travels as a single parameter.
    (await em.findOneOrFail(Gauge, { takenAt: at(2) })).level = 0;
    await em.flush();

    const rows = await ctx.t.orm.em.fork().find(GaugeAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.takenAt!.toISOString(), row._audit_change_type])).toEqual([
      ...[1, 2, 3].map(minute => [at(minute).toISOString(), 'I']),
      [at(2).toISOString(), 'U'],
    ]);
    // Same digits as the copied source column, whichever path the track value took.
    const differing = await em.getConnection().execute<{ n: string }[]>(
      'select count(*) as n from gauge_audit where checked_at is distinct from taken_at',
    );
    expect(Number(differing[0]!.n)).toBe(0);
  });
}

const postgres = DATABASES.filter(db => db.name === 'postgresql');
// MikroORM 6 writes UTC digits on PostgreSQL unless `forceUtcTimezone: false`, then local ones.
describeOnEachDatabase('date parameters (UTC digits)', { file: import.meta.url, config: { entities: [Gauge] }, databases: postgres }, checks);
describeOnEachDatabase(
  'date parameters (local digits)',
  { file: import.meta.url, config: { entities: [Gauge], forceUtcTimezone: false }, databases: postgres },
  checks,
);
