// Issue 14: pruneAudit() as a long operation: a dry run counts what a prune removes, progress after each range,
// an interrupted prune resumed ends where an uninterrupted one does, and a recorder (tamper evidence's prune
// records) sees exactly the rows of each batch, in the batch's own transaction.
import { beforeEach, expect, it } from 'vitest';
import { AuditTrail, allowAuditTableWrites, allowUnauditedWrites, auditOf, pruneAudit, type PruneOptions, type PruneProgress, type PrunedRow } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail()
class Gauge {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) value!: number;
}

@Entity()
class PruneLog {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) auditId!: number;
}

const GaugeAudit = auditOf(Gauge);
const ROWS = 60;
const VERSIONS = 6;
const day = (n: number) => new Date(Date.UTC(2026, 0, n));

/** ROWS gauges with VERSIONS versions each (days 1..VERSIONS); every fifth gauge deleted (its last version a D row). */
async function seed({ t }: SuiteContext): Promise<void> {
  await refreshSchema(t.orm);
  const em = t.orm.em.fork();
  const gone = (id: number) => id % 5 === 0;
  const live = Array.from({ length: ROWS }, (_, i) => i + 1).filter(id => !gone(id));
  await allowUnauditedWrites(() => em.getConnection().execute(`insert into gauge (id, value) values ${live.map(id => `(${id}, ${VERSIONS})`).join(', ')}`));
  const history = Array.from({ length: ROWS * VERSIONS }, (_, n) => {
    const id = (n % ROWS) + 1;
    const version = Math.floor(n / ROWS) + 1;
    const type = version === 1 ? 'I' : gone(id) && version === VERSIONS ? 'D' : 'U';
    return { id, value: version, _audit_timestamp: day(version), _audit_change_type: type, _audit_reason: `r${id}.${version}` };
  });
  await allowAuditTableWrites(() => em.insertMany(GaugeAudit, history as never[]));
}

async function remaining({ t }: SuiteContext): Promise<string[]> {
  const rows = await t.orm.em.fork().find(GaugeAudit, {}, { orderBy: { _audit_id: 'asc' } });
  return rows.map(row => `${row._audit_id}:${row.id}:${row.value}`);
}

const CASES: [string, PruneOptions][] = [
  ['keepLast', { keepLast: 2, batchSize: 40 }],
  ['olderThan', { olderThan: day(4), batchSize: 25 }],
  ['both, newest too', { olderThan: day(6), keepLast: 1, pruneNewest: true, batchSize: 50 }],
];

describeOnEachDatabase('pruneAudit as a long operation', { file: import.meta.url, config: { entities: [Gauge, PruneLog] } }, ctx => {
  const fork = () => ctx.t.orm.em.fork();
  beforeEach(() => seed(ctx));

  it.each(CASES)('counts in a dry run exactly what the prune then removes (%s), and reports progress over every audit row', async (_, options) => {
    const progress: PruneProgress[] = [];
    const dry = await pruneAudit(fork(), Gauge, { ...options, dryRun: true, onProgress: p => void progress.push(p) });
    expect(await fork().count(GaugeAudit)).toBe(ROWS * VERSIONS);
    expect(dry.removed).toBeGreaterThan(0);
    const real: PruneProgress[] = [];
    expect(await pruneAudit(fork(), Gauge, { ...options, onProgress: p => void real.push(p) })).toEqual(dry);
    expect(await fork().count(GaugeAudit)).toBe(ROWS * VERSIONS - dry.removed);
    expect(real).toEqual(progress);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ done: ROWS * VERSIONS, total: ROWS * VERSIONS, removed: dry.removed });
    expect(progress.every((p, i) => i === 0 || (p.done >= progress[i - 1]!.done && p.removed >= progress[i - 1]!.removed))).toBe(true);
  });

  it.each(CASES)('ends, interrupted after its first range and run again, where an uninterrupted prune ends (%s)', async (_, options) => {
    const whole = await pruneAudit(fork(), Gauge, options);
    const expected = await remaining(ctx);
    await seed(ctx);
    const stop = new Error('interrupted');
    // Stopped at the first progress report after a batch was removed.
    await expect(pruneAudit(fork(), Gauge, { ...options, onProgress: p => (p.removed > 0 ? Promise.reject(stop) : undefined) })).rejects.toBe(stop);
    const between = await fork().count(GaugeAudit);
    expect(between).toBeLessThan(ROWS * VERSIONS);
    expect(between).toBeGreaterThan(ROWS * VERSIONS - whole.removed);
    const rest = await pruneAudit(fork(), Gauge, options);
    expect(rest.removed).toBe(between - (ROWS * VERSIONS - whole.removed));
    expect(await remaining(ctx)).toEqual(expected);
  });

  it('hands a recorder each batch rows (id and hash column) on the batch transaction, before its delete', async () => {
    const recorded: PrunedRow[][] = [];
    const result = await pruneAudit(fork(), Gauge, {
      keepLast: 3,
      batchSize: 50,
      onBatch: {
        hashColumn: '_audit_reason',
        async record(em, transaction, rows) {
          recorded.push([...rows]);
          // Still there on the batch's transaction: the delete comes after.
          const [{ n }] = await em.getConnection().execute(`select count(*) as n from gauge_audit where _audit_id in (${rows.map(r => Number(r.id)).join(', ')})`, [], 'all', transaction);
          expect(Number(n)).toBe(rows.length);
        },
      },
    });
    expect(result).toEqual({ removed: ROWS * (VERSIONS - 3), batches: Math.ceil((ROWS * (VERSIONS - 3)) / 50) });
    expect(recorded.map(rows => rows.length)).toEqual([50, 50, 50, 30]);
    const all = recorded.flat();
    expect(all.every(row => /^r\d+\.[123]$/.test(row.hash!))).toBe(true);
    expect(await fork().count(GaugeAudit, { _audit_id: { $in: all.map(row => Number(row.id)) } })).toBe(0);
  });

  it('rolls a batch back with its record when the recorder fails: records and deletes stay in step, a rerun finishes', async () => {
    let calls = 0;
    const onBatch = {
      async record(em: Parameters<NonNullable<PruneOptions['onBatch']>['record']>[0], transaction: object, rows: readonly PrunedRow[]) {
        const values = rows.map(row => `(${Number(row.id)})`).join(', ');
        await em.getConnection().execute(`insert into prune_log (audit_id) values ${values}`, [], 'run', transaction);
        if (++calls === 2) {
          throw new Error('recorder failed');
        }
      },
    };
    await expect(pruneAudit(fork(), Gauge, { keepLast: 3, batchSize: 50, onBatch })).rejects.toThrow('recorder failed');
    const logged = async () => (await fork().find(PruneLog, {}, { orderBy: { auditId: 'asc' } })).map(row => row.auditId);
    expect((await logged()).length).toBe(50);
    expect(await fork().count(GaugeAudit)).toBe(ROWS * VERSIONS - 50);
    expect(await pruneAudit(fork(), Gauge, { keepLast: 3, batchSize: 50, onBatch })).toEqual({ removed: ROWS * (VERSIONS - 3) - 50, batches: 3 });
    const gone = await logged();
    expect(gone.length).toBe(ROWS * (VERSIONS - 3));
    expect(await fork().count(GaugeAudit, { _audit_id: { $in: gone } })).toBe(0);
    expect(await fork().count(GaugeAudit)).toBe(ROWS * 3);
  });
});
