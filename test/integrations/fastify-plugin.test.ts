import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import fastify, { type FastifyInstance } from 'fastify';
import type { MikroORM } from '@mikro-orm/core';
import { allowAuditTableWrites } from '../../src/index.js';
import { auditTrailFastify, type AuditTrailFastifyHook, type AuditTrailFastifyOptions } from '../../src/integrations/fastify/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { bearer, verifyBearer, type TokenUser } from './support/bearer.js';
import { concurrentLifecycles } from './support/load.js';
import { Memo, MemoAudit, actorModuleOptions, memoLifecycle, recordedActor } from './support/memo.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: TokenUser;
  }
}

const servers: FastifyInstance[] = [];

/**
 * A Fastify application as @fastify/jwt sets one up: an onRequest hook verifies the bearer token and sets
 * request.user, then the plugin, then routes that read a JSON body and write through a fork of the ORM.
 */
async function startFastify(orm: MikroORM, register: (app: FastifyInstance) => PromiseLike<unknown>): Promise<string> {
  const app = fastify({ logger: false });
  servers.push(app);
  app.addHook('onRequest', async (request, reply) => {
    const user = verifyBearer(request.headers.authorization);
    if (!user) {
      return reply.code(401).send();
    }
    request.user = user;
  });
  await register(app);
  app.post<{ Body: { owner: string } }>('/memos/lifecycle', async (request, reply) => {
    await memoLifecycle(orm.em.fork(), request.body.owner);
    return reply.code(201).send();
  });
  app.post<{ Body: { owner: string } }>('/memos', async (request, reply) => {
    const em = orm.em.fork();
    em.create(Memo, { owner: request.body.owner, text: 'draft' });
    await em.flush();
    return reply.code(201).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** POSTs a JSON body in two chunks, the second after the server has run its onRequest hooks. */
async function slowPost(url: string, user: TokenUser): Promise<number> {
  const body = JSON.stringify({ owner: user.id });
  const request = httpRequest(url, { method: 'POST', headers: { authorization: bearer(user), 'content-type': 'application/json' } });
  const answered = new Promise<number>((resolve, reject) => {
    request.once('response', response => resolve(response.resume().statusCode!));
    request.once('error', reject);
  });
  request.write(body.slice(0, 5));
  await sleep(50);
  request.end(body.slice(5));
  return answered;
}

const post = (url: string, user: TokenUser, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { authorization: bearer(user), 'content-type': 'application/json', ...headers }, body: JSON.stringify({ owner: user.id }) });

describeOnEachDatabase('Fastify with auditTrailFastify', { file: import.meta.url, config: { entities: [Memo] }, moduleOptions: actorModuleOptions }, ctx => {
  beforeEach(() => allowAuditTableWrites(() => ctx.t.orm.em.fork().nativeDelete(MemoAudit, {})));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(app => app.close()));
  });
  const rows = () => ctx.t.orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });

  it.each<AuditTrailFastifyHook | undefined>([undefined, 'preValidation', 'onRequest'])(
    'keeps 200 concurrent requests of distinct users with a JSON body apart (hook: %s)',
    async hook => {
      const url = await startFastify(ctx.t.orm, app => app.register(auditTrailFastify, hook ? { hook } : {}));
      await concurrentLifecycles(`fastify (${hook ?? 'preHandler'}) on ${ctx.db.name}`, `${url}/memos/lifecycle`, ctx.t.orm);
    },
  );

  // Fastify reads the body between onRequest and preValidation, from the socket's events: the context entered in
  // onRequest holds only because Fastify's content type parser carries the request's async context over.
  it('keeps the context entered in onRequest when the body arrives later', async () => {
    const url = await startFastify(ctx.t.orm, app => app.register(auditTrailFastify, { hook: 'onRequest' }));
    const users = [{ id: 'ada', name: 'Ada' }, { id: 'alan', name: 'Alan' }];
    expect(await Promise.all(users.map(user => slowPost(`${url}/memos`, user)))).toEqual([201, 201]);
    expect((await rows()).map(recordedActor).sort()).toEqual(['ada', 'alan']);
  });

  it('records the user and reason an async context function gives', async () => {
    const options: AuditTrailFastifyOptions = {
      context: async request => ({ user: (await Promise.resolve(request.user))?.name ?? null, reason: request.headers['x-audit-reason']?.toString() ?? null }),
    };
    const url = await startFastify(ctx.t.orm, app => app.register(auditTrailFastify, options));
    expect((await post(`${url}/memos`, { id: 'ada', name: 'Ada' }, { 'x-audit-reason': 'ticket 7' })).status).toBe(201);
    expect((await rows()).map(row => [recordedActor(row), row._audit_reason])).toEqual([['Ada', 'ticket 7']]);
  });

  it("applies to the instance it is registered on, not only to a context of its own, and to plugins registered after it", async () => {
    const url = await startFastify(ctx.t.orm, async app => {
      await app.register(auditTrailFastify);
      await app.register((child, _options, done) => {
        child.post<{ Body: { owner: string } }>('/child/memos', async (request, reply) => {
          const em = ctx.t.orm.em.fork();
          em.create(Memo, { owner: request.body.owner, text: 'from a child context' });
          await em.flush();
          return reply.code(201).send();
        });
        done();
      });
    });
    expect((await post(`${url}/memos`, { id: 'grace', name: 'Grace' })).status).toBe(201);
    expect((await post(`${url}/child/memos`, { id: 'linus', name: 'Linus' })).status).toBe(201);
    expect((await rows()).map(recordedActor)).toEqual(['grace', 'linus']);
  });

  it('answers the error of a failing context function and writes nothing', async () => {
    const url = await startFastify(ctx.t.orm, app =>
      app.register(auditTrailFastify, { context: () => Promise.reject(new Error('directory unavailable')) }),
    );
    const response = await post(`${url}/memos`, { id: 'ada', name: 'Ada' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ message: 'directory unavailable' });
    expect(await rows()).toEqual([]);
  });
});
