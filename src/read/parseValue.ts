import { ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { exportValue } from './exportValue.js';

/** Raises the caller's error for a text that is not what `expected` says (the browser's 400, the CLI's exit 2). */
export type ValueError = (expected: string) => never;

/**
 * Text typed by a person (a query parameter, a command-line argument) as a value of the property it stands for:
 * a number, bigint, boolean or Date where the property holds one (a relation: its target's key), else the text
 * itself. It becomes a bound parameter, never SQL.
 */
export function parseValue(prop: EntityProperty, text: unknown, fail: ValueError): unknown {
  if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.EMBEDDED) {
    const target = prop.targetMeta?.getPrimaryProps()[0];
    return target ? parseValue(target, text, fail) : text;
  }
  const runtime = (prop.runtimeType ?? (typeof prop.type === 'string' ? prop.type : '')).toLowerCase();
  const value = String(text as string);
  const bad = (expected: string): never => fail(`${expected} (${prop.name})`);
  switch (runtime) {
    case 'number': {
      const number = value.trim() === '' ? NaN : Number(value);
      return Number.isFinite(number) ? number : bad('a number');
    }
    case 'bigint':
      return /^-?\d+$/.test(value) ? BigInt(value) : bad('an integer');
    case 'boolean':
      return ['true', '1'].includes(value) ? true : ['false', '0'].includes(value) ? false : bad('true or false');
    case 'date': {
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? bad('an ISO 8601 date') : date;
    }
    default:
      return value;
  }
}

/**
 * A primary key typed by a person: the value itself, or for a composite key a JSON array (`[1,"a"]`), each part
 * typed like its key property. The result is what `asOf()`, `auditHistory()` and the key filter take.
 */
export function parseKey(source: EntityMetadata, text: string, fail: ValueError): unknown {
  const props = source.getPrimaryProps();
  if (props.length === 1) {
    return parseValue(props[0]!, text, fail);
  }
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== props.length) {
    return fail(`a JSON array of ${props.length} values (${source.className}'s key: ${props.map(p => p.name).join(', ')})`);
  }
  return props.map((prop, i) => parseValue(prop, parts[i], fail));
}

/** The key of an audit row as a person types it: the inverse of `parseKey`. */
export function keyText(source: EntityMetadata, row: Record<string, unknown>): string {
  const parts = source.primaryKeys.map(name => exportValue(row[name]));
  return parts.length === 1 ? String(parts[0] as string) : JSON.stringify(parts);
}
