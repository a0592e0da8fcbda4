import { describe, expect, it } from 'vitest';
import fastify from 'fastify';
import { auditContext, auditMiddleware, AuditTrailConfigError, type AuditContextData } from '../../src/index.js';
import { actorOf } from '../../src/context/actorOf.js';
import { auditTrailFastify } from '../../src/integrations/fastify/index.js';
import { auditTrailKoa } from '../../src/integrations/koa/index.js';
import { AuditTrailModule } from '../../src/integrations/nestjs/index.js';

// What the integrations do before any request: their options are checked where they are registered.

describe('integration options', () => {
  it('refuses a context that is not a function, in each framework', async () => {
    const invalid = { context: 'user' } as never;
    const expected = { code: 'AUDIT_INVALID_INTEGRATION_OPTION', message: expect.stringContaining("option 'context' must be a function") };
    expect(() => AuditTrailModule.forRoot(invalid)).toThrow(AuditTrailConfigError);
    expect(() => AuditTrailModule.forRoot(invalid)).toThrow(expect.objectContaining(expected));
    expect(() => auditTrailKoa(invalid)).toThrow(expect.objectContaining(expected));
    const app = fastify({ logger: false });
    await expect(app.register(auditTrailFastify, invalid).ready()).rejects.toMatchObject(expected);
    await app.close();
  });

  it('refuses a Fastify hook the plugin cannot enter the context in', async () => {
    const app = fastify({ logger: false });
    await expect(app.register(auditTrailFastify, { hook: 'onSend' as never }).ready()).rejects.toMatchObject({
      code: 'AUDIT_INVALID_INTEGRATION_OPTION',
      message: "auditTrailFastify: option 'hook' must be one of 'onRequest', 'preValidation', 'preHandler', got the string 'onSend'.",
    });
    await app.close();
  });
});

describe('the default actor of a request user', () => {
  it.each<[unknown, AuditContextData['user']]>([
    ['alice', 'alice'],
    [42, 42],
    [{ id: 7, sub: 'ignored', name: 'Bob' }, 7],
    [{ sub: 'auth0|123', name: 'Carol' }, 'auth0|123'],
    [{ name: 'no id' }, undefined],
    [{ id: { nested: true } }, undefined],
    [Number.NaN, undefined],
    [undefined, undefined],
    [null, undefined],
  ])('records %j as %j', (user, actor) => {
    expect(actorOf(user)).toBe(actor);
  });
});

describe('auditMiddleware', () => {
  const contextSeenBy = (middleware: (req: never, res: never, next: () => void) => void, req: object) => {
    let seen: AuditContextData | undefined;
    middleware(req as never, {} as never, () => {
      seen = auditContext.current();
    });
    return seen;
  };

  it('records req.user without a resolver, an actor or { user, reason } from one', () => {
    expect(contextSeenBy(auditMiddleware(), { user: { id: 'u1' } })).toEqual({ user: 'u1' });
    expect(contextSeenBy(auditMiddleware(() => 'bob'), {})).toEqual({ user: 'bob' });
    expect(contextSeenBy(auditMiddleware(() => ({ user: 'carol', reason: 'support ticket' })), {})).toEqual({ user: 'carol', reason: 'support ticket' });
    expect(contextSeenBy(auditMiddleware(() => null), {})).toEqual({ user: null });
  });
});
