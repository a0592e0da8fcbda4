import type { DefaultContext, DefaultState, Middleware, ParameterizedContext } from 'koa';
import { auditContext, type AuditContextData } from '../../context/AuditContext.js';
import { actorOf } from '../../context/actorOf.js';
import { checkContextOption, withContext, type AuditContextResult } from '../contextOption.js';

/** Options of `auditTrailKoa()`. */
export interface AuditTrailKoaOptions<StateT = DefaultState, ContextT = DefaultContext> {
  /**
   * The audit context (`{ user, reason }`) of a request; `undefined` enters none. Defaults to `{ user }` from
   * `ctx.state.user` (as koa-jwt and koa-passport set it): the value itself when it is a string or a number, else its
   * `id`, else its `sub`, else no actor (`undefined`, which `requireActor` refuses).
   */
  context?: (ctx: ParameterizedContext<StateT, ContextT>) => AuditContextResult;
}

/**
 * Koa middleware that runs the rest of the request (`next()`) inside `auditContext.run()`, with the context given by
 * `options.context`. Use it after the middleware that authenticates.
 *
 * @example
 * app.use(jwt({ secret }));
 * app.use(auditTrailKoa({ context: ctx => ({ user: ctx.state.user.email, reason: ctx.get('x-audit-reason') || null }) }));
 */
export function auditTrailKoa<StateT = DefaultState, ContextT = DefaultContext>(
  options: AuditTrailKoaOptions<StateT, ContextT> = {},
): Middleware<StateT, ContextT> {
  checkContextOption('auditTrailKoa()', options.context);
  const resolve = options.context ?? defaultContext;
  return (ctx, next) => withContext(resolve(ctx), data => (data === undefined ? next() : auditContext.run(data, () => next())));
}

function defaultContext(ctx: ParameterizedContext<unknown>): AuditContextData {
  return { user: actorOf((ctx.state as { user?: unknown } | undefined)?.user) };
}
