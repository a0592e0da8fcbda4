import type { AuditContextData } from '../context/AuditContext.js';
import { invalidIntegrationOption } from '../errors/integrationErrors.js';

/**
 * What an integration's `context` function returns for a request: its audit context, or `undefined` to enter none
 * (an outer `auditContext.run()` then stays current). It may return a promise.
 */
export type AuditContextResult = AuditContextData | undefined | PromiseLike<AuditContextData | undefined>;

/** Fails at registration, not at the first request, when `context` is given but is not a function. */
export function checkContextOption(integration: string, context: unknown): void {
  if (context !== undefined && typeof context !== 'function') {
    throw invalidIntegrationOption(integration, 'context', context, 'a function of the request returning { user, reason }');
  }
}

/** Calls `then` with the context, at once when it is not a promise, so a synchronous function adds no tick. */
export function withContext<R>(result: AuditContextResult, then: (context: AuditContextData | undefined) => R): R | Promise<R> {
  return isPromiseLike(result) ? Promise.resolve(result).then(then) : then(result);
}

/** Whether a `context` function answered with a promise. */
export function isPromiseLike(value: AuditContextResult): value is PromiseLike<AuditContextData | undefined> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
