// A prune (with the key, as documented) that commits while a seal or a verify is reading the audit table on other
// connections. Nothing is tampered with; every removed row is recorded. Seal and verify read rows and prune records
// with separate statements (rowsById merges two keyset streams): without one snapshot, a row deleted and recorded
// between the records read and the rows read was seen by neither, and the seal committed to a history without it
// (found by review). On SQLite the prune, a writer, waits for the reading transaction to end.
import { MikroORM, type Options } from '@mikro-orm/core';
import { expect, it } from 'vitest';
import { pruneAudit, sealAuditTrail, verifyAuditTrail, withAuditTrail } from '../../src/index.js';
import { KEY, Ledger, describeTamper, sealedHistory, storedRows } from './support/ledger.js';
import { refreshSchema } from '../support/mikro.js';

const brief = (findings: readonly { kind: string; auditId: string }[]) => findings.map(f => `${f.kind} ${f.auditId}`);

/** Many versions of rows 1 and 4: 40 transactions after the fixture. */
async function longHistory(orm: MikroORM): Promise<void> {
  await refreshSchema(orm);
  await sealedHistory(orm);
  for (let i = 0; i < 40; i++) {
    await orm.em.fork().transactional(async em => {
      (await em.findOneOrFail(Ledger, 1)).amount = 1000 + i;
      (await em.findOneOrFail(Ledger, 4)).amount = 2000 + i;
    });
  }
}

/**
 * A second ORM on the same database (the operator's process), whose `n`th read of the audit table first lets
 * `meanwhile` run to its end (on SQLite, where it would wait for that read's transaction, only starts it).
 */
async function operatorOrm(config: Options, n: number, meanwhile: () => Promise<unknown>, sqlite: boolean): Promise<{ orm: MikroORM; started: Promise<unknown>[] }> {
  const orm = await MikroORM.init(withAuditTrail({ ...config, entities: [Ledger], allowGlobalContext: true } as Options, { tamperEvidence: true }));
  const connection = orm.em.getConnection('write') as unknown as { executeQuery: (sql: string, run: () => Promise<unknown>, context?: object) => Promise<unknown> };
  const original = connection.executeQuery.bind(connection);
  let reads = 0;
  const started: Promise<unknown>[] = [];
  connection.executeQuery = async (sql, run, context) => {
    if (/from [`"]?ledger_audit[`"]?/.test(sql) && /order by [`"]?_audit_id[`"]? limit/.test(sql) && ++reads === n) {
      const done = meanwhile();
      started.push(done);
      if (!sqlite) {
        await done;
      }
    }
    return original(sql, run, context);
  };
  return { orm, started };
}

describeTamper('a prune committing while the audit table is sealed or verified', import.meta.url, ctx => {
  it('a seal taken while a prune commits: verify afterwards finds nothing', async () => {
    await longHistory(ctx.orm);
    const before = (await storedRows(ctx.dba)).length;
    let removed = 0;
    const operator = await operatorOrm(
      ctx.config,
      2,
      async () => {
        removed = (await pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: KEY })).removed;
      },
      ctx.db.name === 'sqlite',
    );
    try {
      await sealAuditTrail(operator.orm, { key: KEY, batchSize: 10 });
      expect(operator.started).toHaveLength(1);
      await Promise.all(operator.started);
    } finally {
      await operator.orm.close(true);
    }
    expect(removed).toBeGreaterThan(20);
    expect((await storedRows(ctx.dba)).length).toBe(before - removed);
    const { findings } = await verifyAuditTrail(ctx.orm, { key: KEY });
    expect(brief(findings)).toEqual([]);
  });

  it('a verify running while a prune commits: no finding', async () => {
    await longHistory(ctx.orm);
    await sealAuditTrail(ctx.orm, { key: KEY });
    const operator = await operatorOrm(ctx.config, 2, () => pruneAudit(ctx.orm.em.fork(), Ledger, { keepLast: 1, sealKey: KEY }), ctx.db.name === 'sqlite');
    try {
      const { findings } = await verifyAuditTrail(operator.orm, { key: KEY, batchSize: 10 });
      expect(brief(findings)).toEqual([]);
      expect(operator.started).toHaveLength(1);
      await Promise.all(operator.started);
    } finally {
      await operator.orm.close(true);
    }
    expect(brief((await verifyAuditTrail(ctx.orm, { key: KEY })).findings)).toEqual([]);
  });
});
