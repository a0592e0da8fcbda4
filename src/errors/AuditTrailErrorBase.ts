import type { AuditTrailErrorCode } from './codes.js';

/** What an audit trail error carries besides its message. */
export interface AuditTrailErrorDetails {
  /** The entity concerned, where there is one. */
  readonly entity?: string;
  readonly cause?: unknown;
}

// MikroORM wraps an error thrown while it runs a statement (the write guard's, from its `onQuery` hook) in a
// `DriverException`, copying the error's own properties onto it: this one carries the original along.
const ORIGINAL = 'auditTrailError';

/**
 * The common shape of `AuditTrailConfigError` and `AuditTrailError`: a stable `code` and the entity concerned.
 * `instanceof` also holds for MikroORM's `DriverException` around one of them (which keeps `code` and
 * `entity`), and `error.auditTrailError` is then the original.
 */
export abstract class AuditTrailErrorBase extends Error {
  /** Stable across releases; messages may be reworded. */
  readonly code: AuditTrailErrorCode;
  readonly entity: string | undefined;

  constructor(code: AuditTrailErrorCode, message: string, details: AuditTrailErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.entity = details.entity;
    Object.defineProperty(this, ORIGINAL, { value: this, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const isInstance = (candidate: unknown) => Function.prototype[Symbol.hasInstance].call(this, candidate);
    if (isInstance(value)) {
      return true;
    }
    const original = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[ORIGINAL] : undefined;
    return original !== undefined && original !== value && isInstance(original);
  }
}
