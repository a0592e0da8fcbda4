// mikro-orm-audit-trail/koa: needs koa (and @types/koa for its types).
export { auditTrailKoa } from './auditTrailKoa.js';
export type { AuditTrailKoaOptions } from './auditTrailKoa.js';
export type { AuditContextResult } from '../contextOption.js';
export type { AuditContextData } from '../../context/AuditContext.js';
