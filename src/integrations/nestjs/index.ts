// mikro-orm-audit-trail/nestjs: needs @nestjs/common, @nestjs/core and rxjs, which a Nest application has.
export { AuditTrailModule, AUDIT_TRAIL_NEST_OPTIONS } from './AuditTrailModule.js';
export type { AuditTrailNestOptions, AuditTrailNestAsyncOptions } from './AuditTrailModule.js';
export { AuditContextInterceptor } from './AuditContextInterceptor.js';
export type { NestAuditContextFunction } from './AuditContextInterceptor.js';
export { defaultNestAuditContext } from './defaultNestAuditContext.js';
export type { AuditContextResult } from '../contextOption.js';
export type { AuditContextData } from '../../context/AuditContext.js';
