import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { auditContext, type AuditContextData } from '../../context/AuditContext.js';
import { withContext, type AuditContextResult } from '../contextOption.js';
import { defaultNestAuditContext } from './defaultNestAuditContext.js';

/** Gives the audit context of a request, message or resolver call from its Nest execution context. */
export type NestAuditContextFunction = (context: ExecutionContext) => AuditContextResult;

/**
 * Runs each handler inside `auditContext.run(context(executionContext))`. It is an interceptor because Nest runs
 * interceptors after middleware and guards: the user a guard sets on the request is known here, while a global
 * `app.use(auditMiddleware(...))` runs before any guard and sees no user. `AuditTrailModule` registers it globally.
 */
export class AuditContextInterceptor implements NestInterceptor<unknown, unknown> {
  readonly #context: NestAuditContextFunction;

  constructor(context: NestAuditContextFunction = defaultNestAuditContext) {
    this.#context = context;
  }

  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> | Promise<Observable<unknown>> {
    return withContext(this.#context(context), data => enter(data, next));
  }
}

function enter(data: AuditContextData | undefined, next: CallHandler<unknown>): Observable<unknown> {
  if (data === undefined) {
    return next.handle();
  }
  // handle() and the subscription both happen inside run(): Nest 11 binds the handler to the async context in which
  // handle() is called, earlier versions call it where the observable is subscribed.
  return new Observable(subscriber => auditContext.run(data, () => next.handle().subscribe(subscriber)));
}
