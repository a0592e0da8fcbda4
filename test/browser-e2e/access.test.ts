// Who gets what: authorize decides every request (refused or throwing: 403 and none of the history), only entities
// marked showInAdmin are reachable, only GET and HEAD are answered, and every response carries the strict headers;
// Chromium itself refuses to run an inline script under the page's CSP.
import { expect, it } from 'vitest';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES } from './fixture.js';
import { q } from './pageTables.js';
import { useBrowserSuite } from './setup.js';


/** Words of the fixture's history: none may reach someone authorize refused. */
const DATA = ['Ada', 'Lovelace', 'Person', 'Project', 'Engine', 'alice', 'bob', 'T-bob', 'birthday', '2024'];

describeOnEachDatabase('history browser access in Chromium', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  const suite = useBrowserSuite(ctx);
  const urls = () => [
    '/',
    q({ view: 'history', entity: 'Person' }),
    q({ view: 'history', entity: 'Person', field: '_audit_actor', value: 'bob' }),
    q({ view: 'row', entity: 'Person', key: '1' }),
    q({ view: 'tx', tx: suite.transactions[1]! }),
    q({ view: 'asof', entity: 'Person', at: '2024-03-02T12:00:00Z' }),
    q({ view: 'export', entity: 'Person', format: 'csv' }),
    q({ view: 'export', entity: 'Person', format: 'json' }),
    q({ view: 'history', entity: 'Nope' }),
  ];

  for (const [who, headers] of [
    ['no user', {}],
    ['a user authorize refuses', { 'x-e2e-user': 'mallory' }],
    ['a request on which authorize throws', { 'x-e2e-user': 'throw' }],
  ] as const) {
    it(`answers ${who} with 403 and no data, on every page and the exports`, async () => {
      const { page } = await suite.open({ extraHTTPHeaders: headers });
      for (const url of urls()) {
        const response = await page.request.get(suite.server.url(url), { headers });
        expect(response.status(), url).toBe(403);
        const body = await response.text();
        expect(DATA.filter(word => body.includes(word)), url).toEqual([]);
        expect(response.headers()['content-disposition'], url).toBeUndefined();
      }
      const shown = await page.goto(suite.server.url(q({ view: 'history', entity: 'Person' })));
      expect(shown?.status()).toBe(403);
      expect(await page.locator('table').count()).toBe(0);
    });
  }

  it('lets the same request in when authorize says yes (the 403s above are authorize, not a broken page)', async () => {
    const { page } = await suite.open();
    for (const url of urls().slice(0, 6)) {
      const response = await page.request.get(suite.server.url(url));
      expect(response.status(), url).toBe(200);
    }
  });

  it('does not show an entity without showInAdmin, nor an unknown one: 404', async () => {
    const { page } = await suite.open();
    for (const entity of ['Secret', 'SecretAudit', 'Nope']) {
      const response = await page.goto(suite.server.url(q({ view: 'history', entity })));
      expect(response?.status(), entity).toBe(404);
      expect(await page.locator('body').innerText()).not.toContain('top-secret-code');
    }
    await page.goto(suite.server.url('/'));
    expect(await page.locator('body').innerText()).not.toMatch(/Secret/);
  });

  it('answers only GET and HEAD (405 with Allow otherwise)', async () => {
    const { page } = await suite.open();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await page.request.fetch(suite.server.url('/'), { method });
      expect(response.status(), method).toBe(405);
      expect(response.headers()['allow']).toMatch(/GET.*HEAD|HEAD.*GET/);
    }
    const head = await page.request.head(suite.server.url(q({ view: 'history', entity: 'Person' })));
    expect(head.status()).toBe(200);
  });

  it('sends a CSP without script, and the strict headers, on every page', async () => {
    const { page } = await suite.open();
    for (const url of urls().slice(0, 6)) {
      const headers = (await page.request.get(suite.server.url(url))).headers();
      const csp = headers['content-security-policy'] ?? '';
      expect(csp, url).toMatch(/default-src 'none'/);
      expect(csp, url).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
      expect(csp, url).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp, url).toMatch(/frame-ancestors 'none'/);
      expect(csp, url).toMatch(/base-uri 'none'/);
      expect(csp, url).toMatch(/form-action 'self'/);
      expect([headers['x-content-type-options'], headers['referrer-policy'], headers['cache-control']], url).toEqual([
        'nosniff',
        'no-referrer',
        'no-store',
      ]);
    }
  });

  it('has no script, and Chromium refuses to run one inserted into the page', async () => {
    const recorded = await suite.open();
    const { page } = recorded;
    await page.goto(suite.server.url(q({ view: 'history', entity: 'Person' })));
    expect(await page.locator('script').count()).toBe(0);
    const violations = page.evaluate<string>(
      `new Promise(resolve => document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective)))`,
    );
    await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ranInline = true';
      document.body.append(script);
    })()`);
    expect(await violations).toMatch(/^script-src/);
    expect(await page.evaluate<unknown>('window.__ranInline')).toBeUndefined();
    expect(recorded.record.consoleErrors.join('\n')).toMatch(/inline script violates|Refused to execute inline script/);
  });

  it('applies the inline style it declares: the CSP hash matches the CSS', async () => {
    const recorded = await suite.open();
    await recorded.page.goto(suite.server.url(q({ view: 'history', entity: 'Person' })));
    expect(recorded.record.consoleErrors.filter(error => /Content Security Policy|style/i.test(error))).toEqual([]);
    expect(await recorded.page.locator('style').count()).toBeGreaterThan(0);
  });
});
