import { auditContext, type AuditContextData } from './AuditContext.js';

/** Express/Connect style `next` callback. */
export type NextFunction = (error?: unknown) => void;

/**
 * Express-style middleware that runs the rest of the request inside `auditContext.run({ user })`,
 * so every flush made while handling it records `resolve(req)` as the actor.
 *
 * @example
 * app.use(auditMiddleware((req: Request) => req.user?.name ?? null));
 */
export function auditMiddleware<Req, Res>(
  resolve: (req: Req) => AuditContextData['user'],
): (req: Req, res: Res, next: NextFunction) => void {
  return (req, _res, next) => {
    auditContext.run({ user: resolve(req) }, () => next());
  };
}
