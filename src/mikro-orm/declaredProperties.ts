import { EntitySchema } from '@mikro-orm/core';
import { decoratedMetadataOf } from './decoratorMetadata.js';

/** A property as declared before discovery: decorator or schema options, whose `name` may be a column name or absent. */
export interface DeclaredProperty {
  readonly kind?: string;
  readonly mappedBy?: unknown;
  readonly inversedBy?: unknown;
  readonly owner?: boolean;
  readonly pivotEntity?: unknown;
}

/**
 * The `EntitySchema` that maps a class: the schema itself, the one built with `class: X` or given `X` by
 * `setClass()` (MikroORM's `EntitySchema.REGISTRY`, which its discovery reads the same way), or none.
 * test/core/schema-definitions.test.ts fails if MikroORM stops registering them there.
 */
export function schemaOf(entity: object): EntitySchema | undefined {
  if (entity instanceof EntitySchema) {
    return entity;
  }
  return typeof entity === 'function' ? EntitySchema.REGISTRY.get(entity) : undefined;
}

/**
 * The properties an entity declares before discovery, by property name, with those of the entities it extends:
 * MikroORM merges inherited properties only during discovery. A schema's properties come from its `properties`
 * (keyed by name: they have no `name` until discovery), a decorated class's from its decorators; parents are a
 * schema's `extends` and each class's superclass. `byName` resolves MikroORM 6's `extends: 'Name'`.
 */
export function declaredProperties(entity: object, byName: (name: string) => object | undefined = () => undefined): Map<string, DeclaredProperty> {
  const chain: Record<string, DeclaredProperty>[] = [];
  const seen = new Set<object>();
  const visit = (current: object | undefined): void => {
    const schema = current && schemaOf(current);
    const target = schema ?? current;
    if (!target || seen.has(target)) {
      return;
    }
    seen.add(target);
    chain.push((schema ? schema.meta.properties : decoratedMetadataOf(target)?.properties ?? {}) as Record<string, DeclaredProperty>);
    const parent = schema?.meta.extends as unknown;
    visit(typeof parent === 'string' ? byName(parent) : (parent as object | undefined));
    visit(superclassOf(schema ? schema.meta.class : target));
  };
  visit(entity);
  // The entity's own declarations override its parents'.
  return new Map(chain.reverse().flatMap(properties => Object.entries(properties)));
}

function superclassOf(entity: unknown): object | undefined {
  if (typeof entity !== 'function') {
    return undefined;
  }
  const parent = Object.getPrototypeOf(entity) as unknown;
  return typeof parent === 'function' && parent !== Function.prototype && parent.name !== '' ? parent : undefined;
}
