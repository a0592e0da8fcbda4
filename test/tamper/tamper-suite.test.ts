// Each kind of tampering a database administrator can do with raw SQL, on sealed history with newer rows after
// the seal: verify names the kind and the right _audit_id, and nothing else.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { sealAuditTrail, verifyAuditTrail, type Finding } from '../../src/index.js';
import { runInProcess } from '../cli/support/captureIo.js';
import { forgeRow, recomputeChain } from './support/attacker.js';
import { AUDIT_TABLE, KEY, OTHER_KEY, describeTamper, middleOfChain, sealedHistory, sealedTo, storedRows, writeMoreHistory } from './support/ledger.js';

const brief = (findings: readonly Finding[]) => findings.map(f => ({ kind: f.kind, auditId: Number(f.auditId), ...(f.lastAuditId && { lastAuditId: Number(f.lastAuditId) }) }));
const keyFile = join(tmpdir(), `tamper-suite-${process.pid}.key`);
writeFileSync(keyFile, `${'5e'.repeat(32)}\n`);

describeTamper('tampering with raw SQL', import.meta.url, ctx => {
  // Verifies through the API and through the command line, which must agree: exit 1 with the same findings.
  const verify = async (key = KEY) => {
    const result = await verifyAuditTrail(ctx.orm, { key });
    // Pages of two rows: chains cross pages, and transactions fall out of memory and are looked up again.
    const paged = await verifyAuditTrail(ctx.orm, { key, batchSize: 2 });
    expect(brief(paged.findings)).toEqual(brief(result.findings));
    if (key === KEY) {
      const cli = await runInProcess(ctx.orm, ['verify', '--json', '--key-file', keyFile]);
      expect(cli.status, cli.stderr).toBe(result.findings.length > 0 ? 1 : 0);
      expect(brief((JSON.parse(cli.stdout) as { findings: Finding[] }).findings)).toEqual(brief(result.findings));
    }
    return result;
  };

  beforeEach(() => sealedHistory(ctx.orm));

  it('finds nothing on untouched history, with every row chained and sealed up to the seal', async () => {
    const result = await verify();
    expect(result.findings).toEqual([]);
    expect(result.seals).toBe('checked');
    const [table] = result.tables;
    const rows = await storedRows(ctx.dba);
    expect(table).toMatchObject({ table: AUDIT_TABLE, entity: 'Ledger', rows: rows.length, seals: 1, backstopRows: 0, sealedTo: String(await sealedTo(ctx.dba)) });
    expect(rows.every(row => row.hash?.length === 64)).toBe(true);
  });

  it('changed column: names the row', async () => {
    const row = middleOfChain(await storedRows(ctx.dba), await sealedTo(ctx.dba));
    await ctx.dba.query(`update ${AUDIT_TABLE} set amount = 999999 where _audit_id = ?`, [row.id]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'changed', auditId: row.id }]);
    expect(findings[0]!.message).toMatch(new RegExp(`^Row ${row.id} does not fit`));
  });

  it('changed column with its hash and the rest of its chain recomputed: names the row, the rest as related', async () => {
    const rows = await storedRows(ctx.dba);
    const row = middleOfChain(rows, await sealedTo(ctx.dba));
    await ctx.dba.query(`update ${AUDIT_TABLE} set owner = 'mallory' where _audit_id = ?`, [row.id]);
    await recomputeChain(ctx.dba, ctx.db.name, row.id, { rest: true });
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'changed', auditId: row.id }]);
    const later = rows.filter(other => other.tx === row.tx && other.id > row.id).map(other => String(other.id));
    expect(findings[0]!.relatedIds).toEqual(later);
    expect(findings[0]!.message).toMatch(/differs from the one seal #\d+ recorded: it was changed and its hash recomputed/);
  });

  it('changed column with only its own hash recomputed: names the row and the next one, whose link fails', async () => {
    const rows = await storedRows(ctx.dba);
    const row = middleOfChain(rows, await sealedTo(ctx.dba));
    await ctx.dba.query(`update ${AUDIT_TABLE} set amount = amount + 1 where _audit_id = ?`, [row.id]);
    await recomputeChain(ctx.dba, ctx.db.name, row.id, { rest: false });
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'changed', auditId: row.id }]);
    const next = rows.find(other => other.tx === row.tx && other.id > row.id)!;
    expect(findings[0]!.relatedIds).toContain(String(next.id));
  });

  it('changed row newer than the seal, its hash recomputed: the next row of its chain names both', async () => {
    await writeMoreHistory(ctx.orm, 20);
    const rows = await storedRows(ctx.dba);
    const sealed = await sealedTo(ctx.dba);
    const chain = rows.filter(row => row.id > sealed && rows.filter(other => other.tx === row.tx).length >= 2);
    const [row, next] = [chain[0]!, chain.find(other => other.tx === chain[0]!.tx && other.id > chain[0]!.id)!];
    await ctx.dba.query(`update ${AUDIT_TABLE} set owner = 'mallory' where _audit_id = ?`, [row.id]);
    await recomputeChain(ctx.dba, ctx.db.name, row.id, { rest: false });
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'changed', auditId: next.id }]);
    expect(findings[0]!.relatedIds).toEqual([String(row.id)]);
    expect(findings[0]!.message).toContain(`row ${row.id} was changed and its hash recomputed`);
  });

  it('deleted middle row: removed, and the chain break it causes is not a second finding', async () => {
    const row = middleOfChain(await storedRows(ctx.dba), await sealedTo(ctx.dba));
    await ctx.dba.query(`delete from ${AUDIT_TABLE} where _audit_id = ?`, [row.id]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'removed', auditId: row.id }]);
    expect(findings[0]!.relatedIds).toHaveLength(1);
  });

  it('deleted newest rows, sealed ones included: a removed tail from the first of them to the sealed end', async () => {
    const to = await sealedTo(ctx.dba);
    await ctx.dba.query(`delete from ${AUDIT_TABLE} where _audit_id >= ?`, [to - 2]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'removed-tail', auditId: to - 2, lastAuditId: to }]);
    expect(findings[0]!.message).toMatch(/the end of history was removed/);
  });

  it('forged row appended to a sealed transaction, with the hash that continues its chain: inserted', async () => {
    const rows = await storedRows(ctx.dba);
    const model = middleOfChain(rows, await sealedTo(ctx.dba));
    const forged = await forgeRow(ctx.dba, ctx.db.name, model, { amount: 1 });
    expect(forged).toBeGreaterThan(rows[rows.length - 1]!.id);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'inserted', auditId: forged }]);
    expect(findings[0]!.message).toMatch(/had ended when the seal was made/);
  });

  it('seal deleted: the next seal names the ids that lost their seal', async () => {
    const first = await sealedTo(ctx.dba);
    await sealAuditTrail(ctx.orm, { key: KEY });
    const second = await sealedTo(ctx.dba);
    await writeMoreHistory(ctx.orm, 30);
    await sealAuditTrail(ctx.orm, { key: KEY });
    await ctx.dba.query(`delete from audit_trail_seal where to_id = ?`, [second]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'forged-seal', auditId: first + 1, lastAuditId: second }]);
    expect(findings[0]!.message).toMatch(/were deleted/);
  });

  it("seal's digest edited: forged seal", async () => {
    await ctx.dba.query(`update audit_trail_seal set digest = ? where audit_table = ?`, ['0'.repeat(64), AUDIT_TABLE]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'forged-seal', auditId: 1, lastAuditId: await sealedTo(ctx.dba) }]);
    expect(findings[0]!.message).toMatch(/does not verify with the key .*changed after it was made/);
  });

  it('forged prune record for a deleted row: a bad prune record, and no removal hidden', async () => {
    const row = middleOfChain(await storedRows(ctx.dba), await sealedTo(ctx.dba));
    await ctx.dba.query(`delete from ${AUDIT_TABLE} where _audit_id = ?`, [row.id]);
    await ctx.dba.query(
      `insert into audit_trail_pruned (pruned_at, audit_table, audit_id, audit_transaction, audit_hash, backstop_hash, key_id, mac) values (?, ?, ?, ?, ?, null, ?, ?)`,
      [ctx.db.name === 'sqlite' ? Date.now() : new Date(), AUDIT_TABLE, row.id, row.tx, row.hash, KEY.id, 'f'.repeat(64)],
    );
    const { findings } = await verify();
    expect(brief(findings)).toEqual([{ kind: 'bad-prune-record', auditId: row.id }]);
  });

  it('_audit_id changed: the old id is removed and the new one inserted', async () => {
    const rows = await storedRows(ctx.dba);
    const row = middleOfChain(rows, await sealedTo(ctx.dba));
    const moved = rows[rows.length - 1]!.id + 50;
    await ctx.dba.query(`update ${AUDIT_TABLE} set _audit_id = ? where _audit_id = ?`, [moved, row.id]);
    const { findings } = await verify();
    expect(brief(findings)).toEqual([
      { kind: 'removed', auditId: row.id },
      { kind: 'inserted', auditId: moved },
    ]);
  });

  it('a wrong key: every seal is reported, naming both key ids', async () => {
    await writeMoreHistory(ctx.orm, 40);
    await sealAuditTrail(ctx.orm, { key: KEY });
    const { findings } = await verify(OTHER_KEY);
    expect(findings.map(f => f.kind)).toEqual(['forged-seal', 'forged-seal']);
    expect(findings[0]!.message).toContain(`names key id ${KEY.id}, and verify was given key id ${OTHER_KEY.id} (current)`);
  });

  it('without a key: chains only, seals not checked', async () => {
    const row = middleOfChain(await storedRows(ctx.dba), await sealedTo(ctx.dba));
    await ctx.dba.query(`update audit_trail_seal set digest = ?`, ['0'.repeat(64)]);
    await ctx.dba.query(`update ${AUDIT_TABLE} set amount = 5 where _audit_id = ?`, [row.id]);
    const result = await verifyAuditTrail(ctx.orm);
    expect(result.seals).toBe('not-checked');
    expect(brief(result.findings)).toEqual([{ kind: 'changed', auditId: row.id }]);
  });
});
