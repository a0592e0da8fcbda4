import { AuditTrailError } from './AuditTrailError.js';
import { describeValue } from './describeValue.js';

// What to do so that writes know their actor, in each kind of application (the message of a missing actor).
const WHERE_TO_SET_IT =
  `Wrap the code that writes in auditContext.run({ user }, () => ...): in Express, app.use(auditMiddleware(req => ...)) ` +
  `after the authentication middleware; in NestJS, the interceptor of mikro-orm-audit-trail/nestjs (a global middleware ` +
  `runs before guards set req.user); in background jobs and scripts, auditContext.run({ user: 'job:<name>' }, ...). ` +
  `A change no user makes may say so with auditContext.run({ user: null }, ...).`;

/** The run-time errors about the actor of a write (module options `actor` and `requireActor`). */
export const ActorErrors = Object.freeze({
  missing(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_ACTOR_MISSING',
      `A write of the audited entity ${entity} ran with no actor: no auditContext.run({ user }) is around it, and ` +
        `withAuditTrail() was given requireActor: 'error'. Nothing was written. ${WHERE_TO_SET_IT}`,
      { entity },
    );
  },

  /** The message `requireActor: 'warn'` logs (once per ORM). */
  missingWarning(entity: string): string {
    return (
      `mikro-orm-audit-trail: a write of the audited entity ${entity} ran with no actor (no auditContext.run({ user }) ` +
      `around it): its audit rows have a NULL _audit_actor. ${WHERE_TO_SET_IT} This is reported once (requireActor: 'warn').`
    );
  },

  invalid(entity: string, user: unknown, expected: string, fix: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_INVALID_ACTOR',
      `The actor of a write of the audited entity ${entity} (auditContext user ${describeValue(user)}) cannot be stored ` +
        `in _audit_actor, which holds ${expected}. The write fails. ${fix}`,
      { entity },
    );
  },
});
