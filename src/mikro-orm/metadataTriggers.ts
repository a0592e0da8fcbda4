import type { EntityMetadata } from '@mikro-orm/core';
import type { TriggerDefinition } from '../sql/backstopTriggers.js';

/** Whether this MikroORM manages triggers declared in entity metadata (MikroORM 7's `EntityMetadata.triggers`). */
export function hasMetadataTriggers(meta: EntityMetadata): boolean {
  return Array.isArray((meta as { triggers?: unknown }).triggers);
}

/** Declares triggers in the entity's metadata, so that the schema diff creates and keeps them. */
export function addMetadataTriggers(meta: EntityMetadata, triggers: readonly TriggerDefinition[]): void {
  (meta as unknown as { triggers: TriggerDefinition[] }).triggers.push(...triggers);
}
