// History nobody tampered with verifies clean however it came about: pruned with records, trigger-backstop rows,
// several seals, writers committing while a seal is taken.
import { expect, it } from 'vitest';
import { allowAuditTableWrites, sealAuditTrail, verifyAuditTrail, type AuditTrailError } from '../../src/index.js';
import { auditPlanOf } from '../../src/read/auditPlanOf.js';
import { recordPrunedRows } from '../../src/tamper/recordPrunedRows.js';
import { refreshSchema } from '../support/mikro.js';
import { AUDIT_TABLE, KEY, Ledger, OTHER_KEY, describeTamper, middleOfChain, sealedHistory, sealedTo, storedRows, writeFirstHistory, writeMoreHistory, type StoredRow, type TamperContext } from './support/ledger.js';

/** What a prune batch of a tamper-evident table does: records, then deletes, in one transaction. */
async function prune(ctx: TamperContext, rows: readonly StoredRow[]): Promise<void> {
  await ctx.orm.em.fork().transactional(async em => {
    const transaction = em.getTransactionContext<object>();
    await recordPrunedRows(em, transaction, auditPlanOf(em, Ledger), rows, KEY);
    const q = (name: string) => em.getPlatform().quoteIdentifier(name);
    await allowAuditTableWrites(() => em.getConnection().execute(`delete from ${q(AUDIT_TABLE)} where ${q('_audit_id')} in (${rows.map(row => row.id).join(', ')})`, [], 'run', transaction));
  });
}

/** A row as the trigger backstop writes one: no hash, its own transaction id. */
async function backstopRow(ctx: TamperContext, id: number, owner: string): Promise<void> {
  await ctx.dba.query(
    `insert into ${AUDIT_TABLE} (id, owner, amount, _audit_timestamp, _audit_transaction, _audit_change_type) values (?, ?, ?, ?, ?, 'U')`,
    [id, owner, 7, ctx.db.name === 'sqlite' ? Date.now() : new Date(), ctx.db.name === 'mariadb' ? null : '424242'],
  );
}

const expectClean = async (ctx: TamperContext) => {
  const result = await verifyAuditTrail(ctx.orm, { key: KEY });
  expect(result.findings).toEqual([]);
  // In pages of three rows, interleaved transactions fall out of memory and their predecessors are looked up.
  expect((await verifyAuditTrail(ctx.orm, { key: KEY, batchSize: 3 })).findings).toEqual([]);
  return result;
};

