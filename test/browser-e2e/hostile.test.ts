// History is hostile input: values that would run script if pasted into HTML are stored in audited columns, in a
// track field, as the actor and as the reason, and every page that shows them (and every error page that might
// echo a parameter) is opened in Chromium with JavaScript on. Nothing may run or load: no dialog, no request but
// the page itself, no element the values would create, no DOM change after parsing, every link query-only; and
// each value reads as text. The same pages are opened again with the CSP bypassed, so the escaping is proven on its
// own, not only the CSP.
import { expect, it } from 'vitest';
import { auditContext } from '../../src/index.js';
import type { RecordedPage } from '../support/chromiumPage.js';
import { describeOnEachDatabase } from '../support/suite.js';
import type { SuiteContext } from '../support/suite.js';
import { ENTITIES, Person, PersonAudit, Project } from './fixture.js';
import { q } from './pageTables.js';
import { useBrowserSuite } from './setup.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  "' autofocus onfocus='alert(1)",
  '</style><script>alert(1)</script>',
  '</title><svg onload=alert(1)>',
  '</textarea><iframe src=javascript:alert(1)>',
  '=HYPERLINK("http://127.0.0.2/x","click")',
];

/** Person i+1 is created, then updated, by actor HOSTILE[i] with reason and ticket HOSTILE[i]; one transaction each. */
async function seedHostile(ctx: SuiteContext): Promise<string[]> {
  const em = ctx.t.orm.em.fork();
  for (const [i, value] of HOSTILE.entries()) {
    await auditContext.run({ user: value, reason: value, ticket: value }, async () => {
      em.create(Person, { id: i + 1, name: value, website: HOSTILE[(i + 1) % HOSTILE.length]!, age: i });
      em.create(Project, { id: i + 1, title: value });
      await em.flush();
    });
  }
  await auditContext.run({ user: HOSTILE[0]!, reason: HOSTILE[1]!, ticket: HOSTILE[2]! }, async () => {
    for (const person of await em.find(Person, {})) {
      person.website = HOSTILE[(person.id + 3) % HOSTILE.length]!;
    }
    await em.flush();
  });
  const versions = await em.fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'asc' } });
  return [...new Set(versions.map(version => String(version._audit_transaction)))];
}


/** Every page that shows a stored value, and the pages that get a hostile value as a parameter. */
function hostileUrls(transactions: readonly string[]): string[] {
  const history = { view: 'history', entity: 'Person' };
  return [
    '/',
    q(history),
    q({ view: 'history', entity: 'Project' }),
    ...HOSTILE.flatMap(value => [
      q({ ...history, field: '_audit_actor', value }),
      q({ ...history, field: '_audit_reason', value }),
      q({ ...history, field: 'ticket', value }),
      q({ view: 'history', entity: value }),
      q({ ...history, type: value }),
      q({ ...history, from: value }),
      q({ ...history, key: value }),
      q({ ...history, before: value }),
      q({ view: 'asof', entity: 'Person', at: value }),
      q({ view: value }),
    ]),
    ...HOSTILE.map((_, i) => q({ view: 'row', entity: 'Person', key: String(i + 1) })),
    ...transactions.map(tx => q({ view: 'tx', tx })),
    q({ view: 'asof', entity: 'Person', at: new Date().toISOString() }),
    q({ view: 'asof', entity: 'Person', key: '2', at: new Date().toISOString() }),
  ];
}

/** What a page that ran nothing looks like; returns the problems found, none if clean. */
async function problems(recorded: RecordedPage): Promise<string[]> {
  const { page, record } = recorded;
  const found = [
    ...record.dialogs.map(d => `dialog ${d}`),
    ...record.foreignRequests.map(r => `foreign request ${r}`),
    ...record.subresources.map(r => `request ${r}`),
    ...(await recorded.mutations()).map(m => `mutation ${m}`),
  ];
  const injected = await page.locator('script, img, svg, iframe, object, embed, [onerror], [onload], [onfocus], [autofocus]').count();
  if (injected > 0) {
    found.push(`${injected} injected element(s)`);
  }
  const targets = await page.evaluate<string[]>(
    `[...document.querySelectorAll('a, form, [href], [action], [src], [formaction]')]
      .flatMap(el => ['href', 'action', 'src', 'formaction'].map(name => el.getAttribute(name)).filter(v => v !== null))`,
  );
  for (const target of targets) {
    if (!target.startsWith('?')) {
      found.push(`a link or form target that is not query-only: ${target}`);
    }
  }
  if (!(await page.evaluate<boolean>('document.activeElement === document.body'))) {
    found.push('something took the focus');
  }
  record.dialogs.length = 0;
  record.foreignRequests.length = 0;
  record.subresources.length = 0;
  return found;
}

describeOnEachDatabase('hostile history values in Chromium', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  const suite = useBrowserSuite(ctx, seedHostile, { pageSize: 100 });

  for (const bypassCSP of [false, true]) {
    it(`runs nothing and loads nothing on any page${bypassCSP ? ', even with the CSP bypassed' : ''}`, async () => {
      const recorded = await suite.open({ bypassCSP });
      const found: string[] = [];
      for (const url of hostileUrls(suite.transactions)) {
        const response = await recorded.page.goto(suite.server.url(url), { waitUntil: 'load' });
        expect(response?.status(), url).toBeLessThan(500);
        found.push(...(await problems(recorded)).map(problem => `${url}: ${problem}`));
      }
      expect(found).toEqual([]);
    });
  }

  it('shows each hostile value as text, in the history, the filters, the timeline and the transaction', async () => {
    const { page } = await suite.open();
    const visible = async (url: string, values: readonly string[]) => {
      await page.goto(suite.server.url(url));
      for (const value of values) {
        expect(await page.getByText(value).first().isVisible(), `${value} on ${url}`).toBe(true);
      }
    };
    await visible(q({ view: 'history', entity: 'Person' }), HOSTILE);
    await visible(q({ view: 'history', entity: 'Project' }), HOSTILE);
    for (const [i, value] of HOSTILE.entries()) {
      await visible(q({ view: 'row', entity: 'Person', key: String(i + 1) }), [value]);
      await page.goto(suite.server.url(q({ view: 'history', entity: 'Person', field: 'ticket', value })));
      expect(await page.locator('[name="value"]').inputValue()).toBe(value);
    }
    await visible(q({ view: 'tx', tx: suite.transactions[0]! }), [HOSTILE[0]!]);
  });

  it('exports spreadsheet formulas neutralised in CSV', async () => {
    const response = await fetch(suite.server.url(q({ view: 'export', entity: 'Person', format: 'csv' })), { headers: { 'x-e2e-user': 'admin' } });
    const text = await response.text();
    expect(text).toContain(`'=HYPERLINK(`);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});
