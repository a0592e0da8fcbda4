// pruneAudit() and the prune command on a tamper-evident entity: the removed rows are recorded with the seal key,
// in each batch's transaction, and verify tells them from rows removed behind the application's back.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AuditTrailError, pruneAudit, sealAuditTrail, verifyAuditTrail } from '../../src/index.js';
import { runInProcess } from '../cli/support/captureIo.js';
import { AUDIT_TABLE, KEY, Ledger, describeTamper, sealedHistory, storedRows, writeMoreHistory } from './support/ledger.js';

const keyFile = join(tmpdir(), `prune-records-${process.pid}.key`);
writeFileSync(keyFile, '5e'.repeat(32));

describeTamper('pruning tamper-evident history', import.meta.url, ctx => {
  it('records what it removes, in batches, sealed or not; verify finds nothing, before and after sealing again', async () => {
    await sealedHistory(ctx.orm);
    await writeMoreHistory(ctx.orm, 20);
    const before = await storedRows(ctx.dba);
    const result = await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, batchSize: 2, sealKey: KEY });
    expect(result.removed).toBeGreaterThan(2);
    const after = await storedRows(ctx.dba);
    expect(after.length).toBe(before.length - result.removed);
    const records = await ctx.dba.query('select audit_id, audit_hash, audit_transaction from audit_trail_pruned order by audit_id');
    const removed = before.filter(row => !after.some(kept => kept.id === row.id));
    expect(records.map(record => [Number(record.audit_id), record.audit_hash, record.audit_transaction])).toEqual(removed.map(row => [row.id, row.hash, row.tx]));
    expect((await verifyAuditTrail(ctx.orm, { key: KEY })).findings).toEqual([]);
    await sealAuditTrail(ctx.orm, { key: KEY });
    const { findings, tables } = await verifyAuditTrail(ctx.orm, { key: KEY, batchSize: 2 });
    expect(findings).toEqual([]);
    expect(tables[0]).toMatchObject({ prunedRecords: removed.length, rows: after.length });
  });

  it('refuses to prune without the key, naming the entity and what to set; a dry run needs none', async () => {
    await sealedHistory(ctx.orm);
    const error = (await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1 }).catch((e: unknown) => e)) as AuditTrailError;
    expect(error).toBeInstanceOf(AuditTrailError);
    expect(error).toMatchObject({ code: 'AUDIT_SEAL_KEY_MISSING', entity: 'Ledger' });
    expect(error.message).toMatch(/Ledger has tamper evidence on.*AUDIT_TRAIL_SEAL_KEY.*--key-file/);
    expect((await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, dryRun: true })).removed).toBeGreaterThan(0);
    const [{ n }] = (await ctx.dba.query(`select count(*) as n from audit_trail_pruned`)) as [{ n: unknown }];
    expect(Number(n)).toBe(0);
  });

  it('prune on the command line with --key-file, then verify: exit 0; without the key: exit 2 with the fix', async () => {
    await sealedHistory(ctx.orm);
    const refused = await runInProcess(ctx.orm, ['prune', 'Ledger', '--keep-last', '1']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/AUDIT_TRAIL_SEAL_KEY or pass --key-file/);
    const pruned = await runInProcess(ctx.orm, ['prune', 'Ledger', '--keep-last', '1', '--key-file', keyFile]);
    expect(pruned.status, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^Ledger: removed [1-9]\d* versions? in /);
    const verified = await runInProcess(ctx.orm, ['verify', '--key-file', keyFile]);
    expect(verified.status, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`${AUDIT_TABLE} \\(Ledger\\): \\d+ rows, [1-9]\\d* prune records`));
  });
});
