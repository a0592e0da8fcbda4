import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { keyText } from './coerceParameter.js';
import { formatText } from '../read/exportValue.js';
import { html, type SafeHtml } from './html.js';
import type { HistoryRow } from '../read/historyBatches.js';
import { scrollTable } from './layout.js';
import { link } from './links.js';
import type { ShownEntity } from './shownEntities.js';

/** A table cell with a stored value as text, or an em dash for none. */
export function cell(value: unknown): SafeHtml {
  const text = formatText(value);
  return text === null ? html`<td class="none">\u2014</td>` : html`<td>${text}</td>`;
}

/** The change type, coloured by its class (I, U or D: never a stored value as a class name). */
export function changeTypeCell(value: unknown): SafeHtml {
  const type = value === 'I' || value === 'U' || value === 'D' ? value : undefined;
  return type ? html`<td class="${type}">${type}</td>` : cell(value);
}

/** The transaction id, linked to the transaction page. */
export function transactionCell(value: unknown): SafeHtml {
  const tx = formatText(value);
  return tx === null ? cell(null) : html`<td><a href="${link({ view: 'tx', tx })}">${tx}</a></td>`;
}

/**
 * History rows as a table: audit id (linked to the row's timeline), time, change type, actor, reason, transaction
 * (linked), the track fields, then the copied columns.
 */
export function historyTable(entity: ShownEntity, rows: readonly HistoryRow[]): SafeHtml {
  const head = html`<tr><th>${AUDIT_ID}</th><th>${AUDIT_TIMESTAMP}</th>${entity.hasChangeType ? html`<th>${AUDIT_CHANGE_TYPE}</th>` : null}${
    entity.hasActor ? html`<th>${AUDIT_ACTOR}</th>` : null
  }<th>${AUDIT_REASON}</th><th>${AUDIT_TRANSACTION}</th>${entity.trackFields.map(p => html`<th>${p.name}</th>`)}${entity.columns.map(
    p => html`<th>${p.name}</th>`,
  )}</tr>`;
  return scrollTable(head, rows.map(row => historyRow(entity, row)));
}

function historyRow(entity: ShownEntity, row: HistoryRow): SafeHtml {
  const timeline = link({ view: 'row', entity: entity.name, key: keyText(entity, row) });
  return html`<tr><td><a href="${timeline}" title="Timeline of this row">${formatText(row._audit_id)}</a></td>${cell(row._audit_timestamp)}${
    entity.hasChangeType ? changeTypeCell(row[AUDIT_CHANGE_TYPE]) : null
  }${entity.hasActor ? cell(row[AUDIT_ACTOR]) : null}${cell(row._audit_reason)}${transactionCell(row._audit_transaction)}${entity.trackFields.map(p =>
    cell(row[p.name]),
  )}${entity.columns.map(p => cell(row[p.name]))}</tr>`;
}
