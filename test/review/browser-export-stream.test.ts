// Review of issue 13: the export streams (the server reads batches only as the client takes them), and a client that
// goes away mid-download neither crashes the server nor keeps it reading, nor holds a connection.
import { request, type Server } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBrowser, auditContext } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, Person } from '../browser/support/entities.js';
import { close, listen, parseCsv } from '../browser/support/server.js';

const ROWS = 20_000;
const BATCHES = ROWS / 500;

describeOnEachDatabase('history browser export streaming', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  let server: Server | undefined;
  let url = '';
  beforeAll(async () => {
    const em = ctx.t.orm.em.fork();
    for (let start = 0; start < ROWS; start += 2000) {
      await auditContext.run({ user: 'bulk', origin: 'api' } as never, async () => {
        for (let id = start + 1; id <= start + 2000; id++) {
          em.create(Person, { id, name: `${'x'.repeat(440)} ${id}`, note: '=1+1' });
        }
        await em.flush();
      });
      em.clear();
    }
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: () => true })));
  }, 240_000);
  afterAll(() => close(server));

  const batchesRead = () => ctx.t.queries.filter(q => /from [`"]person_audit[`"]/.test(q) && /desc limit/.test(q)).length;
  const open = (query: string) =>
    new Promise<{ res: IncomingMessage; abort: () => void }>((resolve, reject) => {
      const req = request(`${url}/${query}`, res => resolve({ res, abort: () => req.destroy() }));
      req.on('error', reject);
      req.end();
    });
  const firstChunk = (res: IncomingMessage) => new Promise<Buffer>(resolve => res.once('data', chunk => {
    res.pause();
    resolve(chunk as Buffer);
  }));

  it('sends the first rows before it read the last batch, and stops reading while the client does not take them', async () => {
    ctx.t.reset();
    const { res } = await open('?view=export&entity=Person&format=csv');
    expect(res.statusCode).toBe(200);
    const first = await firstChunk(res);
    expect(first.toString()).toContain('_audit_id');
    await sleep(1500);
    const whilePaused = batchesRead();
    expect(whilePaused).toBeLessThan(BATCHES);
    const chunks: Buffer[] = [first];
    res.on('data', chunk => chunks.push(chunk as Buffer));
    res.resume();
    await new Promise(resolve => res.on('end', resolve));
    const rows = parseCsv(Buffer.concat(chunks).toString());
    expect(rows.length).toBe(ROWS + 1);
    const ids = rows.slice(1).map(r => Number(r[0]));
    expect(new Set(ids).size).toBe(ROWS);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(rows[1]).toContain("'=1+1");
    expect(batchesRead()).toBe(BATCHES + 1);
  }, 120_000);

  it('stops reading when the client goes away mid-download, releases its connections and keeps serving', async () => {
    const downloads = await Promise.all(Array.from({ length: 15 }, () => open('?view=export&entity=Person&format=json')));
    await Promise.all(downloads.map(d => firstChunk(d.res)));
    ctx.t.reset();
    for (const d of downloads) {
      d.abort();
    }
    // Batches already asked for may finish; then nothing more is read (to the end would be 15 x 40 batches).
    await sleep(2000);
    const afterAbort = batchesRead();
    await sleep(1000);
    expect(batchesRead()).toBe(afterAbort);
    expect(afterAbort).toBeLessThan(15 * 3);
    // The pool is not held by the aborted downloads: pages and a whole export still answer.
    const page = await fetch(`${url}/?view=history&entity=Person&key=1`);
    expect(page.status).toBe(200);
    const whole = await fetch(`${url}/?view=export&entity=Person&format=json&field=_audit_actor&value=bulk`);
    expect((JSON.parse(await whole.text()) as unknown[]).length).toBe(ROWS);
  }, 120_000);
});
