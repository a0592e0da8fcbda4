// Reading what a person sees on the browser's pages: tables as header → cell text records, and following links
// and GET forms by clicking (the pages are used without JavaScript).
import type { Locator, Page } from 'playwright-core';

export type TableRow = Record<string, string>;

/** The rows of `table` (a locator of one <table>), keyed by the header cells' text. */
export async function readTable(table: Locator): Promise<TableRow[]> {
  const headers = (await table.locator('thead th').allInnerTexts()).map(text => text.trim());
  const rows = table.locator('tbody tr');
  const result: TableRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = (await rows.nth(i).locator('th, td').allInnerTexts()).map(text => text.trim());
    result.push(Object.fromEntries(headers.map((header, j) => [header, cells[j] ?? ''])));
  }
  return result;
}

/** The first table of the page's main content. */
export function mainTable(page: Page): Locator {
  return page.locator('table').first();
}

/** The value of the column whose header matches `header` (e.g. /actor/), for each row. */
export function column(rows: readonly TableRow[], header: RegExp): string[] {
  return rows.map(row => {
    const key = Object.keys(row).find(name => header.test(name));
    if (key === undefined) {
      throw new Error(`no column matches ${String(header)}; columns: ${Object.keys(row).join(', ')}`);
    }
    return row[key]!;
  });
}

/** Clicks `link` and waits for the page it leads to. */
export async function follow(page: Page, link: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), link.click()]);
  await page.waitForLoadState('load');
}

/** A query-only URL of the browser (it routes by query, whatever the path). */
export function q(params: Record<string, string>): string {
  return `/?${new URLSearchParams(params).toString()}`;
}

/** The page's query parameters. */
export function query(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}
