import type { ExecutionContext } from '@nestjs/common';
import type { AuditContextData } from '../../context/AuditContext.js';
import { actorOf } from '../../context/actorOf.js';

/**
 * The audit context `AuditTrailModule` enters when no `context` option is given. For an HTTP request it is
 * `{ user }` from `request.user` (set by a guard, e.g. Passport's `AuthGuard`): the value itself when it is a string
 * or a number, else its `id`, else its `sub`, else no actor (`undefined`, which `requireActor` refuses). For a GraphQL resolver (`getType() === 'graphql'`) it reads
 * `req.user` of the GraphQL context (the third resolver argument, what `GqlExecutionContext.create(ctx).getContext()`
 * returns), when that context has a `req`. For microservice (`'rpc'`) and WebSocket (`'ws'`) handlers it enters none:
 * give a `context` function that reads `ctx.switchToRpc()` / `ctx.switchToWs()`.
 */
export function defaultNestAuditContext(context: ExecutionContext): AuditContextData | undefined {
  const type = context.getType<string>();
  if (type === 'http') {
    return { user: actorOf(context.switchToHttp().getRequest<{ user?: unknown }>().user) };
  }
  if (type === 'graphql') {
    const graphqlContext = context.getArgByIndex<{ req?: { user?: unknown } } | undefined>(2);
    return graphqlContext?.req ? { user: actorOf(graphqlContext.req.user) } : undefined;
  }
  return undefined;
}
