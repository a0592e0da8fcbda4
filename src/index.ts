export { AuditTrail, auditTrail } from './AuditTrail.js';
export { auditOf } from './auditOf.js';
export { auditOfCollection } from './pivotAudit.js';
export type { PivotAuditRow } from './pivotAudit.js';
export { withAuditTrail } from './withAuditTrail.js';
export type { AuditableConfig } from './withAuditTrail.js';
export { AuditTrailSubscriber } from './AuditTrailSubscriber.js';
export { auditContext, AuditContext } from './AuditContext.js';
export type { AuditContextData } from './AuditContext.js';
export { auditMiddleware } from './auditMiddleware.js';
export { allowAuditTableWrites, allowUnauditedWrites } from './AuditWriteGuard.js';
export type { NextFunction } from './auditMiddleware.js';
export { auditHistory } from './auditHistory.js';
export type { AuditHistoryOptions, AuditVersion } from './auditHistory.js';
export { diffVersions } from './diffVersions.js';
export { restore } from './restore.js';
export { pruneAudit } from './pruneAudit.js';
export type { PruneOptions, PruneResult } from './pruneAudit.js';
export type { RestoreOptions } from './restore.js';
export type { FieldChange, VersionDiff } from './diffVersions.js';
export { asOf } from './asOf.js';
export { getAuditedEntities } from './auditedEntities.js';
export type { AuditedEntityInfo } from './auditedEntities.js';
export { AuditTrailConfigError, AuditTrailError } from './errors.js';
export { AUDIT_ID, AUDIT_TIMESTAMP, AUDIT_CHANGE_TYPE, AUDIT_TRANSACTION, AUDIT_REASON } from './AuditColumns.js';
export type { ChangeType } from './AuditColumns.js';
export type { AuditRow, AuditColumnsRow, AuditedKeys } from './AuditRow.js';
export type { AuditableEntity } from './AuditRegistry.js';
export type {
  AuditTrailOptions,
  AuditTrailModuleOptions,
  TrackField,
  ScalarTrackField,
  ReferenceTrackField,
  TrackFieldArgs,
  TrackFieldValue,
  TrackFieldConstant,
  ResolvedAuditTrailOptions,
  SchemaCheckMode,
} from './AuditTrailOptions.js';
export type { AuditTableMismatch } from './reconcileAuditTables.js';
