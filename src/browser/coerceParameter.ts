import { ReferenceKind, type EntityProperty } from '@mikro-orm/core';
import type { ShownEntity } from './shownEntities.js';
import { BrowserRequestError } from './BrowserRequestError.js';
import { exportValue } from '../read/exportValue.js';

/**
 * The text of a query parameter as a value of the property it filters: a number, bigint, boolean or Date where the
 * property holds one (a relation: its target's key), else the text itself. It becomes a bound parameter, never SQL.
 */
export function coerceParameter(prop: EntityProperty, text: unknown, parameter: string): unknown {
  if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.EMBEDDED) {
    const target = prop.targetMeta?.getPrimaryProps()[0];
    return target ? coerceParameter(target, text, parameter) : text;
  }
  const runtime = (prop.runtimeType ?? (typeof prop.type === 'string' ? prop.type : '')).toLowerCase();
  const value = String(text as string);
  switch (runtime) {
    case 'number': {
      const number = value.trim() === '' ? NaN : Number(value);
      return Number.isFinite(number) ? number : bad(parameter, prop, 'a number');
    }
    case 'bigint':
      return /^-?\d+$/.test(value) ? BigInt(value) : bad(parameter, prop, 'an integer');
    case 'boolean':
      return ['true', '1'].includes(value) ? true : ['false', '0'].includes(value) ? false : bad(parameter, prop, 'true or false');
    case 'date': {
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? bad(parameter, prop, 'an ISO 8601 date') : date;
    }
    default:
      return value;
  }
}

/**
 * A primary key from the query: the value itself, or for a composite key a JSON array (`[1,"a"]`), each part typed
 * like its key property. The result is what `asOf()` and the key filter take: one value, or an array.
 */
export function parseKey(entity: ShownEntity, text: string, parameter: string): unknown {
  const props = entity.source.getPrimaryProps();
  if (props.length === 1) {
    return coerceParameter(props[0]!, text, parameter);
  }
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== props.length) {
    throw BrowserRequestError.badParameter(parameter, `a JSON array of ${props.length} values (${entity.name}'s key: ${props.map(p => p.name).join(', ')})`);
  }
  return props.map((prop, i) => coerceParameter(prop, parts[i], parameter));
}

/** `{ id: 1 }`, or one entry per key property of a composite key. */
export function keyWhere(entity: ShownEntity, key: unknown): Record<string, unknown> {
  const parts = entity.source.primaryKeys.length === 1 ? [key] : (key as unknown[]);
  return Object.fromEntries(entity.source.primaryKeys.map((name, i) => [name, parts[i]]));
}

function bad(parameter: string, prop: EntityProperty, expected: string): never {
  throw BrowserRequestError.badParameter(parameter, `${expected} (${prop.name})`);
}

/** The key of an audit row as the query writes it (`key=`): the inverse of `parseKey`. */
export function keyText(entity: ShownEntity, row: Record<string, unknown>): string {
  const parts = entity.source.primaryKeys.map(name => exportValue(row[name]));
  return parts.length === 1 ? String(parts[0] as string) : JSON.stringify(parts);
}
