import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import Koa from 'koa';
import type { MikroORM } from '@mikro-orm/core';
import { allowAuditTableWrites, auditMiddleware, AuditTrailError } from '../../src/index.js';
import { auditTrailKoa } from '../../src/integrations/koa/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { bearer, verifyBearer, type TokenUser } from './support/bearer.js';
import { concurrentLifecycles } from './support/load.js';
import { Memo, MemoAudit, actorModuleOptions, memoLifecycle, recordedActor } from './support/memo.js';

interface State {
  user?: TokenUser;
}

const servers: Server[] = [];

async function readJson(ctx: Koa.Context): Promise<{ owner: string }> {
  let text = '';
  for await (const chunk of ctx.req) {
    text += String(chunk);
  }
  return JSON.parse(text) as { owner: string };
}

/**
 * A Koa application as koa-jwt sets one up: middleware that verifies the bearer token and sets ctx.state.user, then
 * the audit middleware under test, then routes that read a JSON body and write through a fork of the ORM.
 */
async function startKoa(orm: MikroORM, audit: Koa.Middleware<State>, errors: unknown[] = []): Promise<string> {
  const app = new Koa<State>();
  app.silent = true;
  app.on('error', (error: unknown) => errors.push(error));
  app.use(async (ctx, next) => {
    const user = verifyBearer(ctx.get('authorization'));
    if (!user) {
      ctx.status = 401;
      return;
    }
    ctx.state.user = user;
    await next();
  });
  app.use(audit);
  app.use(async ctx => {
    const { owner } = await readJson(ctx);
    const em = orm.em.fork();
    if (ctx.path === '/memos/lifecycle') {
      await memoLifecycle(em, owner);
    } else {
      em.create(Memo, { owner, text: 'draft' });
      await em.flush();
    }
    ctx.status = 201;
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (url: string, user: TokenUser, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { authorization: bearer(user), 'content-type': 'application/json', ...headers }, body: JSON.stringify({ owner: user.id }) });

describeOnEachDatabase('Koa with auditTrailKoa', { file: import.meta.url, config: { entities: [Memo] }, moduleOptions: actorModuleOptions }, ctx => {
  beforeEach(() => allowAuditTableWrites(() => ctx.t.orm.em.fork().nativeDelete(MemoAudit, {})));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(server => new Promise(resolve => server.close(resolve))));
  });
  const rows = () => ctx.t.orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });

  it('keeps 200 concurrent requests of distinct users apart (default context: ctx.state.user)', async () => {
    const url = await startKoa(ctx.t.orm, auditTrailKoa<State>());
    await concurrentLifecycles(`koa on ${ctx.db.name}`, `${url}/memos/lifecycle`, ctx.t.orm);
  });

  it('records the user and reason an async context function gives', async () => {
    const audit = auditTrailKoa<State>({
      context: async koa => ({ user: (await Promise.resolve(koa.state.user))?.name ?? null, reason: koa.get('x-audit-reason') || null }),
    });
    const url = await startKoa(ctx.t.orm, audit);
    expect((await post(`${url}/memos`, { id: 'ada', name: 'Ada' }, { 'x-audit-reason': 'ticket 9' })).status).toBe(201);
    expect((await rows()).map(row => [recordedActor(row), row._audit_reason])).toEqual([['Ada', 'ticket 9']]);
  });

  it("answers 500 with AUDIT_MIDDLEWARE_MISUSE for Express's auditMiddleware, which Koa calls as (ctx, next)", async () => {
    const errors: unknown[] = [];
    const url = await startKoa(ctx.t.orm, auditMiddleware() as unknown as Koa.Middleware<State>, errors);
    expect((await post(`${url}/memos`, { id: 'ada', name: 'Ada' })).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AuditTrailError);
    expect(errors[0]).toMatchObject({ code: 'AUDIT_MIDDLEWARE_MISUSE', message: expect.stringContaining("auditTrailKoa() from 'mikro-orm-audit-trail/koa'") });
    expect(await rows()).toEqual([]);
  });
});
