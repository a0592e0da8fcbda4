// Key rotation: seals made with a key that was replaced verify with it given as a retired key; a seal made with a
// retired key after the rotation, a key missing from the ring and retired keys out of order are reported.
import { expect, it } from 'vitest';
import { allowAuditTableWrites, pruneAudit, SealKey, sealAuditTrail, verifyAuditTrail, type AuditTrailError } from '../../src/index.js';
import { auditPlanOf } from '../../src/read/auditPlanOf.js';
import { recordPrunedRows } from '../../src/tamper/recordPrunedRows.js';
import { refreshSchema } from '../support/mikro.js';
import { AUDIT_TABLE, KEY, Ledger, OTHER_KEY, describeTamper, storedRows, writeFirstHistory, writeMoreHistory, type StoredRow } from './support/ledger.js';

const THIRD_KEY = SealKey.parse('c3'.repeat(32));

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter(item => !test(item))];
}
const brief = (findings: readonly { kind: string; sealId?: string }[]) => findings.map(f => `${f.kind} #${f.sealId}`);

describeTamper('seal key rotation', import.meta.url, ctx => {
  /** Deletes `rows` and records them as pruned with the retired KEY, as its holder could, bypassing pruneAudit(). */
  async function forgedPrune(rows: readonly StoredRow[]): Promise<void> {
    await ctx.orm.em.fork().transactional(async em => {
      const transaction = em.getTransactionContext<object>();
      await recordPrunedRows(em, transaction, auditPlanOf(em, Ledger), rows, KEY);
      const q = (name: string) => em.getPlatform().quoteIdentifier(name);
      await allowAuditTableWrites(() => em.getConnection().execute(`delete from ${q(AUDIT_TABLE)} where ${q('_audit_id')} in (${rows.map(row => row.id).join(', ')})`, [], 'run', transaction));
    });
  }

  /** Seals #1 with KEY, then #2 with OTHER_KEY (KEY retired); returns their ids. */
  async function rotated(): Promise<[string, string]> {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    await sealAuditTrail(ctx.orm, { key: KEY });
    await writeMoreHistory(ctx.orm);
    const refused = (await sealAuditTrail(ctx.orm, { key: OTHER_KEY }).catch((e: unknown) => e)) as AuditTrailError;
    expect(refused.code).toBe('AUDIT_SEAL_CONFLICT');
    expect(refused.message).toContain(`it names key id ${KEY.id}, and verify was given key id ${OTHER_KEY.id} (current)`);
    await sealAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    const seals = await ctx.dba.query('select id, key_id from audit_trail_seal order by to_id');
    expect(seals.map(seal => seal.key_id)).toEqual([KEY.id, OTHER_KEY.id]);
    return [String(seals[0]!.id), String(seals[1]!.id)];
  }

  it('after a rotation every seal verifies with the new key and the old one retired; each key alone reports the other\'s seals', async () => {
    const [old, current] = await rotated();
    const result = await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ seals: 'checked', keyId: OTHER_KEY.id, retiredKeyIds: [KEY.id] });
    expect(result.tables[0]!.seals).toBe(2);
    const newAlone = await verifyAuditTrail(ctx.orm, { key: OTHER_KEY });
    expect(brief(newAlone.findings)).toEqual([`forged-seal #${old}`]);
    expect(newAlone.findings[0]!.message).toContain(`it names key id ${KEY.id}, and verify was given key id ${OTHER_KEY.id} (current)`);
    expect(newAlone.findings[0]!.message).toContain('give the replaced key as a retired key');
    const oldAlone = await verifyAuditTrail(ctx.orm, { key: KEY });
    expect(brief(oldAlone.findings)).toEqual([`forged-seal #${current}`]);
  });

  it('reports a seal made with the retired key after a newer key\'s, and refuses to seal on top of it', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    // Sealed with the new key after the rotation; whoever still holds the retired one seals the rows written next.
    await sealAuditTrail(ctx.orm, { key: OTHER_KEY });
    await writeMoreHistory(ctx.orm, 20);
    await sealAuditTrail(ctx.orm, { key: KEY, retiredKeys: [OTHER_KEY] });
    const [, late] = await ctx.dba.query('select id from audit_trail_seal order by to_id');
    const { findings } = await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect(brief(findings)).toEqual([`forged-seal #${String(late!.id)}`]);
    expect(findings[0]!.message).toContain(`was made with the retired key ${KEY.id} after seal #`);
    expect(findings[0]!.message).toContain(`with the newer key ${OTHER_KEY.id}`);
    await writeMoreHistory(ctx.orm, 30);
    const refused = (await sealAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] }).catch((e: unknown) => e)) as AuditTrailError;
    expect(refused.code).toBe('AUDIT_SEAL_CONFLICT');
    expect(refused.message).toContain(`was made with the retired key ${KEY.id}`);
    expect(await ctx.dba.query('select id from audit_trail_seal')).toHaveLength(2);
  });

  it('refuses to seal with the current and retired keys swapped', async () => {
    await rotated();
    await writeMoreHistory(ctx.orm, 20);
    const refused = (await sealAuditTrail(ctx.orm, { key: KEY, retiredKeys: [OTHER_KEY] }).catch((e: unknown) => e)) as AuditTrailError;
    expect(refused.code).toBe('AUDIT_SEAL_CONFLICT');
    expect(refused.message).toContain(`was made with the retired key ${OTHER_KEY.id} after seal #`);
    expect(await ctx.dba.query('select id from audit_trail_seal')).toHaveLength(2);
  });

  it('a third key: the retired keys newest first verify; in the wrong order the middle seal is reported', async () => {
    const [, middle] = await rotated();
    await writeMoreHistory(ctx.orm, 30);
    await sealAuditTrail(ctx.orm, { key: THIRD_KEY, retiredKeys: [OTHER_KEY, KEY] });
    expect((await verifyAuditTrail(ctx.orm, { key: THIRD_KEY, retiredKeys: [OTHER_KEY, KEY] })).findings).toEqual([]);
    const swapped = await verifyAuditTrail(ctx.orm, { key: THIRD_KEY, retiredKeys: [KEY, OTHER_KEY] });
    expect(brief(swapped.findings)).toEqual([`forged-seal #${middle}`]);
    expect(swapped.findings[0]!.message).toContain('the retired keys not newest first');
  });

  it('prune records made with the old key before the rotation verify with it retired; pruning with it after the rotation is refused', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    await sealAuditTrail(ctx.orm, { key: KEY });
    await writeMoreHistory(ctx.orm);
    const pruned = await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: KEY });
    expect(pruned.removed).toBeGreaterThan(0);
    await writeMoreHistory(ctx.orm, 20);
    await sealAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect((await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] })).findings).toEqual([]);
    const records = (await verifyAuditTrail(ctx.orm, { key: OTHER_KEY })).findings.filter(f => f.kind === 'bad-prune-record');
    expect(records).toHaveLength(pruned.removed);
    expect(records[0]!.message).toContain(`names key id ${KEY.id}, and verify was given key id ${OTHER_KEY.id} (current)`);
    await writeMoreHistory(ctx.orm, 30);
    const [rows, recorded] = [(await storedRows(ctx.dba)).length, (await ctx.dba.query('select id from audit_trail_pruned')).length];
    const refused = (await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: KEY }).catch((e: unknown) => e)) as AuditTrailError;
    expect(refused.code).toBe('AUDIT_SEAL_KEY_INVALID');
    expect(refused.message).toContain(`Pruning Ledger's history with key id ${KEY.id} was refused: ledger_audit was sealed with key id ${OTHER_KEY.id} after this key's seals`);
    expect([(await storedRows(ctx.dba)).length, (await ctx.dba.query('select id from audit_trail_pruned')).length]).toEqual([rows, recorded]);
    expect((await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: OTHER_KEY })).removed).toBeGreaterThan(0);
    expect((await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] })).findings).toEqual([]);
  });

  it('reports prune records forged with the retired key for rows written after the first seal with the new key', async () => {
    await rotated();
    const [rotation] = await ctx.dba.query('select id, watermark from audit_trail_seal where key_id = ?', [OTHER_KEY.id]);
    await writeMoreHistory(ctx.orm, 20);
    const [before, after] = partition(await storedRows(ctx.dba), row => row.id <= Number(rotation!.watermark));
    // Whoever holds the retired key deletes rows and writes their prune records, around the prune's key check.
    await forgedPrune([before[1]!, after[0]!]);
    const { findings } = await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect(findings.map(f => [f.kind, f.auditId])).toEqual([['bad-prune-record', String(after[0]!.id)]]);
    expect(findings[0]!.message).toContain(`was made with the retired key ${KEY.id} for a row written after seal #${String(rotation!.id)}`);
  });

  it('the newest rows pruned with the old key before the rotation: the first seal with the new key covers their ids, no finding', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    await sealAuditTrail(ctx.orm, { key: KEY });
    await writeMoreHistory(ctx.orm);
    // Entity 10 deleted, so its D row is the newest audit row; then its whole history pruned, still with the old key.
    await ctx.orm.em.fork().transactional(async em => em.remove(await em.findOneOrFail(Ledger, 10)));
    const newest = (await storedRows(ctx.dba)).at(-1)!;
    await pruneAudit(ctx.orm.em.fork(), Ledger, { olderThan: new Date(Date.now() + 60_000), sealKey: KEY });
    expect((await storedRows(ctx.dba)).map(row => row.id)).not.toContain(newest.id);
    const sealed = await sealAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect(sealed.tables[0]!.sealedTo).toBe(String(newest.id));
    expect((await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] })).findings).toEqual([]);
    await writeMoreHistory(ctx.orm, 20);
    await sealAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect((await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] })).findings).toEqual([]);
  });

  it('a prune record whose key id was changed is reported', async () => {
    await rotated();
    await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: OTHER_KEY });
    const [record] = await ctx.dba.query('select audit_id from audit_trail_pruned order by audit_id');
    await ctx.dba.query('update audit_trail_pruned set key_id = ? where audit_id = ?', [KEY.id, record!.audit_id]);
    const { findings } = await verifyAuditTrail(ctx.orm, { key: OTHER_KEY, retiredKeys: [KEY] });
    expect(findings.map(f => [f.kind, f.auditId])).toEqual([['bad-prune-record', String(record!.audit_id)]]);
    expect(findings[0]!.message).toContain(`does not verify with the key it names (id ${KEY.id})`);
  });

  it('refuses retired keys without the current key, and a key given twice', async () => {
    await expect(verifyAuditTrail(ctx.orm, { retiredKeys: [KEY] })).rejects.toThrow(/Retired seal keys were given without the current one/);
    await expect(verifyAuditTrail(ctx.orm, { key: KEY, retiredKeys: [KEY] })).rejects.toThrow(/is given twice/);
    await expect(sealAuditTrail(ctx.orm, { key: KEY, retiredKeys: [OTHER_KEY, OTHER_KEY] })).rejects.toThrow(/is given twice/);
  });
});
