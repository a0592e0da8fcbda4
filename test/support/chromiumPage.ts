// Headless Debian Chromium driven by playwright-core, for the history browser's end-to-end tests. playwright-core
// never downloads a browser; the machine's /usr/bin/chromium is used (CI installs it), so no test depends on a
// browser build fetched at run time.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Where CI installs Debian's chromium package; AUDIT_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.AUDIT_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium; `--no-sandbox` because CI runs as root. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** Everything a page did that a page of the history browser never should. */
export interface PageRecord {
  /** Every alert/confirm/prompt/beforeunload dialog, as `type: message`. */
  readonly dialogs: string[];
  /** Every request whose origin is not the test server's. */
  readonly foreignRequests: string[];
  /** Every request that is not a page navigation (images, scripts, styles, fetches, favicons), as `type url`. */
  readonly subresources: string[];
  /** Console messages of type error, and uncaught page errors. */
  readonly consoleErrors: string[];
}

export interface RecordedPage {
  readonly page: Page;
  readonly record: PageRecord;
  /** DOM changes (added nodes, changed attributes) made after the document was parsed. */
  mutations(): Promise<string[]>;
  close(): Promise<void>;
}

// Runs in every document before its own content (through the DevTools protocol, so the page's CSP does not apply):
// once parsing is done, a MutationObserver logs every change, which a page without JavaScript never makes.
const OBSERVE_MUTATIONS = `
  window.__auditMutations = [];
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(records => {
      for (const r of records) {
        const target = r.target.nodeName + (r.attributeName ? '@' + r.attributeName : '');
        const added = [...r.addedNodes].map(n => n.nodeName).join(',');
        window.__auditMutations.push(r.type + ' ' + target + (added ? ' +' + added : ''));
      }
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  });
`;

/**
 * Opens a page in a fresh context of `browser` that records dialogs (and dismisses them), requests to any origin
 * other than `serverOrigin`, subresource requests, console errors and DOM mutations.
 */
export async function recordedPage(browser: Browser, serverOrigin: string, options: BrowserContextOptions = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 650 }, deviceScaleFactor: 1, ...options });
  await context.addInitScript(OBSERVE_MUTATIONS);
  const page = await context.newPage();
  const record: PageRecord = { dialogs: [], foreignRequests: [], subresources: [], consoleErrors: [] };
  page.on('dialog', dialog => {
    record.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('request', request => {
    if (new URL(request.url()).origin !== serverOrigin) {
      record.foreignRequests.push(request.url());
    }
    if (request.resourceType() !== 'document') {
      record.subresources.push(`${request.resourceType()} ${request.url()}`);
    }
  });
  page.on('console', message => {
    if (message.type() === 'error') {
      record.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', error => record.consoleErrors.push(error.message));
  return {
    page,
    record,
    // A string, evaluated in the page: the project compiles without the DOM library.
    mutations: () => page.evaluate<string[]>('window.__auditMutations ?? []'),
    close: () => context.close(),
  };
}
