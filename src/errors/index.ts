export { AuditTrailConfigError } from './AuditTrailConfigError.js';
export { AuditTrailError } from './AuditTrailError.js';
export { ActorErrors } from './ActorErrors.js';
export { BrowserErrors } from './BrowserErrors.js';
export { OperationErrors } from './OperationErrors.js';
export type { AuditTrailErrorCode } from './codes.js';
export { TamperErrors } from './TamperErrors.js';
export { CliUsageError } from './CliUsageError.js';
