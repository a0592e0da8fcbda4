// Every audit row is stamped by one clock, the database's, taken after the writer holds the row: application
// servers whose clocks disagree and MySQL/MariaDB connections in another time zone agree (the trigger backstop's
// rows are checked in test/migrations/backstop.test.ts).
import { afterEach, expect, it, vi } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Meter {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) reading!: number;
}

const MeterAudit = auditOf(Meter);
const TEN_MINUTES = 10 * 60_000;

// Both versions' stamps read back as now, by the test's (real) clock.
async function expectStampsNearNow(em: EntityManager): Promise<void> {
  const stamps = (await em.fork().find(MeterAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row._audit_timestamp.getTime());
  expect(stamps).toHaveLength(2);
  for (const stamp of stamps) {
    expect(Math.abs(stamp - Date.now())).toBeLessThan(TEN_MINUTES);
  }
}

// Writes two versions while the application's clock reads 2001.
async function writeWithSkewedClock(em: EntityManager): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
  try {
    await em.fork().insert(Meter, { id: 1, reading: 0 });
    const writer = em.fork();
    (await writer.findOneOrFail(Meter, 1)).reading = 1;
    await writer.flush();
  } finally {
    vi.useRealTimers();
  }
}

describeOnEachDatabase('one clock for every audit row', { file: import.meta.url, config: { entities: [Meter] } }, ctx => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stamps versions with the database clock, whatever the application server clock says', async () => {
    await refreshSchema(ctx.t.orm);
    await writeWithSkewedClock(ctx.t.orm.em);
    await expectStampsNearNow(ctx.t.orm.em);
  });
});

// MySQL/MariaDB store wall-clock time in the time zone MikroORM is configured with: the stamp must read back as the instant.
describeOnEachDatabase(
  'one clock in a non-UTC time zone',
  { file: import.meta.url, config: { entities: [Meter], timezone: '+05:00' }, databases: SERVER_DATABASES },
  ctx => {
    it('stamps versions that read back as the instant they were written', async () => {
      await refreshSchema(ctx.t.orm);
      await writeWithSkewedClock(ctx.t.orm.em);
      await expectStampsNearNow(ctx.t.orm.em);
    });
  },
);
