// One browser end-to-end suite per database: the fixture's history written through the ORM, auditBrowser served by
// node:http on 127.0.0.1, and headless Chromium. `authorize` lets in requests that carry `x-e2e-user: admin`,
// which the test contexts send; a request without it is refused, and `x-e2e-user: throw` makes authorize throw.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { auditBrowser, type AuditBrowserOptions } from '../../src/index.js';
import { launchChromium, recordedPage, type RecordedPage } from '../support/chromiumPage.js';
import { serveOnLocalhost, type TestServer } from '../support/httpServer.js';
import type { SuiteContext } from '../support/suite.js';
import { seedHistory } from './fixture.js';

export const ADMIN = { 'x-e2e-user': 'admin' };

/** Page size of the served browser: the fixture's 20 Person versions make four pages. */
export const PAGE_SIZE = 5;

export function authorize(req: IncomingMessage): boolean {
  const user = req.headers['x-e2e-user'];
  if (user === 'throw') {
    throw new Error('the session store is down');
  }
  return user === 'admin';
}

export interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
  /** The transaction ids of the fixture's days 1 to 4. */
  readonly transactions: readonly string[];
  /** A recording page logged in as admin (extra options merged), closed after the test file. */
  open(options?: BrowserContextOptions): Promise<RecordedPage>;
}

/**
 * Registers the hooks that seed `ctx`'s database (with `seed`, the fixture's history by default), serve
 * auditBrowser over it and launch Chromium; call it inside a describeOnEachDatabase body.
 */
export function useBrowserSuite(
  ctx: SuiteContext,
  seed: (ctx: SuiteContext) => Promise<string[]> = c => seedHistory(c.t.orm.em.fork()),
  options: Partial<AuditBrowserOptions> = {},
): BrowserSuite {
  let state: { server: TestServer; browser: Browser; transactions: string[] } | undefined;
  const pages: RecordedPage[] = [];
  beforeAll(async () => {
    const transactions = await seed(ctx);
    const server = await serveOnLocalhost(auditBrowser(ctx.t.orm, { authorize, pageSize: PAGE_SIZE, ...options }));
    state = { server, browser: await launchChromium(), transactions };
  });
  afterAll(async () => {
    await Promise.all(pages.map(page => page.close()));
    await state?.browser.close();
    await state?.server.close();
  });
  const get = () => {
    if (!state) {
      throw new Error('the browser suite starts in beforeAll');
    }
    return state;
  };
  return {
    get server() {
      return get().server;
    },
    get browser() {
      return get().browser;
    },
    get transactions() {
      return get().transactions;
    },
    async open(extra = {}) {
      const page = await recordedPage(get().browser, get().server.origin, { extraHTTPHeaders: ADMIN, ...extra });
      pages.push(page);
      return page;
    },
  };
}
