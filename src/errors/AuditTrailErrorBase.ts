import type { AuditTrailErrorCode } from './codes.js';

/** What an audit trail error carries besides its message. */
export interface AuditTrailErrorDetails {
  /** The entity concerned, where there is one. */
  readonly entity?: string;
  readonly cause?: unknown;
}

/** The common shape of `AuditTrailConfigError` and `AuditTrailError`: a stable `code` and the entity concerned. */
export abstract class AuditTrailErrorBase extends Error {
  /** Stable across releases; messages may be reworded. */
  readonly code: AuditTrailErrorCode;
  readonly entity: string | undefined;

  constructor(code: AuditTrailErrorCode, message: string, details: AuditTrailErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.entity = details.entity;
  }
}
