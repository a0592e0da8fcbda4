import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExternalContextCreator } from '@nestjs/core';
import { AuditTrailModule } from '../../src/integrations/nestjs/index.js';
import { allowAuditTableWrites } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { bearer } from './support/bearer.js';
import { concurrentLifecycles } from './support/load.js';
import { Memo, MemoAudit, attribution, recordedActor } from './support/memo.js';
import { startNestApp, type NestTestApp } from './support/nestApp.js';

// AuditTrailModule.forRoot() with its default context: request.user, set by the controller's guard.
for (const db of DATABASES) {
  describe.skipIf(!db.available)(`NestJS with AuditTrailModule on ${db.name}`, () => {
    let nest: NestTestApp;
    beforeAll(async () => {
      nest = await startNestApp(db, dbNameFor(import.meta.url), { imports: [AuditTrailModule.forRoot()] });
    });
    afterAll(async () => {
      await nest?.app.close();
    });
    beforeEach(() => allowAuditTableWrites(() => nest.orm.em.fork().nativeDelete(MemoAudit, {})));

    const send = (method: string, path: string, body?: object, authorization = bearer({ id: 'alice', name: 'Alice' })) =>
      fetch(`${nest.url}${path}`, {
        method,
        headers: { authorization, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });

    it('records the guard-authenticated user in every audit row of a request', async () => {
      const created = await send('POST', '/memos', { owner: 'alice', text: 'draft' });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      expect((await send('PATCH', `/memos/${id}`, { text: 'final' })).status).toBe(200);
      expect((await send('DELETE', `/memos/${id}`)).status).toBe(204);
      const rows = await nest.orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row._audit_change_type, recordedActor(row)])).toEqual([
        ['I', 'alice'],
        ['U', 'alice'],
        ['D', 'alice'],
      ]);
    });

    it('writes nothing for a request the guard refuses', async () => {
      expect((await send('POST', '/memos', { owner: 'mallory', text: 'x' }, 'Bearer forged.token.value')).status).toBe(401);
      expect(await nest.orm.em.fork().count(MemoAudit, {})).toBe(0);
    });

    it('keeps 200 concurrent requests of distinct users apart', async () => {
      await concurrentLifecycles(`nestjs on ${db.name}`, `${nest.url}/memos/lifecycle`, nest.orm);
    });

    it("reads req.user of a GraphQL resolver's context (getType() === 'graphql')", async () => {
      // @nestjs/graphql calls resolvers through ExternalContextCreator with the 'graphql' type, global interceptors
      // included, and (root, args, context, info) as arguments.
      const resolver = {
        createMemo: async (_root: unknown, args: { owner: string }) => {
          const em = nest.orm.em.fork();
          em.create(Memo, { owner: args.owner, text: 'from a resolver' });
          await em.flush();
          return true;
        },
      };
      const creator = nest.app.get(ExternalContextCreator);
      const handler = creator.create(resolver, resolver.createMemo as (...args: unknown[]) => unknown, 'createMemo', undefined, undefined, undefined, undefined, { interceptors: true }, 'graphql');
      await handler(undefined, { owner: 'grace' }, { req: { user: { id: 'grace', name: 'Grace' } } }, {});
      const [row, ...others] = await nest.orm.em.fork().find(MemoAudit, {});
      expect(others).toEqual([]);
      expect(recordedActor(row!)).toBe('grace');
      expect((await attribution(nest.orm)).misattributed).toBe(0);
    });
  });
}
