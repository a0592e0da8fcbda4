import { AuditTrailConfigError } from './AuditTrailConfigError.js';
import { AuditTrailError } from './AuditTrailError.js';
import { describeValue } from './describeValue.js';

// The framework integrations' errors, kept apart from the ORM's: they name the framework and the entry to use.

/** An option given to a framework integration (`AuditTrailModule`, `auditTrailFastify`, `auditTrailKoa`) is invalid. */
export function invalidIntegrationOption(integration: string, option: string, value: unknown, expected: string): AuditTrailConfigError {
  return new AuditTrailConfigError(
    'AUDIT_INVALID_INTEGRATION_OPTION',
    `${integration}: option '${option}' must be ${expected}, got ${describeValue(value)}.`,
  );
}

/** `auditMiddleware()` was called without Express's `next`: it was mounted in a framework with another signature. */
export function middlewareMisuse(secondArgument: unknown): AuditTrailError {
  const seen = typeof secondArgument === 'function' ? ' It was called as (ctx, next), the way Koa calls middleware.' : '';
  return new AuditTrailError(
    'AUDIT_MIDDLEWARE_MISUSE',
    `auditMiddleware() is Express-style middleware, (req, res, next), and was called without a next function.${seen} ` +
      `In Koa use auditTrailKoa() from 'mikro-orm-audit-trail/koa'; in Fastify register auditTrailFastify from ` +
      `'mikro-orm-audit-trail/fastify'; in NestJS import AuditTrailModule.forRoot() from 'mikro-orm-audit-trail/nestjs'.`,
  );
}
