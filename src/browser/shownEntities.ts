import type { EntityManager } from '@mikro-orm/core';
import { auditPlansOf } from '../read/auditPlanOf.js';
import { historyEntity, type HistoryEntity } from '../read/historyEntity.js';
import { BrowserRequestError } from './BrowserRequestError.js';

/** An entity the browser shows: its metadata, its audit entity, and the audit columns a page lists. */
export type ShownEntity = HistoryEntity;

/** The audited entities marked `showInAdmin: true`, by name; only these are ever read by the browser. */
export function shownEntities(em: EntityManager): ShownEntity[] {
  const plans = [...(auditPlansOf(em)?.bySource.values() ?? [])].filter(plan => plan.options.showInAdmin);
  return plans.sort((a, b) => a.sourceName.localeCompare(b.sourceName)).map(plan => historyEntity(em, plan));
}

/** The shown entity of that name, or 404: unknown and not-shown entities are answered alike. */
export function shownEntity(em: EntityManager, name: string): ShownEntity {
  const found = shownEntities(em).find(entity => entity.name === name);
  if (!found) {
    throw BrowserRequestError.notFound(`Entity '${name}'`);
  }
  return found;
}
