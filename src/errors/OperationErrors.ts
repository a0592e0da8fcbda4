import { AuditTrailError } from './AuditTrailError.js';
import { describeValue } from './describeValue.js';

/** The run-time errors of the long operations on history (`backfillAudit()`, and the command line's). */
export const OperationErrors = Object.freeze({
  invalidOption(call: string, entity: string, option: string, expected: string, actual: unknown): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_INVALID_OPERATION_OPTION',
      `${call} for ${entity}: option ${option} must be ${expected}, got ${describeValue(actual)}. Fix the option value.`,
      { entity },
    );
  },
});
