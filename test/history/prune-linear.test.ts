// pruneAudit()'s work grows with the history's size: it ranked the whole table again for every batch, so twice the
// history took four times the reading. Rows read are the database's own counters for the transaction (PostgreSQL)
// or session (MariaDB) the prune runs in, never wall time; SQLite has no such counters.
import { expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, allowUnauditedWrites, auditOf, pruneAudit, type PruneResult } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { SERVER_DATABASES, describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Meter {
  @PrimaryKey({ type: 'string', length: 20 }) site!: string;
  @PrimaryKey({ type: 'number' }) channel!: number;
  @Property({ type: 'number' }) value!: number;
}

const MeterAudit = auditOf(Meter);
const CHANNELS = 20;
const VERSIONS = 10;

async function rowsRead(em: EntityManager, postgres: boolean): Promise<number> {
  const transaction = em.getTransactionContext();
  if (postgres) {
    const [row] = await em.getConnection().execute<{ n: string }[]>(
      `select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables where relname = 'meter_audit'`,
      [],
      'all',
      transaction,
    );
    return Number(row!.n);
  }
  const rows = await em.getConnection().execute<{ Value: string }[]>(`show session status like 'Handler_read%'`, [], 'all', transaction);
  return rows.reduce((sum: number, row: { Value: string }) => sum + Number(row.Value), 0);
}

async function seed(em: EntityManager, sites: number): Promise<void> {
  const keys = Array.from({ length: sites * CHANNELS }, (_, i) => ({ site: `site-${String(i % sites).padStart(3, '0')}`, channel: Math.floor(i / sites) }));
  await allowUnauditedWrites(() =>
    em.getConnection().execute(`insert into meter (site, channel, value) values ${keys.map(k => `('${k.site}', ${k.channel}, 0)`).join(', ')}`),
  );
  const history = Array.from({ length: VERSIONS }, (_, v) =>
    keys.map(k => ({ ...k, value: v, _audit_timestamp: new Date(Date.UTC(2026, 0, 1 + v)), _audit_change_type: v === 0 ? 'I' : 'U' })),
  ).flat();
  await allowAuditTableWrites(async () => {
    for (let start = 0; start < history.length; start += 2000) {
      await em.insertMany(MeterAudit, history.slice(start, start + 2000) as never[]);
    }
  });
}

describeOnEachDatabase('pruneAudit work', { file: import.meta.url, config: { entities: [Meter] }, databases: SERVER_DATABASES }, ctx => {
  /** Prunes a fresh history of `sites` × 20 keys × 10 versions in one transaction: rows read, and the result. */
  async function prune(sites: number): Promise<{ read: number; result: PruneResult }> {
    await refreshSchema(ctx.t.orm);
    await seed(ctx.t.orm.em.fork(), sites);
    const postgres = ctx.db.name === 'postgresql';
    if (postgres) {
      await ctx.t.orm.em.getConnection().execute('analyze meter_audit');
    }
    return await ctx.t.orm.em.fork().transactional(async em => {
      if (postgres) {
        // On tables this small the planner may scan a whole table instead of an index range, which hides how
        // the work grows; without that choice the counters show which rows each statement had to read.
        await em.getConnection().execute('set local enable_seqscan = off', [], 'run', em.getTransactionContext());
      }
      const before = await rowsRead(em, postgres);
      const result = await pruneAudit(em, Meter, { keepLast: 3, batchSize: 500 });
      return { read: (await rowsRead(em, postgres)) - before, result };
    });
  }

  it('reads twice the rows for twice the history, and keeps the newest versions of every composite key', async () => {
    const small = await prune(50);
    const large = await prune(100);
    expect([small.result, large.result]).toEqual([
      { removed: 50 * CHANNELS * (VERSIONS - 3), batches: 14 },
      { removed: 100 * CHANNELS * (VERSIONS - 3), batches: 28 },
    ]);
    // Ranking the whole table for every batch read four times the rows for twice the history.
    expect(large.read / small.read).toBeLessThan(2.5);
    const left = await ctx.t.orm.em.fork().find(MeterAudit, {}, { orderBy: { _audit_id: 'asc' } });
    const byKey = new Map<string, number[]>();
    for (const row of left) {
      byKey.set(`${row.site}/${row.channel}`, [...(byKey.get(`${row.site}/${row.channel}`) ?? []), row.value!]);
    }
    expect(byKey.size).toBe(100 * CHANNELS);
    expect([...byKey.values()].every(values => values.join() === '7,8,9')).toBe(true);
  });
});
