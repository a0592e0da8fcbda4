import type { AuditTrailConfigError } from '../../../src/index.js';

/** The error `fn` throws, for its code and message; fails the test when it throws none. */
export function errorOf(fn: () => unknown): AuditTrailConfigError {
  try {
    fn();
  } catch (error) {
    return error as AuditTrailConfigError;
  }
  throw new Error('expected an error');
}
