import type { FilterQuery } from '@mikro-orm/core';
import { AUDIT_ID, AUDIT_TIMESTAMP } from '../../define/AuditColumns.js';
import { html } from '../html.js';
import { cell } from '../historyTable.js';
import { scrollTable } from '../layout.js';
import { link } from '../links.js';
import type { Page, PageContext } from '../Page.js';
import { shownEntities } from '../shownEntities.js';

/**
 * The list of entities marked `showInAdmin`, each with its number of versions and the time of its latest change
 * (the newest version by `_audit_id`, i.e. commit order).
 */
export async function entitiesPage({ em }: PageContext): Promise<Page> {
  const entities = shownEntities(em);
  const rows = await Promise.all(
    entities.map(async entity => {
      const [count, latest] = await Promise.all([
        em.count(entity.audit, {} as FilterQuery<object>),
        em.find(entity.audit, {} as FilterQuery<object>, { orderBy: { [AUDIT_ID]: 'desc' } as never, fields: [AUDIT_ID, AUDIT_TIMESTAMP] as never, limit: 1 }),
      ]);
      const timestamp = (latest[0] as { _audit_timestamp?: Date } | undefined)?._audit_timestamp ?? null;
      return html`<tr><td><a href="${link({ view: 'history', entity: entity.name })}">${entity.name}</a></td><td>${count}</td>${cell(timestamp)}<td><a href="${link({
        view: 'asof',
        entity: entity.name,
      })}">state at…</a></td></tr>`;
    }),
  );
  const head = html`<tr><th>Entity</th><th>Versions</th><th>Latest change</th><th></th></tr>`;
  const body =
    entities.length === 0
      ? html`<p>No entity is shown: mark audited entities with <code>@AuditTrail({ showInAdmin: true })</code>.</p>`
      : scrollTable(head, rows);
  return { heading: 'Entities', body };
}
