import { AUDIT_TRANSACTION } from '../../define/AuditColumns.js';
import { findBatch } from '../../read/historyBatches.js';
import { html } from '../html.js';
import { historyTable } from '../historyTable.js';
import { link } from '../links.js';
import type { Page, PageContext } from '../Page.js';
import { shownEntities } from '../shownEntities.js';

/**
 * Everything one transaction changed, across the shown entities, grouped by entity in commit order. A group shows
 * up to a page of rows and links to the entity's history filtered on the transaction for the rest.
 */
export async function transactionPage(ctx: PageContext, tx: string): Promise<Page> {
  const groups = [];
  for (const entity of shownEntities(ctx.em)) {
    const rows = await findBatch(ctx.em, entity, { [AUDIT_TRANSACTION]: tx }, undefined, 'asc', ctx.pageSize + 1);
    if (rows.length === 0) {
      continue;
    }
    const all = link({ view: 'history', entity: entity.name, tx });
    const more = rows.length > ctx.pageSize ? html`<p>More than ${ctx.pageSize} versions: <a href="${all}">see them all in the history</a>.</p>` : null;
    groups.push(html`<section><h2><a href="${all}">${entity.name}</a></h2>${historyTable(entity, rows.slice(0, ctx.pageSize))}${more}</section>`);
  }
  const body = groups.length === 0 ? html`<p>No version of a shown entity has this transaction id.</p>` : groups;
  return { heading: `Transaction ${tx}`, body: html`${body}` };
}
