import { AuditTrailConfigError } from './AuditTrailConfigError.js';
import { describeValue } from './describeValue.js';

/** The errors `auditBrowser()` raises when it is created: a browser that is configured wrongly never serves a page. */
export const BrowserErrors = Object.freeze({
  noAuthorize(actual: unknown): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_BROWSER_NO_AUTHORIZE',
      `auditBrowser() needs an authorize(req) function, got ${describeValue(actual)}: history holds every past value ` +
        `of the audited rows, so the browser denies access unless the application decides who may read it. Pass one, ` +
        `e.g. auditBrowser(orm, { authorize: req => req.user?.role === 'admin' }) (return true to allow; it may be async).`,
    );
  },

  invalidOption(option: string, expected: string, actual: unknown): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_INVALID_BROWSER_OPTION',
      `auditBrowser() option '${option}' must be ${expected}, got ${describeValue(actual)}. Fix the option value.`,
    );
  },
});
