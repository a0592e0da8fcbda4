import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/core';
import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { allowAuditTableWrites, auditContext } from '../../src/index.js';
import { AuditTrailModule, defaultNestAuditContext } from '../../src/integrations/nestjs/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { bearer } from './support/bearer.js';
import { Memo, MemoAudit, recordedActor } from './support/memo.js';
import { startNestApp, type NestTestApp } from './support/nestApp.js';

// AuditTrailModule.forRootAsync() with a context function of the application's own: the reason from a header
// named by an injected setting, microservice messages ('rpc') attributed to the user their payload names.

const REASON_HEADER = 'AUDIT_REASON_HEADER';
class SettingsModule {}
const settings: DynamicModule = { module: SettingsModule, providers: [{ provide: REASON_HEADER, useValue: 'x-audit-reason' }], exports: [REASON_HEADER] };

const contextOf = (reasonHeader: string) => async (ctx: ExecutionContext) => {
  if (ctx.getType() === 'rpc') {
    const { user, reason } = ctx.switchToRpc().getData<{ user?: string; reason?: string }>();
    return user === undefined ? undefined : { user, reason: reason ?? null };
  }
  const base = defaultNestAuditContext(ctx);
  // An application might look the reason up; the promise makes the interceptor wait for it.
  const reason = await Promise.resolve(ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers[reasonHeader]);
  return base && { ...base, reason: reason ?? null };
};

/** A message handler as @nestjs/microservices calls it: (data, context), with the 'rpc' type. */
class MemoMessages {
  constructor(private readonly orm: MikroORM) {}

  async handle(data: { owner: string }): Promise<void> {
    const em = this.orm.em.fork();
    em.create(Memo, { owner: data.owner, text: 'from a message' });
    await em.flush();
  }
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`NestJS with AuditTrailModule.forRootAsync on ${db.name}`, () => {
    let nest: NestTestApp;
    beforeAll(async () => {
      nest = await startNestApp(db, dbNameFor(import.meta.url), {
        imports: [AuditTrailModule.forRootAsync({ imports: [settings], inject: [REASON_HEADER], useFactory: (header: string) => ({ context: contextOf(header) }) })],
        providers: [{ provide: MemoMessages, useFactory: (orm: MikroORM) => new MemoMessages(orm), inject: [MikroORM] }],
      });
    });
    afterAll(async () => {
      await nest?.app.close();
    });
    beforeEach(() => allowAuditTableWrites(() => nest.orm.em.fork().nativeDelete(MemoAudit, {})));

    const rows = () => nest.orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });
    const message = (data: object) => {
      const messages = nest.app.get(MemoMessages);
      const handler = nest.app
        .get(ExternalContextCreator)
        .create(messages, messages.handle.bind(messages) as (...args: unknown[]) => unknown, 'handle', undefined, undefined, undefined, undefined, { interceptors: true }, 'rpc');
      return handler(data, { pattern: 'memo.create' }) as Promise<void>;
    };

    it('records the user and the reason the async context function gives for an HTTP request', async () => {
      const response = await fetch(`${nest.url}/memos`, {
        method: 'POST',
        headers: { authorization: bearer({ id: 'alice', name: 'Alice' }), 'x-audit-reason': 'ticket 42', 'content-type': 'application/json' },
        body: JSON.stringify({ owner: 'alice', text: 'draft' }),
      });
      expect(response.status).toBe(201);
      expect((await rows()).map(row => [recordedActor(row), row._audit_reason])).toEqual([['alice', 'ticket 42']]);
    });

    it("attributes a microservice message to the user of its payload (getType() === 'rpc')", async () => {
      await message({ owner: 'bob', user: 'bob', reason: 'nightly import' });
      expect((await rows()).map(row => [recordedActor(row), row._audit_reason])).toEqual([['bob', 'nightly import']]);
    });

    it('leaves the surrounding audit context current when the context function gives none', async () => {
      await auditContext.run({ user: 'scheduler' }, () => message({ owner: 'scheduler' }));
      await message({ owner: 'nobody' });
      expect((await rows()).map(row => [row.owner, recordedActor(row)])).toEqual([
        ['scheduler', 'scheduler'],
        ['nobody', null],
      ]);
    });
  });
}
