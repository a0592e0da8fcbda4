import { FlushMode, ReferenceKind, Utils, type EntityManager, type EntityMetadata, type EntityName } from '@mikro-orm/core';
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
 * type of row `i` once the upsert ran, from the key (as `keyString`) of the row it wrote: `U` if it matched that
 * row, `I` otherwise (also when the row read was deleted meanwhile and the upsert inserted a fresh one, with
 * another key). The database decides what matches, as its unique index will: MikroORM's filters are off (a
 * soft-deleted row still conflicts), and a row the read found whose values equal no row given exactly (a
 * case-insensitive collation: `ADA@x` finds `ada@x`) makes each row not matched exactly be asked of the database
 * on its own. Nothing pending is flushed first.
 */
export async function upsertChangeTypes(
  em: EntityManager,
  entityName: EntityName<object>,
  properties: readonly string[],
  rows: readonly Record<string, unknown>[],
  schema: string | undefined,
): Promise<(index: number, writtenKey: string | undefined) => ChangeType> {
  const meta = em.getMetadata().find(entityName)!;
  const conflict = (row: Record<string, unknown>) => keyString(properties.map(name => plainValue(row[name])));
  const conditions = rows.map(row => Object.fromEntries(properties.map(name => [name, plainValue(row[name])])));
  const options = { filters: false, schema, flushMode: FlushMode.COMMIT } as const;
  const existing = await em.find(entityName, { $or: conditions } as never, {
    ...options,
    fields: [...new Set([...meta.primaryKeys, ...properties])] as never,
    disableIdentityMap: true,
  });
  // The key read is compared with the key written only where both come in one form: a single scalar key.
  const [keyProp, ...more] = meta.getPrimaryProps();
  const keyOf = (row: Record<string, unknown>): string | true => (more.length === 0 && keyProp!.kind === ReferenceKind.SCALAR ? keyString([row[keyProp!.name]]) : true);
  const found = new Map(existing.map(row => [conflict(row as Record<string, unknown>), keyOf(row as Record<string, unknown>)]));
  const given = new Set(rows.map(conflict));
  const matched: (string | true | undefined)[] = rows.map(row => found.get(conflict(row)));
  if ([...found.keys()].some(key => !given.has(key))) {
    for (const [i, condition] of conditions.entries()) {
      matched[i] ??= (await em.count(entityName, condition as never, options)) > 0 ? true : undefined;
    }
  }
  return (index, writtenKey) => {
    const key = matched[index];
    return key === undefined || (key !== true && writtenKey !== undefined && key !== writtenKey) ? 'I' : 'U';
  };
}
