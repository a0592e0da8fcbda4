import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the application knows about the current change: who makes it and anything else a track field wants.
 * Extend it by declaration merging: `declare module 'mikro-orm-audit-trail' { interface AuditContextData { tenant?: string } }`.
 */
export interface AuditContextData {
  /**
   * The actor, usually a user name or id; stored in `_audit_actor` of every audit row written while it is current.
   * `null` says that no user makes the change (a system job), which `requireActor` accepts.
   */
  user?: string | number | null;
  /** Why the change is made; stored in `_audit_reason` of every audit row written while it is current. */
  reason?: string | null;
}

/** Request-scoped audit context, the Node equivalent of a thread-local "current user". */
export class AuditContext {
  readonly #storage = new AsyncLocalStorage<AuditContextData>();

  /**
   * Runs `fn` with `context` as the current audit context. A nested call keeps the outer context's fields and
   * replaces the ones it gives: `run({ reason })` inside a request keeps the request's user.
   */
  run<R>(context: AuditContextData, fn: () => R): R {
    return this.#storage.run(Object.freeze({ ...this.#storage.getStore(), ...context }), fn);
  }

  /** The context of the innermost `run` around the caller, or `undefined` outside of one. */
  current(): AuditContextData | undefined {
    return this.#storage.getStore();
  }
}

/** The process-wide audit context used by track fields and `auditMiddleware`. */
export const auditContext = new AuditContext();
