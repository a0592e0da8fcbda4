// Review of issue 12: Express, auditMiddleware before body parsing, slow chunked bodies of 100 distinct users at
// once, every other request failing after its first write; and a nested reason-only context inside a request.
import { request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { auditContext, auditMiddleware } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { createTestOrm, type TestOrm } from '../support/orm.js';
import { Memo, MemoAudit, memoLifecycle, recordedActor } from '../integrations/support/memo.js';

const sqlite = DATABASES.find(db => db.name === 'sqlite')!;

function slowPost(url: string, user: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'x-user': user, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    void (async () => {
      for (const ch of body) {
        req.write(ch);
        await sleep(Math.random() * 3);
      }
      req.end();
    })();
  });
}

describe('Express concurrency with body parsing after auditMiddleware', () => {
  let t: TestOrm;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    t = await createTestOrm(sqlite, dbNameFor(import.meta.url), { entities: [Memo] });
    const app = express();
    app.use(auditMiddleware((req: express.Request) => req.get('x-user') ?? null));
    app.use(express.json());
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Express 4 handlers may be async; errors go to next()
    app.post('/lifecycle', async (req, res, next) => {
      try {
        const { owner, fail } = req.body as { owner: string; fail: boolean };
        await memoLifecycle(t.orm.em.fork(), owner);
        if (fail) throw new Error('boom');
        res.status(201).end();
      } catch (error) {
        next(error);
      }
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Express 4 handlers may be async
    app.post('/nested', async (req, res) => {
      const em = t.orm.em.fork();
      em.create(Memo, { owner: (req.body as { owner: string }).owner, text: 'bulk' });
      await auditContext.run({ reason: 'bulk import' }, () => em.flush());
      res.status(201).end();
    });
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express tells error handlers by their four parameters
    app.use((_e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(500).end());
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.orm.close(true);
  });

  it('attributes every row of 100 concurrent slow-body requests to its user, failing or not', async () => {
    const users = Array.from({ length: 100 }, (_, i) => `user-${i}`);
    const statuses = await Promise.all(users.map((user, i) => slowPost(`${url}/lifecycle`, user, JSON.stringify({ owner: user, fail: i % 2 === 1 }))));
    expect(statuses).toEqual(users.map((_, i) => (i % 2 ? 500 : 201)));
    const rows = await t.orm.em.fork().find(MemoAudit, {});
    expect(rows).toHaveLength(300);
    expect(rows.filter(row => recordedActor(row) !== row.owner)).toEqual([]);
  });

  it('keeps the request user when the handler adds a reason with a nested auditContext.run({ reason })', async () => {
    expect(await slowPost(`${url}/nested`, 'nina', JSON.stringify({ owner: 'nina' }))).toBe(201);
    const [row] = await t.orm.em.fork().find(MemoAudit, { owner: 'nina' } as never);
    expect([row?._audit_actor, row?._audit_reason]).toEqual(['nina', 'bulk import']);
  });
});
