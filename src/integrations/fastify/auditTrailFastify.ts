import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { auditContext, type AuditContextData } from '../../context/AuditContext.js';
import { actorOf } from '../../context/actorOf.js';
import { invalidIntegrationOption } from '../../errors/integrationErrors.js';
import { checkContextOption, isPromiseLike, type AuditContextResult } from '../contextOption.js';

/** The request hooks the audit context can be entered in: pick the first one that runs after authentication. */
export type AuditTrailFastifyHook = 'onRequest' | 'preValidation' | 'preHandler';

/** Options of the `auditTrailFastify` plugin. */
export interface AuditTrailFastifyOptions {
  /**
   * The audit context (`{ user, reason }`) of a request; `undefined` enters none. Defaults to `{ user }` from
   * `request.user` (as `@fastify/jwt` and `@fastify/passport` set it): the value itself when it is a string or a
   * number, else its `id`, else its `sub`, else no actor (`undefined`, which `requireActor` refuses).
   */
  context?: (request: FastifyRequest) => AuditContextResult;
  /** The hook in which `context` runs and the audit context is entered. Defaults to `'preHandler'`. */
  hook?: AuditTrailFastifyHook;
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

const HOOKS: readonly AuditTrailFastifyHook[] = ['onRequest', 'preValidation', 'preHandler'];

const defaultContext = (request: FastifyRequest): AuditContextData => ({ user: actorOf((request as { user?: unknown }).user) });

const plugin: FastifyPluginCallback<AuditTrailFastifyOptions> = (instance, options, done) => {
  const hook = options.hook ?? 'preHandler';
  // Fastify's plugin loader takes a plugin's error through done(): a throw here would escape as an uncaught exception.
  try {
    checkContextOption('auditTrailFastify', options.context);
    if (!HOOKS.includes(hook)) {
      throw invalidIntegrationOption('auditTrailFastify', 'hook', hook, `one of ${HOOKS.map(name => `'${name}'`).join(', ')}`);
    }
  } catch (error) {
    return done(error as Error);
  }
  const resolve = options.context ?? defaultContext;
  const enterWith = (data: AuditContextData | undefined, next: HookHandlerDoneFunction) =>
    data === undefined ? next() : auditContext.run(data, () => next());
  // A callback hook: run(data, next) makes the hooks and the handler after it run inside the context. Fastify keeps
  // a request's async context while it reads the body (its content type parser is an AsyncResource), so that holds
  // from onRequest on too.
  const enter: Hook = (request, _reply, next) => {
    const result = resolve(request);
    if (isPromiseLike(result)) {
      void Promise.resolve(result).then(data => enterWith(data, next), (error: unknown) => next(toError(error)));
    } else {
      enterWith(result, next);
    }
  };
  instance.addHook(hook, enter);
  done();
};

/**
 * A Fastify plugin that runs each request's handler inside `auditContext.run()`, with the context given by
 * `options.context` in the hook `options.hook`, after authentication. It adds its hooks to the instance it is
 * registered on, skipping Fastify's encapsulation as `fastify-plugin` does, so they apply to that instance's routes
 * and to plugins registered after it: register it on the root instance, after the hook that authenticates.
 *
 * @example
 * await app.register(auditTrailFastify, { context: request => ({ user: request.user?.email ?? null }) });
 */
export const auditTrailFastify = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'mikro-orm-audit-trail',
});
