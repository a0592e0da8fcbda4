import { EntitySchema } from '@mikro-orm/core';
import { schemaOf } from '../mikro-orm/declaredProperties.js';
import type { AuditTrailOptions } from './AuditTrailOptions.js';

/** An entity class, or an `EntitySchema` (including what `defineEntity` returns). */
export type AuditableEntity = (abstract new (...args: never[]) => object) | EntitySchema;

/** The instance type of an entity class or `EntitySchema`. */
export type EntityOf<E> = E extends EntitySchema<infer T> ? T : E extends abstract new (...args: never[]) => infer T ? T : never;

/** What `@AuditTrail()` / `auditTrail()` recorded about one source entity. */
export interface AuditDefinition {
  readonly source: AuditableEntity;
  options: AuditTrailOptions | undefined;
  auditSchema?: EntitySchema;
  /** Track field names (including global ones) of the last `MikroORM.init` that discovered this entity. */
  trackFieldNames?: ReadonlySet<string>;
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
  if (source instanceof EntitySchema) {
    // Discovery works on a copy of a schema, and gives a copy without a class a new class of its own: a schema
    // found only by folder discovery or as a relation target could then not be told apart from an unmarked one,
    // and ran without history. The class MikroORM would create, created now, stays the same on every copy.
    const meta = source.meta as { class?: object; className: string };
    meta.class ??= { [meta.className]: class {} }[meta.className];
    if (!bySource.has(meta.class!)) {
      bySource.set(meta.class!, definition);
    }
  }
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
  // A class given to a marked schema after marking it (`setClass()`, MikroORM 7's `defineEntity` pattern).
  const schema = schemaOf(source);
  return schema && schema !== source ? bySource.get(schema) : undefined;
}

/** Links an audit schema's class back to its definition, so discovery can find the source from the audit entity. */
export function registerAuditClass(auditClass: object, definition: AuditDefinition): void {
  byAuditClass.set(auditClass, definition);
}

/** The definition whose audit entity has this class, if it is an audit entity. */
export function findDefinitionByAuditClass(auditClass: object): AuditDefinition | undefined {
  return byAuditClass.get(auditClass);
}

/**
 * How the source entity's discovered metadata is recognised: by its class (a marked `EntitySchema` is given one
 * when it is marked, see `registerAuditTrail`), else by its name.
 */
export function sourceKeyOf(source: AuditableEntity): object | string {
  return source instanceof EntitySchema ? (source.meta.class ?? source.meta.className) : source;
}

/** Both keys under which `sourceKeyOf` may look a discovered entity up. */
export function metadataKeys(meta: { class: object; className: string }): [object, string] {
  return [meta.class, meta.className];
}

/** Entity name used in messages and for the audit entity's name. */
export function sourceNameOf(source: AuditableEntity): string {
  return source instanceof EntitySchema ? source.meta.className : source.name;
}
