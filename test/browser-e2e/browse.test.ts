// What a person does in the history browser, in headless Chromium with JavaScript turned off (the pages must work
// without it): from the entity list to one entity's history, filtering with the GET form, paging with keyset links,
// a row's timeline, a version's transaction, the state at an instant and a CSV download of the filtered history.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, PERSON_VERSIONS, PersonAudit, day } from './fixture.js';
import { parseCsv } from '../browser/support/server.js';
import { column, follow, mainTable, q, query, readTable } from './pageTables.js';
import { PAGE_SIZE, useBrowserSuite } from './setup.js';

describeOnEachDatabase('history browser in Chromium', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  const suite = useBrowserSuite(ctx);
  const open = async () => (await suite.open({ javaScriptEnabled: false })).page;
  const ids = async (page: Page) => column(await readTable(mainTable(page)), /^_audit_id$|^id$|#/i).map(Number);
  const personHistory = async (page: Page) => {
    await page.goto(suite.server.url('/'));
    await follow(page, page.getByRole('link', { name: 'Person', exact: true }));
  };

  it('lists the shown entities with their number of versions and latest change', async () => {
    const page = await open();
    const response = await page.goto(suite.server.url('/'));
    expect(response?.status()).toBe(200);
    const rows = await readTable(mainTable(page));
    const byName = new Map(rows.map(row => [Object.values(row)[0], Object.values(row).join(' | ')]));
    expect([...byName.keys()].sort()).toEqual(['Person', 'Project']);
    expect(byName.get('Person')).toContain(String(PERSON_VERSIONS));
    expect(byName.get('Person')).toContain(day(4).toISOString().slice(0, 10));
    expect(byName.get('Project')).toMatch(/\b2\b/);
    expect(await page.locator('body').innerText()).not.toContain('Secret');
  });

  it('filters by actor and change type through the GET form, without JavaScript', async () => {
    const page = await open();
    await personHistory(page);
    expect(query(page).get('view')).toBe('history');
    expect(await ids(page)).toHaveLength(PAGE_SIZE);
    await fillFilter(page, { field: '_audit_actor', value: 'bob', type: 'U' });
    const params = query(page);
    expect([params.get('entity'), params.get('field'), params.get('value'), params.getAll('type').join(',')]).toEqual([
      'Person',
      '_audit_actor',
      'bob',
      'U',
    ]);
    const rows = await readTable(mainTable(page));
    expect(column(rows, /actor/i)).toEqual(['bob', 'bob', 'bob', 'bob']);
    expect(column(rows, /change|type/i)).toEqual(['U', 'U', 'U', 'U']);
    expect(rows.map(row => Object.values(row).join(' '))).toEqual(
      expect.arrayContaining([expect.stringContaining('Person five'), expect.stringContaining('37')]),
    );
  });

  it('pages older and newer with keyset links (no offset) and keeps the filters', async () => {
    const page = await open();
    await personHistory(page);
    const pages = [await ids(page)];
    const stamps = [column(await readTable(mainTable(page)), /timestamp/)];
    while ((await page.getByRole('link', { name: /older/i }).count()) > 0) {
      await follow(page, page.getByRole('link', { name: /older/i }).first());
      expect(query(page).get('before')).toBe(String(pages.at(-1)!.at(-1)));
      pages.push(await ids(page));
      stamps.push(column(await readTable(mainTable(page)), /timestamp/));
    }
    expect(stamps.flat().map(stamp => stamp.slice(0, 10))).toEqual([
      day(4), ...Array(3).fill(day(3)), ...Array(4).fill(day(2)), ...Array(12).fill(day(1)),
    ].map(d => (d as Date).toISOString().slice(0, 10)));
    // Every version once, newest first (MariaDB's auto-increment leaves gaps, so the ids come from the table).
    const stored = await ctx.t.orm.em.fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'desc' } });
    expect(pages.flat()).toEqual(stored.map(version => Number(version._audit_id)));
    expect(pages.map(p => p.length)).toEqual([5, 5, 5, 5]);
    await follow(page, page.getByRole('link', { name: /newer/i }).first());
    expect(query(page).has('after')).toBe(true);
    expect(await ids(page)).toEqual(pages[2]);
    await follow(page, page.getByRole('link', { name: /newer/i }).first());
    expect(await ids(page)).toEqual(pages[1]);
    expect(page.url()).not.toMatch(/offset|page=/i);

    await fillFilter(page, { type: 'U' });
    const updates = [column(await readTable(mainTable(page)), /change|type/i)];
    await follow(page, page.getByRole('link', { name: /older/i }).first());
    expect(query(page).getAll('type').join(',')).toBe('U');
    updates.push(column(await readTable(mainTable(page)), /change|type/i));
    expect(updates.flat()).toEqual(Array(7).fill('U'));
    expect(await page.getByRole('link', { name: /older/i }).count()).toBe(0);
  });

  it("opens a row's timeline with the changed fields, deleted versions included", async () => {
    const page = await open();
    await page.goto(suite.server.url(q({ view: 'history', entity: 'Person', key: '1' })));
    await follow(page, page.locator('a[href*="view=row"]').first());
    expect([query(page).get('entity'), query(page).get('key')]).toEqual(['Person', '1']);
    const text = await page.locator('body').innerText();
    expect(text).toContain('bob');
    expect(text).toContain('birthday');
    // Oldest first: the insert (every field new), then bob's update, whose only change is the age.
    const changes = page.locator('table').filter({ has: page.locator('th', { hasText: /^From$/ }) });
    expect(await changes.count()).toBe(2);
    expect(await readTable(changes.nth(1))).toEqual([{ Field: 'age', From: '36', To: '37' }]);
    expect(await highlighted(changes.nth(1))).toEqual({ field: ['age'], from: ['36'], to: ['37'] });
    expect((await highlighted(changes.nth(0))).field).toEqual(['id', 'name', 'website', 'age']);

    await page.goto(suite.server.url(q({ view: 'row', entity: 'Person', key: '2' })));
    const deleted = await page.locator('body').innerText();
    expect(deleted).toContain('Alan Turing');
    expect(deleted).toMatch(/\bD\b|deleted/i);
    expect(deleted).toContain('carol');
  });

  it('opens the transaction of a version: everything it changed, grouped by entity', async () => {
    const page = await open();
    await page.goto(suite.server.url(q({ view: 'row', entity: 'Person', key: '1' })));
    const bobs = page.locator(`a[href*="tx=${suite.transactions[1]}"]`);
    expect(await bobs.count()).toBeGreaterThan(0);
    await follow(page, bobs.first());
    expect(query(page).get('view')).toBe('tx');
    const tables = page.locator('table');
    expect(await tables.count()).toBe(2);
    const headings = await page.locator('h2').allInnerTexts();
    expect(headings.join(' ')).toMatch(/Person[^]*Project|Project[^]*Person/);
    const all = [...(await readTable(tables.nth(0))), ...(await readTable(tables.nth(1)))];
    expect(all).toHaveLength(5);
    expect(new Set(column(all, /actor/i))).toEqual(new Set(['bob']));
    expect(await page.locator('body').innerText()).toContain('Analytical Engine');
  });

  it('shows the state at an instant, chosen with the GET form, paged by key', async () => {
    const page = await open();
    await page.goto(suite.server.url(q({ view: 'asof', entity: 'Person' })));
    await fillForm(page, { at: '2024-03-02T12:00' }); // a datetime-local field, in UTC
    expect(query(page).get('at')).toMatch(/^2024-03-02T12:00/);
    const state = [...(await readTable(mainTable(page)))];
    while ((await page.locator('a[href*="afterKey="]').count()) > 0) {
      await follow(page, page.locator('a[href*="afterKey="]').first());
      state.push(...(await readTable(mainTable(page))));
    }
    expect(column(state, /^id$/i).map(Number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const person = (id: number) => Object.values(state[id - 1]!).join(' | ');
    expect(person(1)).toContain('37');
    expect(person(2)).toContain('Alan Turing');
    expect(person(6)).toContain('26');

    await page.goto(suite.server.url(q({ view: 'asof', entity: 'Person', at: day(5).toISOString() })));
    expect(await page.locator('body').innerText()).not.toContain('Alan Turing');
    await page.goto(suite.server.url(q({ view: 'asof', entity: 'Person', key: '1', at: day(1).toISOString() })));
    const ada = await page.locator('body').innerText();
    expect(ada).toContain('36');
    expect(ada).not.toContain('37');
  });

  it('downloads the filtered history as CSV', async () => {
    const page = await open();
    await personHistory(page);
    await fillFilter(page, { field: '_audit_actor', value: 'bob' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[href*="format=csv"]').first().click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const [header, ...rows] = parseCsv(await readFile(await download.path(), 'utf8'));
    const at = (name: string) => header!.indexOf(name);
    expect(header).toEqual(expect.arrayContaining(['_audit_id', '_audit_change_type', '_audit_actor', 'ticket', 'id', 'name', 'age']));
    const versions = rows.map(row => [row[at('id')], row[at('_audit_change_type')], row[at('_audit_actor')], row[at('ticket')]]);
    expect(versions.sort()).toEqual([
      ['1', 'U', 'bob', 'T-bob'],
      ['3', 'U', 'bob', 'T-bob'],
      ['4', 'U', 'bob', 'T-bob'],
      ['5', 'U', 'bob', 'T-bob'],
    ]);
    const auditIds = rows.map(row => Number(row[at('_audit_id')]));
    expect(auditIds).toEqual([...auditIds].sort((a, b) => b - a));
    expect(rows.find(row => row[at('id')] === '1')![at('age')]).toBe('37');
  });
});

interface Filter {
  field?: string;
  value?: string;
  type?: 'I' | 'U' | 'D';
}

/** Fills the history page's filter form and submits it (a GET: the query string becomes the new page's). */
async function fillFilter(page: Page, filter: Filter): Promise<void> {
  const form = page.locator('form').filter({ has: page.locator('[name="type"]') });
  if (filter.field !== undefined) {
    await setField(form.locator('[name="field"]'), filter.field);
  }
  if (filter.value !== undefined) {
    await form.locator('[name="value"]').fill(filter.value);
  }
  if (filter.type !== undefined) {
    const checkbox = form.locator(`input[name="type"][value="${filter.type}"]`);
    if ((await checkbox.count()) > 0) {
      await checkbox.check();
    } else {
      await form.locator('select[name="type"]').selectOption([filter.type]);
    }
  }
  await follow(page, form.locator('button, input[type="submit"]').first());
}

/** Fills the page's form that has each of `values`' names, and submits it. */
async function fillForm(page: Page, values: Record<string, string>): Promise<void> {
  let form = page.locator('form');
  for (const name of Object.keys(values)) {
    form = form.filter({ has: page.locator(`[name="${name}"]`) });
  }
  for (const [name, value] of Object.entries(values)) {
    await setField(form.locator(`[name="${name}"]`), value);
  }
  await follow(page, form.locator('button, input[type="submit"]').first());
}

async function setField(field: Locator, value: string): Promise<void> {
  if ((await field.and(field.page().locator('select')).count()) > 0) {
    await field.selectOption(value);
  } else {
    await field.fill(value);
  }
}

/** The highlighted (marked, deleted, inserted) text of a timeline's table of changes. */
async function highlighted(table: Locator): Promise<{ field: string[]; from: string[]; to: string[] }> {
  const texts = (selector: string) => table.locator(selector).allInnerTexts();
  return { field: await texts('mark'), from: await texts('del'), to: await texts('ins') };
}
