import { EntitySchema } from '@mikro-orm/core';
import type { AuditTrailOptions } from './AuditTrailOptions.js';

/** An entity class, or an `EntitySchema` (including what `defineEntity` returns). */
export type AuditableEntity = (abstract new (...args: never[]) => object) | EntitySchema;

/** What `@AuditTrail()` / `auditTrail()` recorded about one source entity. */
export interface AuditDefinition {
  readonly source: AuditableEntity;
  options: AuditTrailOptions | undefined;
  auditSchema?: EntitySchema;
}

// Keyed by class or schema object, never by name: two test files (or two ORMs) may both have a `Person`.
const bySource = new WeakMap<object, AuditDefinition>();
const byAuditClass = new WeakMap<object, AuditDefinition>();

/** Records (or replaces) the audit options of a source entity. */
export function registerAuditTrail(source: AuditableEntity, options: AuditTrailOptions | undefined): AuditDefinition {
  const existing = bySource.get(source);
  if (existing) {
    existing.options = options;
    return existing;
  }
  const definition: AuditDefinition = { source, options };
  bySource.set(source, definition);
  return definition;
}

/** The definition of a source entity given as class, schema, or the class an `EntitySchema` was built for. */
export function findDefinition(source: object): AuditDefinition | undefined {
  const direct = bySource.get(source);
  if (direct) {
    return direct;
  }
  if (source instanceof EntitySchema && source.meta.class) {
    return bySource.get(source.meta.class);
  }
  return undefined;
}

/** Links an audit schema's class back to its definition, so discovery can find the source from the audit entity. */
export function registerAuditClass(auditClass: object, definition: AuditDefinition): void {
  byAuditClass.set(auditClass, definition);
}

/** The definition whose audit entity has this class, if it is an audit entity. */
export function findDefinitionByAuditClass(auditClass: object): AuditDefinition | undefined {
  return byAuditClass.get(auditClass);
}

/** The class that discovery gives the source entity's metadata (`meta.class`). */
export function sourceClassOf(source: AuditableEntity): object | undefined {
  return source instanceof EntitySchema ? source.meta.class : source;
}

/** Entity name used in messages and for the audit entity's name. */
export function sourceNameOf(source: AuditableEntity): string {
  return source instanceof EntitySchema ? source.meta.className : source.name;
}
