// Tampering that needs a free id inside history: PostgreSQL sequences and InnoDB auto-increment leave gaps where
// a transaction rolled back (SQLite reuses the next rowid, so it has none). A transaction that spans such a gap
// gets a forged row squeezed into its chain.
import { beforeEach, expect, it } from 'vitest';
import { sealAuditTrail, verifyAuditTrail } from '../../src/index.js';
import { forgeRow } from './support/attacker.js';
import { AUDIT_TABLE, KEY, Ledger, describeTamper, storedRows, writeFirstHistory, type StoredRow, type TamperContext } from './support/ledger.js';
import { refreshSchema } from '../support/mikro.js';

/** A transaction whose audit rows lie on both sides of a gap left by another transaction that rolled back. */
async function transactionAroundGap(ctx: TamperContext): Promise<{ before: StoredRow; gap: number; after: StoredRow }> {
  await ctx.orm.em.fork().transactional(async em => {
    em.create(Ledger, { id: 50, owner: 'spans a gap', amount: 1 });
    await em.flush();
    await ctx.orm.em
      .fork()
      .transactional(async other => {
        other.create(Ledger, { id: 60, owner: 'rolled back', amount: 1 });
        await other.flush();
        throw new Error('roll back');
      })
      .catch(() => undefined);
    (await em.findOneOrFail(Ledger, 50)).amount = 2;
  });
  const rows = await storedRows(ctx.dba);
  const spanning = rows.filter(row => row.tx === rows.at(-1)!.tx);
  const [before, after] = [spanning[0]!, spanning[1]!];
  expect(after.id - before.id).toBeGreaterThan(1);
  return { before, gap: before.id + 1, after };
}

describeTamper('tampering into gaps of the id sequence', import.meta.url, ctx => {
  const findingsOf = async () => (await verifyAuditTrail(ctx.orm, { key: KEY })).findings.map(f => ({ kind: f.kind, auditId: Number(f.auditId), related: f.relatedIds?.map(Number) }));
  let around: { before: StoredRow; gap: number; after: StoredRow };

  beforeEach(async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    around = await transactionAroundGap(ctx);
  });

  it('forged row squeezed into a sealed chain, with a correct hash: inserted, the row after it related', async () => {
    await sealAuditTrail(ctx.orm, { key: KEY });
    expect(await findingsOf()).toEqual([]);
    await forgeRow(ctx.dba, ctx.db.name, around.before, { amount: 99 }, around.gap);
    expect(await findingsOf()).toEqual([{ kind: 'inserted', auditId: around.gap, related: [around.after.id] }]);
  });

  it('forged row squeezed into a chain newer than every seal: the chain alone names it inserted', async () => {
    await forgeRow(ctx.dba, ctx.db.name, around.before, { amount: 99 }, around.gap);
    expect(await findingsOf()).toEqual([{ kind: 'inserted', auditId: around.gap, related: [around.after.id] }]);
  });

  it('_audit_id moved into the gap, chain order kept: the seal names both ids', async () => {
    await sealAuditTrail(ctx.orm, { key: KEY });
    await ctx.dba.query(`update ${AUDIT_TABLE} set _audit_id = ? where _audit_id = ?`, [around.gap, around.before.id]);
    expect(await findingsOf()).toEqual([
      { kind: 'removed', auditId: around.before.id, related: undefined },
      { kind: 'inserted', auditId: around.gap, related: undefined },
    ]);
  });
}, {}, ['postgresql', 'mariadb']);
