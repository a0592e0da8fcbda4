import { Utils, type EntityManager, type EntityMetadata, type EntityName } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import { keyString } from '../write/keyString.js';
import { plainValue } from '../read/plainValue.js';

/**
 * The properties an upsert matches existing rows on, picked as MikroORM picks them: `onConflictFields`, else the
 * primary key when every row has it, else the first unique property (or unique group) every row has.
 * `undefined` when the rows do not agree, or a field is a path into an embeddable or JSON.
 */
export function conflictProperties(meta: EntityMetadata, rows: readonly Record<string, unknown>[], onConflictFields: unknown): string[] | undefined {
  const present = (names: readonly string[]) => rows.every(row => names.every(name => row[name] !== undefined && row[name] !== null));
  if (Array.isArray(onConflictFields)) {
    const names = onConflictFields as unknown[];
    return names.every(name => typeof name === 'string' && !name.includes('.')) ? (names as string[]) : undefined;
  }
  if (onConflictFields !== undefined) {
    return undefined;
  }
  if (present(meta.primaryKeys)) {
    return [...meta.primaryKeys];
  }
  const unique = meta.props.find(prop => prop.unique && present([prop.name]));
  if (unique) {
    return [unique.name];
  }
  const group = meta.uniques.map(u => Utils.asArray(u.properties).map(String)).find(names => present(names));
  return group ? [...group] : undefined;
}

/**
 * Reads, before the upsert, which of `rows` match an existing row, and returns a function telling the change
 * type of row `i` once the upsert ran: `U` if it matched, `I` otherwise. The database decides what matches, as
 * its unique index will: MikroORM's filters are off (a soft-deleted row still conflicts), and a row the read
 * found whose values equal no row given exactly (a case-insensitive collation: `ADA@x` finds `ada@x`) makes
 * each row not matched exactly be asked of the database on its own.
 */
export async function upsertChangeTypes(
  em: EntityManager,
  entityName: EntityName<object>,
  properties: readonly string[],
  rows: readonly Record<string, unknown>[],
  schema: string | undefined,
): Promise<(index: number) => ChangeType> {
  const conflict = (row: Record<string, unknown>) => keyString(properties.map(name => plainValue(row[name])));
  const conditions = rows.map(row => Object.fromEntries(properties.map(name => [name, plainValue(row[name])])));
  const existing = await em.find(entityName, { $or: conditions } as never, {
    fields: [...new Set([...em.getMetadata().find(entityName)!.primaryKeys, ...properties])] as never,
    disableIdentityMap: true,
    filters: false,
    schema,
  });
  const found = new Set(existing.map(row => conflict(row as Record<string, unknown>)));
  const given = new Set(rows.map(conflict));
  const matched = rows.map(row => found.has(conflict(row)));
  if ([...found].some(key => !given.has(key))) {
    for (const [i, condition] of conditions.entries()) {
      matched[i] ||= (await em.count(entityName, condition as never, { filters: false, schema })) > 0;
    }
  }
  return index => (matched[index] ? 'U' : 'I');
}
