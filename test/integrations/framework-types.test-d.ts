import { expectTypeOf, test } from 'vitest';
import express from 'express';
import fastify, { type FastifyRequest } from 'fastify';
import Koa from 'koa';
import type { ExecutionContext } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { auditMiddleware, type AuditRequest } from '../../src/index.js';
import { auditTrailFastify } from '../../src/integrations/fastify/index.js';
import { auditTrailKoa } from '../../src/integrations/koa/index.js';
import { AuditTrailModule } from '../../src/integrations/nestjs/index.js';

// Each framework's way of mounting its integration compiles as the README shows it, with the request typed.

test("auditMiddleware's request is AuditRequest where nothing types it (NestJS app.use), Express's Request in Express", () => {
  const nest = {} as INestApplication;
  nest.use(
    auditMiddleware(req => {
      expectTypeOf(req).toEqualTypeOf<AuditRequest>();
      expectTypeOf(req.headers.authorization).toEqualTypeOf<string | undefined>();
      return { user: typeof req.user === 'string' ? req.user : null, reason: null };
    }),
  );
  express().use(
    auditMiddleware(req => {
      expectTypeOf(req).toEqualTypeOf<express.Request>();
      return req.get('x-user') ?? null;
    }),
  );
});

test('auditTrailFastify registers with typed options (no TS2769), and refuses a hook it cannot use', () => {
  const app = fastify();
  void app.register(auditTrailFastify, {
    hook: 'preValidation',
    context: request => {
      expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
      return { user: request.headers['x-user']?.toString() ?? null };
    },
  });
  void app.register(auditTrailFastify);
  // @ts-expect-error onSend runs after the handler
  void app.register(auditTrailFastify, { hook: 'onSend' });
});

test("auditTrailKoa is Koa middleware with the application's state type; Express's auditMiddleware is not", () => {
  const app = new Koa<{ user?: { email: string } }>();
  app.use(
    auditTrailKoa<{ user?: { email: string } }>({
      context: ctx => {
        expectTypeOf(ctx.state.user).toEqualTypeOf<{ email: string } | undefined>();
        return { user: ctx.state.user?.email ?? null };
      },
    }),
  );
  // @ts-expect-error Koa calls (ctx, next): auditMiddleware expects (req, res, next)
  app.use(auditMiddleware());
});

test('AuditTrailModule takes a function of the ExecutionContext, or a factory of its options', () => {
  AuditTrailModule.forRoot({
    context: ctx => {
      expectTypeOf(ctx).toEqualTypeOf<ExecutionContext>();
      return ctx.getType() === 'http' ? { user: ctx.switchToHttp().getRequest<{ user: { id: number } }>().user.id } : undefined;
    },
  });
  AuditTrailModule.forRootAsync({ inject: ['CONFIG'], useFactory: (config: { reason: string }) => ({ context: () => ({ reason: config.reason }) }) });
  // @ts-expect-error the context must be a function
  AuditTrailModule.forRoot({ context: { user: 'x' } });
});
