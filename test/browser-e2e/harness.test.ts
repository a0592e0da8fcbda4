// The detectors the hostile-value test relies on must see what they claim to see: a page that does run script
// (served here without any CSP) is caught by each of them. Otherwise "no dialog, no request, no mutation" would
// prove nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, recordedPage } from '../support/chromiumPage.js';
import { serveOnLocalhost, type TestServer } from '../support/httpServer.js';

let browser: Browser;
let server: TestServer;
let elsewhere: TestServer;

const EVIL_PAGE = (foreign: string) => `<!doctype html><title>evil</title><body><p id="p">text</p>
<script>alert('from script'); addEventListener('load', () => document.getElementById('p').setAttribute('data-x', '1'));</script>
<img src="${foreign}/pixel.png" onerror="console.error('img failed')"></body>`;

beforeAll(async () => {
  browser = await launchChromium();
  elsewhere = await serveOnLocalhost((_req, res) => res.writeHead(404).end());
  server = await serveOnLocalhost((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(EVIL_PAGE(elsewhere.origin));
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await elsewhere?.close();
});

it('records the dialog, the request to another origin, console errors and DOM mutations of a page that runs script', async () => {
  const recorded = await recordedPage(browser, server.origin);
  await recorded.page.goto(server.url('/'), { waitUntil: 'load' });
  expect(recorded.record.dialogs).toEqual(["alert: from script"]);
  expect(recorded.record.foreignRequests).toEqual([`${elsewhere.origin}/pixel.png`]);
  expect(recorded.record.subresources).toEqual([`image ${elsewhere.origin}/pixel.png`]);
  expect(recorded.record.consoleErrors).toContain('img failed');
  expect(await recorded.mutations()).toEqual(['attributes P@data-x']);
  await recorded.close();
});
