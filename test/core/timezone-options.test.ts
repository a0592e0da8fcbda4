// MikroORM's `timezone` option as users set it: a zone name on PostgreSQL (where dates are instants and the
// option does not shape them), the offset forms the MySQL/MariaDB driver reads, and a clear error otherwise.
import { expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { AuditTrail, auditOf, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Gauge {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) reading!: number;
}

const GaugeAudit = auditOf(Gauge);

async function withOrm(db: TestDatabase, suffix: string, config: Partial<Options>, body: (orm: MikroORM) => Promise<void>): Promise<void> {
  const orm = await MikroORM.init(withAuditTrail({ ...db.config(`${dbNameFor(import.meta.url)}_${suffix}`), entities: [Gauge], allowGlobalContext: true, ...config } as Options));
  try {
    await refreshSchema(orm);
    await body(orm);
  } finally {
    await orm.close(true);
  }
}

describeOnEachDatabase('timezone options', { file: import.meta.url, config: { entities: [Gauge] }, databases: DATABASES.filter(db => db.name !== 'sqlite') }, ctx => {
  it('audits writes with every timezone form the driver accepts, stamps reading back as now', async () => {
    const zones = ctx.db.name === 'postgresql' ? ['Europe/Berlin', '+05:30'] : ['+05:30', '+0530', '+05', '-03:00', 'Z', 'local'];
    for (const [i, timezone] of zones.entries()) {
      await withOrm(ctx.db, `z${i}`, { forceUtcTimezone: false, timezone }, async orm => {
        await orm.em.fork().insert(Gauge, { id: 1, reading: 1 });
        const [row] = await orm.em.fork().find(GaugeAudit, {});
        expect(Math.abs(row!._audit_timestamp.getTime() - Date.now()), timezone).toBeLessThan(10 * 60_000);
      });
    }
  });
});

describeOnEachDatabase('timezone options on MySQL/MariaDB', { file: import.meta.url, config: { entities: [Gauge] }, databases: DATABASES.filter(db => db.name === 'mariadb') }, ctx => {
  it('names the option and the fix for a timezone the driver cannot read', async () => {
    await withOrm(ctx.db, 'bad', { forceUtcTimezone: false, timezone: 'Europe/Berlin' }, async orm => {
      await expect(orm.em.fork().insert(Gauge, { id: 1, reading: 1 })).rejects.toThrow(/timezone option is 'Europe\/Berlin'.*Set it to 'local', 'Z' or an offset/);
    });
  });
});
