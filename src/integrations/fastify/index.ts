// mikro-orm-audit-trail/fastify: needs fastify, which a Fastify application has.
export { auditTrailFastify } from './auditTrailFastify.js';
export type { AuditTrailFastifyHook, AuditTrailFastifyOptions } from './auditTrailFastify.js';
export type { AuditContextResult } from '../contextOption.js';
export type { AuditContextData } from '../../context/AuditContext.js';
