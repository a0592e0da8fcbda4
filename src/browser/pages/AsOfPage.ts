import { asOf } from '../../read/asOf.js';
import { asOfPage as findAsOfPage } from '../../read/asOfPage.js';
import { keyText, parseKey } from '../coerceParameter.js';
import type { HistoryRow } from '../../read/historyBatches.js';
import { html, type SafeHtml } from '../html.js';
import { cell } from '../historyTable.js';
import { scrollTable } from '../layout.js';
import { link } from '../links.js';
import type { Page, PageContext } from '../Page.js';
import { shownEntity, type ShownEntity } from '../shownEntities.js';

/** What `view=asof` asks for: an entity, an instant, and a key (one row) or none (every row, paged by key). */
export interface AsOfQuery {
  readonly entity: string;
  readonly at?: Date;
  readonly key?: string;
  readonly afterKey?: string;
}

/**
 * The state of one row, or of every row of the entity (keyset-paged on the primary key), as it was at an instant,
 * read with `asOf`: the latest version written at or before it, deleted rows left out.
 */
export async function asOfPage(ctx: PageContext, query: AsOfQuery): Promise<Page> {
  const entity = shownEntity(ctx.em, query.entity);
  const form = instantForm(entity, query);
  const heading = `${entity.name} at ${query.at?.toISOString() ?? 'an instant'}`;
  if (query.at === undefined) {
    return { heading, body: html`${form}<p>Choose an instant (UTC).</p>` };
  }
  if (query.key !== undefined) {
    const row = (await asOf(ctx.em, entity.type, parseKey(entity, query.key, 'key'), query.at)) as HistoryRow | null;
    const body = row === null ? html`<p>This row did not exist at that instant (not yet created, or deleted).</p>` : oneRow(entity, row);
    return { heading, body: html`${form}${body}` };
  }
  const afterKey = query.afterKey === undefined ? undefined : parseKey(entity, query.afterKey, 'afterKey');
  const found = (await findAsOfPage(ctx.em, entity.type, query.at, afterKey, ctx.pageSize + 1)) as HistoryRow[];
  const rows = found.slice(0, ctx.pageSize);
  const at = query.at.toISOString();
  const last = rows.at(-1);
  const pager = html`<nav class="pages">${
    query.afterKey === undefined ? html`<span class="muted">First</span>` : html`<a href="${link({ view: 'asof', entity: entity.name, at })}">First</a>`
  }${
    found.length > ctx.pageSize && last
      ? html`<a href="${link({ view: 'asof', entity: entity.name, at, afterKey: keyText(entity, last) })}" rel="next">Next</a>`
      : html`<span class="muted">Next</span>`
  }</nav>`;
  const head = html`<tr>${entity.columns.map(p => html`<th>${p.name}</th>`)}<th>_audit_id</th></tr>`;
  const table = rows.length === 0 ? html`<p>No row existed at that instant.</p>` : scrollTable(head, rows.map(row => stateRow(entity, row)));
  return { heading, body: html`${form}${table}${pager}` };
}

function stateRow(entity: ShownEntity, row: HistoryRow): SafeHtml {
  const timeline = link({ view: 'row', entity: entity.name, key: keyText(entity, row) });
  return html`<tr>${entity.columns.map(p => cell(row[p.name]))}<td><a href="${timeline}">${String(row._audit_id)}</a></td></tr>`;
}

function oneRow(entity: ShownEntity, row: HistoryRow): SafeHtml {
  const fields = [...entity.columns.map(p => p.name), '_audit_id', '_audit_timestamp', ...entity.filterFields.keys()];
  const timeline = link({ view: 'row', entity: entity.name, key: keyText(entity, row) });
  return html`${scrollTable(html`<tr><th>Field</th><th>Value</th></tr>`, fields.map(name => html`<tr><th>${name}</th>${cell(row[name])}</tr>`))}
<p><a href="${timeline}">Timeline of this row</a></p>`;
}

// A GET form to choose the instant; the key (if any) is kept.
function instantForm(entity: ShownEntity, query: AsOfQuery): SafeHtml {
  const at = query.at?.toISOString().replace(/Z$/, '') ?? '';
  return html`<form method="get"><input type="hidden" name="view" value="asof"><input type="hidden" name="entity" value="${entity.name}">
<label>At (UTC)<input type="datetime-local" step="0.001" name="at" value="${at}" required></label>
<label>Key (optional)<input name="key" value="${query.key ?? ''}"></label><button type="submit">Show</button></form>`;
}
