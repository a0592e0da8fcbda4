import { Cascade, type Configuration, type EntityProperty } from '@mikro-orm/core';
import { ormMajorVersion } from './metadata.js';

/** What the database does to a referencing row when the row it references is deleted. */
export type DeleteRule = 'cascade' | 'set null';

/**
 * The foreign-key delete rule MikroORM's schema generator gives a relation's constraint, if it changes rows.
 * MikroORM 7 fills `deleteRule` of nullable relations during discovery and reads the rest from the generator's
 * `defaultDeleteRule`; MikroORM 6 has no such option, and derives `cascade` from `Cascade.REMOVE` when it
 * generates the schema. Nothing in the metadata tells these two behaviours apart, so this is the one place that
 * asks for MikroORM's major version (test/core/database-cascades.test.ts fails if either changes).
 */
export function deleteRuleOf(prop: EntityProperty, config: Configuration): DeleteRule | undefined {
  const generator: { createForeignKeyConstraints?: boolean; defaultDeleteRule?: string } = config.get('schemaGenerator');
  if (prop.createForeignKeyConstraint === false || generator.createForeignKeyConstraints === false) {
    return undefined;
  }
  let rule = prop.deleteRule;
  if (!rule && ormMajorVersion() >= 7) {
    rule = generator.defaultDeleteRule;
  } else if (!rule) {
    const cascades = prop.cascade?.includes(Cascade.REMOVE) || prop.cascade?.includes(Cascade.ALL);
    rule = cascades ? 'cascade' : prop.nullable ? 'set null' : undefined;
  }
  const normalised = rule?.toLowerCase();
  return normalised === 'cascade' || normalised === 'set null' ? normalised : undefined;
}
