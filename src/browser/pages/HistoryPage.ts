import { findHistoryPage, historyWhere } from '../historyQuery.js';
import { html, type SafeHtml } from '../html.js';
import { historyTable } from '../historyTable.js';
import { link, type LinkParams } from '../links.js';
import type { Page, PageContext } from '../Page.js';
import type { HistoryFilters, HistoryPosition } from '../parseQuery.js';
import { shownEntity, type ShownEntity } from '../shownEntities.js';

/** The filters as query parameters, kept by every link of the page (pager, export). */
export function filterParams(filters: HistoryFilters): LinkParams {
  return {
    type: filters.types,
    field: filters.field,
    value: filters.value,
    from: filters.from?.toISOString(),
    to: filters.to?.toISOString(),
    key: filters.key,
    tx: filters.tx,
  };
}

/** The history of one entity, newest first, filtered, one keyset page at a time, with Newer / Older links. */
export async function historyPage(ctx: PageContext, name: string, filters: HistoryFilters, position: HistoryPosition): Promise<Page> {
  const entity = shownEntity(ctx.em, name);
  const page = await findHistoryPage(ctx.em, entity, historyWhere(entity, filters), position, ctx.pageSize);
  const kept = { entity: entity.name, ...filterParams(filters) };
  const newest = page.rows[0]?._audit_id;
  const oldest = page.rows.at(-1)?._audit_id;
  const pager = html`<nav class="pages">${
    page.hasNewer && newest !== undefined ? html`<a href="${link({ view: 'history', ...kept, after: newest })}" rel="prev">Newer</a>` : html`<span class="muted">Newer</span>`
  }${page.hasOlder && oldest !== undefined ? html`<a href="${link({ view: 'history', ...kept, before: oldest })}" rel="next">Older</a>` : html`<span class="muted">Older</span>`}
<a href="${link({ view: 'export', ...kept, format: 'csv' })}">Export CSV</a><a href="${link({ view: 'export', ...kept, format: 'json' })}">Export JSON</a></nav>`;
  const table = page.rows.length === 0 ? html`<p>No version matches.</p>` : historyTable(entity, page.rows);
  return { heading: `History of ${entity.name}`, body: html`${filterForm(entity, filters)}${pager}${table}${pager}` };
}

// A GET form, so that filtering works without JavaScript; the page's own path is its action.
function filterForm(entity: ShownEntity, filters: HistoryFilters): SafeHtml {
  const typeBox = (type: string, label: string) =>
    html`<label>${label}<input type="checkbox" name="type" value="${type}"${filters.types.includes(type as never) ? html` checked` : null}></label>`;
  const fieldOption = (name: string) => html`<option value="${name}"${filters.field === name ? html` selected` : null}>${name}</option>`;
  const iso = (date: Date | undefined) => date?.toISOString().replace(/Z$/, '') ?? '';
  return html`<form method="get">
<input type="hidden" name="view" value="history"><input type="hidden" name="entity" value="${entity.name}">
${entity.hasChangeType ? [typeBox('I', 'Insert'), typeBox('U', 'Update'), typeBox('D', 'Delete')] : null}
<label>Field<select name="field"><option value="">(any)</option>${[...entity.filterFields.keys()].map(fieldOption)}</select></label>
<label>Value<input name="value" value="${filters.value ?? ''}"></label>
<label>From (UTC)<input type="datetime-local" step="0.001" name="from" value="${iso(filters.from)}"></label>
<label>To (UTC)<input type="datetime-local" step="0.001" name="to" value="${iso(filters.to)}"></label>
<label>Key<input name="key" value="${filters.key ?? ''}"></label>
<label>Transaction<input name="tx" value="${filters.tx ?? ''}"></label>
<button type="submit">Filter</button> <a href="${link({ view: 'history', entity: entity.name })}">Clear</a></form>`;
}
