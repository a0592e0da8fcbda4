// `verify --seal` seals what it verified: the watermarks are read before verify starts reading, and the seal stops
// at them, so rows committed while verify runs are left to the next seal instead of being vouched for unread.
import { expect, it } from 'vitest';
import { readSealWatermarks, sealAuditTrail, verifyAuditTrail } from '../../src/index.js';
import { refreshSchema } from '../support/mikro.js';
import { AUDIT_TABLE, KEY, describeTamper, storedRows, writeFirstHistory, writeMoreHistory } from './support/ledger.js';

describeTamper('sealing up to watermarks read earlier', import.meta.url, ctx => {
  it('seals up to the given watermark only; the next seal covers the rest', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    const watermarks = await readSealWatermarks(ctx.orm);
    const firstLast = (await storedRows(ctx.dba)).at(-1)!.id;
    expect(watermarks.get(AUDIT_TABLE)).toBe(BigInt(firstLast));
    // Written after the watermarks were read (while verify would be reading).
    await writeMoreHistory(ctx.orm);
    const sealed = await sealAuditTrail(ctx.orm, { key: KEY, watermarks });
    expect(sealed.tables.map(t => [t.table, t.sealedTo])).toEqual([[AUDIT_TABLE, String(firstLast)]]);
    expect((await verifyAuditTrail(ctx.orm, { key: KEY })).findings).toEqual([]);
    const next = await sealAuditTrail(ctx.orm, { key: KEY });
    expect(next.tables[0]!.sealedTo).toBe(String((await storedRows(ctx.dba)).at(-1)!.id));
    expect(next.tables[0]!.rows).toBeGreaterThan(0);
    const report = await verifyAuditTrail(ctx.orm, { key: KEY });
    expect(report.findings).toEqual([]);
    expect(report.tables[0]!.sealedTo).toBe(next.tables[0]!.sealedTo);
  });
});
