import type { AuditContextData } from './AuditContext.js';

/**
 * The actor of an authenticated request's user object (`req.user`, `request.user`, `ctx.state.user`), as the
 * framework integrations record it by default: the value itself when it is a string or a number, else its `id`,
 * else its `sub` (a JWT's subject), else `undefined`: no actor known, which `requireActor` refuses. Never `null`,
 * which declares a change no user made: a request that reached the audit context before authentication (a NestJS
 * global middleware, a hook registered too early) must not pass as one.
 */
export function actorOf(user: unknown): AuditContextData['user'] {
  if (isActor(user)) {
    return user;
  }
  if (typeof user === 'object' && user !== null) {
    const { id, sub } = user as { id?: unknown; sub?: unknown };
    return isActor(id) ? id : isActor(sub) ? sub : undefined;
  }
  return undefined;
}

function isActor(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}
