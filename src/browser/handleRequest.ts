import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '@mikro-orm/core';
import { BrowserRequestError } from './BrowserRequestError.js';
import { exportStream } from './exportStream.js';
import { html } from './html.js';
import { layout, setSecurityHeaders } from './layout.js';
import type { Page, PageContext } from './Page.js';
import { asOfPage } from './pages/AsOfPage.js';
import { entitiesPage } from './pages/EntitiesPage.js';
import { historyPage } from './pages/HistoryPage.js';
import { rowTimelinePage } from './pages/RowTimelinePage.js';
import { transactionPage } from './pages/TransactionPage.js';
import { parseQuery, type BrowserRequest } from './parseQuery.js';
import { withReadSession } from '../read/readSession.js';

/** The browser's options after defaults were applied and checked. */
export interface ResolvedBrowserOptions {
  readonly authorize: (req: IncomingMessage) => boolean | Promise<boolean>;
  readonly pageSize: number;
  readonly title: string;
}

/**
 * Answers one request: GET and HEAD only, `authorize` first (anything but `true`, or a throw, is 403 with no data),
 * then the page the query names. The request path is ignored, so the browser works wherever it is mounted.
 */
export async function handleRequest(orm: MikroORM, options: ResolvedBrowserOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  setSecurityHeaders(res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(req, res, 405, options.title, 'Method not allowed', 'The history browser is read-only: it answers GET and HEAD.');
  }
  if (!(await isAuthorized(options, req))) {
    return send(req, res, 403, options.title, 'Forbidden', 'You are not allowed to read history.');
  }
  try {
    const request = parseQuery(req.url);
    const em = orm.em.fork({ clear: true });
    if (request.view === 'export') {
      // Each batch is read in a session of its own: a slow download must not hold a connection between batches.
      return await exportStream({ em, pageSize: options.pageSize }, req, res, request);
    }
    const page = await withReadSession(em, tx => render({ em: tx, pageSize: options.pageSize }, request));
    send(req, res, 200, options.title, page.heading, page);
  } catch (error) {
    if (res.headersSent) {
      // A download failed half-way: cut it off rather than let it look complete.
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    setSecurityHeaders(res);
    if (error instanceof BrowserRequestError) {
      return send(req, res, error.status, options.title, error.status === 404 ? 'Not found' : 'Bad request', error.message);
    }
    // The cause may hold data or SQL: it stays on the server, on stderr as Express's final handler logs errors
    // (MikroORM's logger drops messages of namespaces not in its `debug` option).
    console.error('mikro-orm-audit-trail browser:', error);
    return send(req, res, 500, options.title, 'Error', 'The history could not be read.');
  }
}

async function isAuthorized(options: ResolvedBrowserOptions, req: IncomingMessage): Promise<boolean> {
  try {
    return (await options.authorize(req)) === true;
  } catch {
    return false;
  }
}

function render(ctx: PageContext, request: Exclude<BrowserRequest, { view: 'export' }>): Promise<Page> {
  switch (request.view) {
    case 'entities':
      return entitiesPage(ctx);
    case 'history':
      return historyPage(ctx, request.entity, request.filters, request.position);
    case 'row':
      return rowTimelinePage(ctx, request.entity, request.key);
    case 'asof':
      return asOfPage(ctx, request);
    case 'tx':
      return transactionPage(ctx, request.tx);
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, title: string, heading: string, content: Page | string): void {
  const body = typeof content === 'string' ? html`<p>${content}</p>` : content.body;
  const text = layout(title, heading, body);
  res.statusCode = status;
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
