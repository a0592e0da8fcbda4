import type { EntityProperty } from '@mikro-orm/core';
import { keyText as rowKeyText, parseKey as parseKeyText, parseValue } from '../read/parseValue.js';
import type { ShownEntity } from './shownEntities.js';
import { BrowserRequestError } from './BrowserRequestError.js';

/**
 * The text of a query parameter as a value of the property it filters (see `parseValue`); a 400 naming the
 * parameter when it is not of that type.
 */
export function coerceParameter(prop: EntityProperty, text: unknown, parameter: string): unknown {
  return parseValue(prop, text, badParameter(parameter));
}

/** A primary key from the query: the value itself, or for a composite key a JSON array (`[1,"a"]`). */
export function parseKey(entity: ShownEntity, text: string, parameter: string): unknown {
  return parseKeyText(entity.source, text, badParameter(parameter));
}

/** `{ id: 1 }`, or one entry per key property of a composite key. */
export function keyWhere(entity: ShownEntity, key: unknown): Record<string, unknown> {
  const parts = entity.source.primaryKeys.length === 1 ? [key] : (key as unknown[]);
  return Object.fromEntries(entity.source.primaryKeys.map((name, i) => [name, parts[i]]));
}

/** The key of an audit row as the query writes it (`key=`): the inverse of `parseKey`. */
export function keyText(entity: ShownEntity, row: Record<string, unknown>): string {
  return rowKeyText(entity.source, row);
}

function badParameter(parameter: string): (expected: string) => never {
  return expected => {
    throw BrowserRequestError.badParameter(parameter, expected);
  };
}
