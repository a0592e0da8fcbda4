import type { FilterQuery } from '@mikro-orm/core';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID } from '../../define/AuditColumns.js';
import { diffVersions } from '../../read/diffVersions.js';
import { keyWhere, parseKey } from '../coerceParameter.js';
import { formatValue } from '../formatValue.js';
import type { HistoryRow } from '../../read/historyBatches.js';
import { html, type SafeHtml } from '../html.js';
import { cell, changeTypeCell, transactionCell } from '../historyTable.js';
import { scrollTable } from '../layout.js';
import { link } from '../links.js';
import type { Page, PageContext } from '../Page.js';
import { shownEntity, type ShownEntity } from '../shownEntities.js';

/**
 * Every version of one key, deleted ones included, oldest first (the order the changes happened in), each with the
 * fields that changed since the version before it (from → to, by `diffVersions`), its actor, reason and transaction.
 */
export async function rowTimelinePage(ctx: PageContext, name: string, keyParam: string): Promise<Page> {
  const entity = shownEntity(ctx.em, name);
  const key = parseKey(entity, keyParam, 'key');
  const versions = (await ctx.em.find(entity.audit, keyWhere(entity, key) as FilterQuery<object>, {
    orderBy: { [AUDIT_ID]: 'asc' } as never,
  })) as HistoryRow[];
  const links = html`<p><a href="${link({ view: 'history', entity: entity.name, key: keyParam })}">In the history table</a> ·
<a href="${link({ view: 'asof', entity: entity.name, key: keyParam })}">State at an instant</a></p>`;
  const body = versions.length === 0 ? html`<p>No version of this key.</p>` : versions.map((version, i) => versionBlock(entity, versions[i - 1] ?? null, version, keyParam));
  return { heading: `Timeline of ${entity.name} ${keyParam}`, body: html`${links}${body}` };
}

function versionBlock(entity: ShownEntity, older: HistoryRow | null, version: HistoryRow, keyParam: string): SafeHtml {
  const changes = Object.entries(diffVersions(older, version) as Record<string, { from: unknown; to: unknown }>);
  const head = html`<tr>${entity.hasChangeType ? html`<th>${AUDIT_CHANGE_TYPE}</th>` : null}<th>_audit_timestamp</th>${
    entity.hasActor ? html`<th>${AUDIT_ACTOR}</th>` : null
  }<th>_audit_reason</th><th>_audit_transaction</th>${entity.trackFields.map(p => html`<th>${p.name}</th>`)}</tr>`;
  const facts = html`<tr>${entity.hasChangeType ? changeTypeCell(version[AUDIT_CHANGE_TYPE]) : null}${cell(version._audit_timestamp)}${
    entity.hasActor ? cell(version[AUDIT_ACTOR]) : null
  }${cell(version._audit_reason)}${transactionCell(version._audit_transaction)}${entity.trackFields.map(p => cell(version[p.name]))}</tr>`;
  const changeRows = changes.map(
    ([field, change]) => html`<tr><td><mark>${field}</mark></td><td><del>${formatValue(change.from)}</del></td><td><ins>${formatValue(change.to)}</ins></td></tr>`,
  );
  const at = version._audit_timestamp instanceof Date ? version._audit_timestamp.toISOString() : undefined;
  return html`<section class="version" id="v${String(version._audit_id)}"><h2>Version ${String(version._audit_id)}${
    at ? html` · <a href="${link({ view: 'asof', entity: entity.name, key: keyParam, at })}">state then</a>` : null
  }</h2>
${scrollTable(head, [facts])}
${changes.length === 0 ? html`<p class="muted">No copied field changed.</p>` : scrollTable(html`<tr><th>Field</th><th>From</th><th>To</th></tr>`, changeRows)}</section>`;
}
