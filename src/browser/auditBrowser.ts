import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '@mikro-orm/core';
import { BrowserErrors } from '../errors/index.js';
import { handleRequest, type ResolvedBrowserOptions } from './handleRequest.js';

/** Options of `auditBrowser()`. */
export interface AuditBrowserOptions {
  /** Decides every request; required. Return true to allow. May be async. */
  authorize(req: IncomingMessage): boolean | Promise<boolean>;
  /** Rows per page. Defaults to 50 (max 500). */
  pageSize?: number;
  /** Title shown in the header. Defaults to 'Audit history'. */
  title?: string;
}

const DEFAULTS = Object.freeze({ pageSize: 50, title: 'Audit history' });
const MAX_PAGE_SIZE = 500;

/**
 * A read-only history browser of the entities marked `@AuditTrail({ showInAdmin: true })`, as a plain `node:http`
 * handler: `http.createServer(handler)` serves it at `/`, and any framework can mount it at a path of its own
 * (its links are query-only, so they work under any prefix). Access is denied unless `authorize(req)` says yes.
 *
 * @example
 * app.use('/admin/history', auditBrowser(orm, { authorize: req => req.user?.isAdmin === true }));
 */
export function auditBrowser(orm: MikroORM, options: AuditBrowserOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const resolved = resolveOptions(options);
  return (req, res) => {
    handleRequest(orm, resolved, req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : undefined);
    });
  };
}

function resolveOptions(options: AuditBrowserOptions | undefined): ResolvedBrowserOptions {
  const given = options as Partial<Record<keyof AuditBrowserOptions, unknown>> | undefined;
  if (typeof given?.authorize !== 'function') {
    throw BrowserErrors.noAuthorize(given?.authorize);
  }
  const { pageSize = DEFAULTS.pageSize, title = DEFAULTS.title } = options!;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw BrowserErrors.invalidOption('pageSize', `an integer from 1 to ${MAX_PAGE_SIZE}`, pageSize);
  }
  if (typeof title !== 'string') {
    throw BrowserErrors.invalidOption('title', 'a string', title);
  }
  // Called as a method, so an authorize that uses `this` keeps its object.
  return Object.freeze({ authorize: (req: IncomingMessage) => options!.authorize(req), pageSize, title });
}
