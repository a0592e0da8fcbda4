// The history browser on a large history (PostgreSQL): over HTTP against a real node:http server, the median
// answer time of the first history page, a page 1,000 pages deep (keyset: `before=` the id that ends page 999),
// the first page filtered by actor, and one row's timeline (100 versions). Each answer is checked for the rows it
// must show, so a fast wrong answer does not count.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditBrowser } from '../src/index.js';
import { ACTORS, VERSIONS_PER_KEY, browserBenchData } from './browserData.js';

export interface BrowserCaseResult {
  readonly name: string;
  readonly url: string;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly requests: number;
}

export interface BrowserResult {
  readonly database: 'postgresql';
  readonly auditRows: number;
  readonly pageSize: number;
  readonly built: boolean;
  readonly buildMs: number;
  readonly cases: BrowserCaseResult[];
}

const PAGE_SIZE = 50;
const DEEP_PAGE = 1000;

export async function benchBrowser(rows: number, requests: number): Promise<BrowserResult> {
  const data = await browserBenchData(rows);
  const server = createServer(auditBrowser(data.orm, { authorize: () => true, pageSize: PAGE_SIZE }));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // Ids run 1..rows, newest highest: page 999 ends at the (999 * 50)th newest row; page 1000 starts below it.
    const lastOfPage999 = rows - (DEEP_PAGE - 1) * PAGE_SIZE + 1;
    const key = Math.floor(data.keys / 2) + 1;
    const q = (params: Record<string, string>) => `${origin}?${new URLSearchParams({ view: 'history', entity: 'BenchBrowsed', ...params }).toString()}`;
    const cases: [string, string, string[]][] = [
      ['first history page', q({}), [`>${rows}<`, `>${rows - PAGE_SIZE + 1}<`]],
      [`page ${DEEP_PAGE} (before=)`, q({ before: String(lastOfPage999) }), [`>${lastOfPage999 - 1}<`, `>${lastOfPage999 - PAGE_SIZE}<`]],
      ['first page filtered by actor', q({ field: '_audit_actor', value: 'user7' }), ['>user7<']],
      [`row timeline (${VERSIONS_PER_KEY} versions)`, q({ view: 'row', key: String(key) }), [`Person ${key} v0`, `Person ${key} v${VERSIONS_PER_KEY - 1}`]],
    ];
    const results: BrowserCaseResult[] = [];
    for (const [name, url, mustShow] of cases) {
      results.push(await timeRequests(name, url, mustShow, requests));
    }
    return { database: 'postgresql', auditRows: rows, pageSize: PAGE_SIZE, built: data.built, buildMs: Math.round(data.buildMs), cases: results };
  } finally {
    server.close();
    await data.orm.close();
  }
}

async function timeRequests(name: string, url: string, mustShow: readonly string[], requests: number): Promise<BrowserCaseResult> {
  const samples: number[] = [];
  for (let i = -3; i < requests; i++) {
    const start = performance.now();
    const response = await fetch(url);
    const body = await response.text();
    const ms = performance.now() - start;
    if (response.status !== 200 || mustShow.some(text => !body.includes(text))) {
      throw new Error(`${name}: ${url} answered ${response.status} without ${mustShow.filter(t => !body.includes(t)).join(', ')}`);
    }
    if (i >= 0) {
      samples.push(ms); // the first three warm the connection pool and the statement caches
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Number(samples[Math.min(samples.length - 1, Math.floor(samples.length * q))]!.toFixed(2));
  return { name, url: url.replace(/^http:\/\/[^/]+\//, '/'), medianMs: at(0.5), p95Ms: at(0.95), requests };
}

/** One line per case, in the style of the other cases' output. */
export function printBrowserResult(r: BrowserResult): void {
  const how = r.built ? `built in ${(r.buildMs / 1000).toFixed(1)} s` : 'reused';
  console.log(`postgresql: history browser over HTTP on ${r.auditRows.toLocaleString('en')} audit rows (${how}), ${r.pageSize} rows per page, ${ACTORS} actors:`);
  for (const c of r.cases) {
    console.log(`  ${c.name.padEnd(32)} ${c.medianMs} ms median, ${c.p95Ms} ms p95 over ${c.requests} requests   ${c.url}`);
  }
}