describeTamper('untouched history', import.meta.url, ctx => {
  it('pruned with records, in the middle of a sealed chain, before any seal and at the end: no finding', async () => {
    await sealedHistory(ctx.orm);
    const rows = await storedRows(ctx.dba);
    const middle = middleOfChain(rows, await sealedTo(ctx.dba));
    await prune(ctx, [middle]);
    await writeMoreHistory(ctx.orm, 20);
    const unsealed = (await storedRows(ctx.dba)).filter(row => row.id > rows[rows.length - 1]!.id);
    await prune(ctx, [unsealed[0]!]);
    await sealAuditTrail(ctx.orm, { key: KEY });
    const newest = await storedRows(ctx.dba);
    await prune(ctx, newest.slice(-2));
    const result = await expectClean(ctx);
    expect(result.tables[0]).toMatchObject({ prunedRecords: 4, rows: newest.length - 2 });
    const [{ n }] = (await ctx.dba.query(`select count(*) as n from audit_trail_pruned where audit_hash is not null and audit_transaction is not null`)) as [{ n: unknown }];
    expect(Number(n)).toBe(4);
  });

  it('a prune that rolls back leaves no record', async () => {
    await sealedHistory(ctx.orm);
    const [first] = await storedRows(ctx.dba);
    await expect(
      ctx.orm.em.fork().transactional(async em => {
        await recordPrunedRows(em, em.getTransactionContext<object>(), auditPlanOf(em, Ledger), [first!], KEY);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await ctx.dba.query('select * from audit_trail_pruned')).toEqual([]);
    await expect(recordPrunedRows(ctx.orm.em.fork(), undefined, auditPlanOf(ctx.orm.em, Ledger), [first!], KEY)).rejects.toThrow(/must be written in the transaction of the DELETE/);
  });

  it('trigger-backstop rows before and after a seal: listed, not findings; a sealed one changed later is', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    await backstopRow(ctx, 1, 'by trigger');
    await sealAuditTrail(ctx.orm, { key: KEY });
    await writeMoreHistory(ctx.orm);
    await backstopRow(ctx, 4, 'by trigger too');
    const rows = await storedRows(ctx.dba);
    const backstop = rows.filter(row => row.hash === null).map(row => String(row.id));
    expect(backstop).toHaveLength(2);
    const result = await expectClean(ctx);
    expect(result.tables[0]).toMatchObject({ backstopRows: 2, backstopIds: backstop });
    await sealAuditTrail(ctx.orm, { key: KEY });
    await expectClean(ctx);
    await ctx.dba.query(`update ${AUDIT_TABLE} set owner = 'mallory' where _audit_id = ?`, [backstop[0]]);
    const { findings } = await verifyAuditTrail(ctx.orm, { key: KEY });
    expect(findings.map(f => [f.kind, f.auditId])).toEqual([['changed', backstop[0]]]);
  });

  it('writers committing on their own connections while seals are taken: every seal and chain verifies', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    let running = true;
    const commits = [0, 0];
    // Resolved by each commit. Not a timer: on MikroORM 7's synchronous SQLite driver the writers never yield to
    // the event loop, so a timer would never fire and the writers would never stop.
    let committed = () => {};
    const writer = async (offset: number, slot: number) => {
      for (let i = 0; running; i++) {
        await ctx.orm.em.fork().transactional(async em => {
          em.create(Ledger, { id: offset + i, owner: `writer ${offset}`, amount: i });
          (await em.findOneOrFail(Ledger, 1)).amount = offset + i;
        });
        commits[slot]!++;
        committed();
      }
    };
    const writers = [writer(1_000, 0), writer(100_000, 1)];
    const seals = [];
    for (let i = 0; i < 5; i++) {
      // A writer's transaction number n + 2 began after the seal before returned, so this seal has new rows to cover.
      const seen = [...commits];
      while (commits.every((count, slot) => count < seen[slot]! + 2)) {
        await new Promise<void>(resolve => (committed = resolve));
      }
      seals.push(await sealAuditTrail(ctx.orm, { key: KEY }));
    }
    running = false;
    await Promise.all(writers);
    await sealAuditTrail(ctx.orm, { key: KEY });
    expect(seals.map(seal => seal.tables[0]!.seals > 0)).toEqual([true, true, true, true, true]);
    const result = await expectClean(ctx);
    expect(result.tables[0]!.seals).toBeGreaterThanOrEqual(5);
    expect(result.tables[0]!.sealedTo).toBe(String((await storedRows(ctx.dba)).at(-1)!.id));
  });

  it('a long history sealed in several segments; a row changed in the middle one is named with its seal', async () => {
    await refreshSchema(ctx.orm);
    for (let start = 0; start < 36_000; start += 12_000) {
      await ctx.orm.em.fork().transactional(em => {
        for (let id = start + 1; id <= start + 12_000; id++) {
          em.create(Ledger, { id, owner: `bulk ${id}`, amount: id });
        }
      });
    }
    const result = await sealAuditTrail(ctx.orm, { key: KEY });
    // MariaDB takes auto-increment ids for INSERT … SELECT in blocks: ids have gaps there.
    const rows = await storedRows(ctx.dba);
    expect(result.tables[0]).toMatchObject({ seals: 3, rows: 36_000, sealedTo: String(rows.at(-1)!.id) });
    await expectClean(ctx);
    const segments = await ctx.dba.query('select id, from_id, to_id, row_count from audit_trail_seal order by to_id');
    expect(segments.map(s => Number(s.row_count))).toEqual([15_000, 15_000, 6_000]);
    const changed = rows[20_000]!.id;
    await ctx.dba.query(`update ${AUDIT_TABLE} set amount = -1 where _audit_id = ?`, [changed]);
    const { findings } = await verifyAuditTrail(ctx.orm, { key: KEY });
    expect(findings.map(f => [f.kind, f.auditId, f.sealId])).toEqual([['changed', String(changed), String(segments[1]!.id)]]);
  });

  it('seals nothing new when nothing was written, and refuses to seal on a seal the key does not verify', async () => {
    await sealedHistory(ctx.orm);
    await sealAuditTrail(ctx.orm, { key: KEY });
    expect((await sealAuditTrail(ctx.orm, { key: KEY })).tables[0]).toMatchObject({ seals: 0, rows: 0 });
    const error = (await sealAuditTrail(ctx.orm, { key: OTHER_KEY }).catch((e: unknown) => e)) as AuditTrailError;
    expect(error.code).toBe('AUDIT_SEAL_CONFLICT');
    expect(error.message).toContain(`The seals of ${AUDIT_TABLE} do not all verify with the keys given (key id ${OTHER_KEY.id} (current))`);
    expect(error.message).toContain(`it names key id ${KEY.id}`);
    expect(error.message).toContain('give the replaced key as a retired key');
    expect(error.message).toContain('Run verify to see every finding before sealing.');
  });
});
