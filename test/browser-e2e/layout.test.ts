// Readable on a phone: on a 390x844 screen the history page's body does not scroll sideways; wide tables scroll
// inside their wrapper instead. With AUDIT_SCREENSHOTS=1 the run also writes the README's screenshots of the four
// main pages (1000x650, device scale 1) to docs/screenshots/.
import { mkdir } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES } from './fixture.js';
import { q } from './pageTables.js';
import { useBrowserSuite } from './setup.js';

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

const MAIN_PAGES = {
  entities: '/',
  history: q({ view: 'history', entity: 'Person' }),
  'row-timeline': q({ view: 'row', entity: 'Person', key: '1' }),
  'state-at-an-instant': q({ view: 'asof', entity: 'Person', at: '2024-03-02T12:00:00.000Z' }),
};

describeOnEachDatabase('history browser layout in Chromium', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  const suite = useBrowserSuite(ctx);

  it('keeps the body of the history page within a phone-sized screen; tables scroll in their wrapper', async () => {
    const { page } = await suite.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(suite.server.url(MAIN_PAGES.history));
    expect(await page.locator('meta[name="viewport"]').getAttribute('content')).toMatch(/width=device-width/);
    const overflow = await page.evaluate<{ body: number; page: number; viewport: number }>(
      '({ body: document.body.scrollWidth, page: document.documentElement.scrollWidth, viewport: window.innerWidth })',
    );
    expect(overflow.body).toBeLessThanOrEqual(overflow.viewport);
    expect(overflow.page).toBeLessThanOrEqual(overflow.viewport);
    // Every table sits in a wrapper that scrolls sideways, so a wide one scrolls there, not the page.
    const wrappers = await page.evaluate<string[]>(
      `[...document.querySelectorAll('table')].map(table => getComputedStyle(table.parentElement).overflowX)`,
    );
    expect(wrappers.length).toBeGreaterThan(0);
    expect(wrappers.filter(overflow => !/auto|scroll/.test(overflow))).toEqual([]);
  });

  it('renders the four main pages (and writes their screenshots with AUDIT_SCREENSHOTS=1)', async () => {
    const { page, record } = await suite.open({ viewport: { width: 1000, height: 650 }, deviceScaleFactor: 1 });
    const write = process.env.AUDIT_SCREENSHOTS === '1' && ctx.db.name === 'sqlite';
    if (write) {
      await mkdir(SCREENSHOTS, { recursive: true });
    }
    for (const [name, url] of Object.entries(MAIN_PAGES)) {
      const response = await page.goto(suite.server.url(url));
      expect(response?.status(), name).toBe(200);
      expect(await page.locator('table').count(), name).toBeGreaterThan(0);
      if (write) {
        await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });
      }
    }
    expect(record.consoleErrors).toEqual([]);
  });
});
