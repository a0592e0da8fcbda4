import type { IncomingMessage } from 'node:http';
import { middlewareMisuse } from '../errors/integrationErrors.js';
import { auditContext, type AuditContextData } from './AuditContext.js';
import { actorOf } from './actorOf.js';

/** Express/Connect style `next` callback. */
export type NextFunction = (error?: unknown) => void;

/**
 * The request `auditMiddleware` assumes when its resolver's parameter has no type of its own (NestJS's `app.use`
 * gives none): Node's request with the `user` an authentication middleware such as Passport sets.
 */
export interface AuditRequest extends IncomingMessage {
  user?: unknown;
}

/** What an `auditMiddleware` resolver returns: the actor, or the whole context (`{ user, reason }`). */
export type AuditMiddlewareResult = AuditContextData | AuditContextData['user'];

/**
 * Express-style middleware that runs the rest of the request inside `auditContext.run()`, so every flush made while
 * handling it records `resolve(req)`: an actor, or `{ user, reason }`. Without `resolve` it records `req.user` (the
 * value itself when it is a string or a number, else its `id`, else its `sub`; with none, no actor, which `requireActor` refuses). Mount it after the
 * middleware that authenticates. NestJS runs global middleware before guards: use `AuditTrailModule` from
 * `mikro-orm-audit-trail/nestjs` there; Koa and Fastify have their own entries too.
 *
 * @example
 * app.use(passport.authenticate('jwt', { session: false }));
 * app.use(auditMiddleware(req => ({ user: req.user?.email ?? null, reason: req.get('x-audit-reason') ?? null })));
 */
export function auditMiddleware<Req = AuditRequest, Res = unknown>(
  resolve: (req: Req) => AuditMiddlewareResult = req => actorOf((req as { user?: unknown }).user),
): (req: Req, res: Res, next: NextFunction) => void {
  return (req, res, next) => {
    if (typeof next !== 'function') {
      throw middlewareMisuse(res);
    }
    auditContext.run(contextOf(resolve(req)), () => next());
  };
}

// `{ user, reason }` is a context; any other object is a user object (`req => req.user`), read as the default does.
function contextOf(resolved: unknown): AuditContextData {
  if (typeof resolved === 'object' && resolved !== null) {
    return 'user' in resolved || 'reason' in resolved ? (resolved as AuditContextData) : { user: actorOf(resolved) };
  }
  return { user: resolved as AuditContextData['user'] };
}
