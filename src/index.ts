export { AuditTrail, auditTrail } from './define/AuditTrail.js';
export { auditOf } from './define/auditOf.js';
export { auditOfCollection } from './define/auditOfCollection.js';
export type { PivotAuditRow } from './define/auditOfCollection.js';
export { withAuditTrail } from './setup/withAuditTrail.js';
export type { AuditableConfig } from './setup/withAuditTrail.js';
export { AuditTrailSubscriber } from './capture/AuditTrailSubscriber.js';
export { auditContext, AuditContext } from './context/AuditContext.js';
export type { AuditContextData } from './context/AuditContext.js';
export { auditMiddleware } from './context/auditMiddleware.js';
export { allowAuditTableWrites, allowUnauditedWrites } from './write/AuditWriteGuard.js';
export type { AuditMiddlewareResult, AuditRequest, NextFunction } from './context/auditMiddleware.js';
export { auditHistory } from './read/auditHistory.js';
export type { AuditHistoryOptions, AuditVersion } from './read/auditHistory.js';
export { diffVersions } from './read/diffVersions.js';
export { restore } from './read/restore.js';
export { pruneAudit } from './read/pruneAudit.js';
export { backfillAudit } from './write/backfillAudit.js';
export type { BackfillOptions, BackfillProgress, BackfillResult } from './write/backfillAudit.js';
export type { PruneOptions, PruneResult } from './read/pruneAudit.js';
export type { PruneProgress } from './read/pruneBatches.js';
export type { PruneRecorder, PrunedRow } from './read/pruneRecorder.js';
export type { RestoreOptions } from './read/restore.js';
export type { FieldChange, VersionDiff } from './read/diffVersions.js';
export { asOf } from './read/asOf.js';
export { getAuditedEntities } from './read/getAuditedEntities.js';
export type { AuditedEntityInfo } from './read/getAuditedEntities.js';
export { AuditTrailConfigError, AuditTrailError } from './errors/index.js';
export type { AuditTrailErrorCode } from './errors/index.js';
export { AUDIT_ID, AUDIT_TIMESTAMP, AUDIT_CHANGE_TYPE, AUDIT_TRANSACTION, AUDIT_REASON, AUDIT_ACTOR, AUDIT_HASH } from './define/AuditColumns.js';
export type { ChangeType } from './define/AuditColumns.js';
export type { AuditRow, AuditColumnsRow, AuditedKeys } from './define/AuditRow.js';
export type { AuditableEntity } from './define/AuditRegistry.js';
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
  AuditActorOptions,
  RequireActorMode,
} from './define/AuditTrailOptions.js';
export type { AuditTableMismatch } from './discover/reconcileAuditTables.js';
export { auditBrowser } from './browser/auditBrowser.js';
export type { AuditBrowserOptions } from './browser/auditBrowser.js';
export { readSealWatermarks, sealAuditTrail } from './tamper/sealAuditTrail.js';
export type { SealOptions, SealResult, SealWatermarks, SealedTable } from './tamper/sealAuditTrail.js';
export { verifyAuditTrail } from './tamper/verifyAuditTrail.js';
export type { VerifyOptions } from './tamper/verifyAuditTrail.js';
export type { Finding, FindingKind, TableReport, VerifyResult } from './tamper/Finding.js';
export { SealKey, loadRetiredSealKeys, loadSealKey, requireSealKey } from './tamper/SealKey.js';
export type { RetiredSealKeySource, SealKeySource } from './tamper/SealKey.js';
export { AuditTrailSeal, AuditTrailPruned } from './tamper/tamperEntities.js';
export type { AuditTrailSealEntity, AuditTrailPrunedEntity } from './tamper/tamperEntities.js';
