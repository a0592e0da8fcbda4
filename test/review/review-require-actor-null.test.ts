// Review of issue 12: requireActor: 'error' is meant to make "the NestJS mistake" (a global auditMiddleware that
// runs before the guard sets request.user) loud. The integrations' default resolvers turn a missing request user
// into an explicit `user: null`, which requireActor accepts as "a change no user made": the mistake stays silent.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import express from 'express';
import Koa from 'koa';
import Fastify from 'fastify';
import { RequestContext } from '@mikro-orm/core';
import { auditMiddleware } from '../../src/index.js';
import { auditTrailKoa } from '../../src/integrations/koa/index.js';
import { auditTrailFastify } from '../../src/integrations/fastify/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { createTestOrm, type TestOrm } from '../support/orm.js';
import { bearer, verifyBearer } from '../integrations/support/bearer.js';
import { Memo, MemoAudit, actorModuleOptions } from '../integrations/support/memo.js';
import { startNestApp, type NestTestApp } from '../integrations/support/nestApp.js';

const sqlite = DATABASES.find(db => db.name === 'sqlite')!;
const servers: Server[] = [];
const orms: TestOrm[] = [];
afterAll(async () => {
  servers.forEach(server => server.close());
  await Promise.all(orms.map(t => t.orm.close(true)));
});

async function freshOrm(): Promise<TestOrm> {
  const t = await createTestOrm(sqlite, dbNameFor(import.meta.url), { entities: [Memo] }, { requireActor: 'error' });
  orms.push(t);
  return t;
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: bearer({ id: 'alice', name: 'Alice' }) } });
  return response.status;
}

async function rows(t: TestOrm): Promise<unknown[]> {
  return (await t.orm.em.fork().find(MemoAudit, {})).map(row => row._audit_actor);
}

describe("requireActor: 'error' and the integrations' default context", () => {
  it('Express: auditMiddleware() mounted before authentication (the ordering mistake) must not write NULL-actor rows', async () => {
    const t = await freshOrm();
    const app = express();
    app.use((_req, _res, next) => RequestContext.create(t.orm.em, next));
    app.use(auditMiddleware()); // mounted one line too early
    app.use((req, _res, next) => {
      (req as { user?: unknown }).user = verifyBearer(req.get('authorization'));
      next();
    });
    app.post('/memos', (_req, res, next) => {
      const em = t.orm.em.fork();
      em.create(Memo, { owner: 'alice', text: 'x' });
      em.flush().then(() => res.status(201).end(), next);
    });
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express tells error handlers by their four parameters
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(500).end());
    const url = await listen(app.listen(0, '127.0.0.1'));
    const status = await post(`${url}/memos`);
    // Observed: 201 and one audit row with _audit_actor NULL, no error, no warning.
    expect({ status, actors: await rows(t) }).toEqual({ status: 500, actors: [] });
  });

  it('Koa: auditTrailKoa() before the authentication middleware must not write NULL-actor rows', async () => {
    const t = await freshOrm();
    const app = new Koa<{ user?: unknown }>();
    app.silent = true;
    app.use(auditTrailKoa());
    app.use(async (ctx, next) => {
      ctx.state.user = verifyBearer(ctx.get('authorization'));
      await next();
    });
    app.use(async ctx => {
      const em = t.orm.em.fork();
      em.create(Memo, { owner: 'alice', text: 'x' });
      await em.flush();
      ctx.status = 201;
    });
    const url = await listen(app.listen(0, '127.0.0.1'));
    const status = await post(`${url}/memos`);
    expect({ status, actors: await rows(t) }).toEqual({ status: 500, actors: [] });
  });

  it("Fastify: auditTrailFastify with hook 'onRequest' registered before a preHandler auth hook must not write NULL-actor rows", async () => {
    const t = await freshOrm();
    const app = Fastify();
    await app.register(auditTrailFastify, { hook: 'onRequest' });
    app.addHook('preHandler', (request, _reply, done) => {
      (request as { user?: unknown }).user = verifyBearer(request.headers.authorization);
      done();
    });
    app.post('/memos', async (_request, reply) => {
      const em = t.orm.em.fork();
      em.create(Memo, { owner: 'alice', text: 'x' });
      await em.flush();
      return reply.status(201).send();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = await listen(app.server);
    const status = await post(`${url}/memos`);
    await app.close();
    expect({ status, actors: await rows(t) }).toEqual({ status: 500, actors: [] });
  });
});

describe("requireActor: 'error' in NestJS with the issue's global auditMiddleware", () => {
  let nest: NestTestApp | undefined;
  afterAll(async () => nest?.app.close());

  it('app.use(auditMiddleware()) runs before the guard: the write must be refused, not recorded with a NULL actor', async () => {
    Object.assign(actorModuleOptions, { requireActor: 'error' });
    nest = await startNestApp(sqlite, `${dbNameFor(import.meta.url)}_nest`, { beforeListen: app => app.use(auditMiddleware()) });
    const response = await fetch(`${nest.url}/memos`, {
      method: 'POST',
      headers: { authorization: bearer({ id: 'alice', name: 'Alice' }), 'content-type': 'application/json' },
      body: JSON.stringify({ owner: 'alice', text: 'x' }),
    });
    const actors = (await nest.orm.em.fork().find(MemoAudit, {})).map(row => row._audit_actor);
    // Observed: 201 and [null] — exactly the silent loss requireActor was added to prevent.
    expect({ status: response.status, actors }).toEqual({ status: 500, actors: [] });
  });
});
