import { Cascade, type Configuration, type EntityProperty } from '@mikro-orm/core';

/**
 * Whether the foreign key MikroORM's schema generator gives a relation changes referencing rows when the
 * referenced row's key changes (`ON UPDATE CASCADE` or `SET NULL` / `SET DEFAULT`). MikroORM 6 and 7 alike
 * (`DatabaseTable.addColumnFromProperty`) use the relation's `updateRule`, else `cascade` for a relation with
 * `Cascade.PERSIST` or `Cascade.ALL`, which is MikroORM's default cascade: almost every relation has it. (It
 * skips the default only for a second cascade path on a platform without multiple cascade paths, MSSQL, which
 * the audit trail does not support.) test/core/key-change-cascades.test.ts fails if MikroORM changes it.
 */
export function updateChangesRows(prop: EntityProperty, config: Configuration): boolean {
  const generator: { createForeignKeyConstraints?: boolean } = config.get('schemaGenerator');
  if (prop.createForeignKeyConstraint === false || generator.createForeignKeyConstraints === false) {
    return false;
  }
  const persists = prop.cascade?.includes(Cascade.PERSIST) || prop.cascade?.includes(Cascade.ALL);
  const rule = (prop.updateRule ?? (persists ? 'cascade' : undefined))?.toLowerCase();
  return rule === 'cascade' || rule === 'set null' || rule === 'set default';
}
