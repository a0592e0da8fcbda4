import { exportValue } from '../../read/exportValue.js';

/**
 * `value` as JSON, with the stored values as the exports write them (Dates ISO 8601, bigints and decimals as
 * strings, binary as hex, relations as their key): exact, and escaped by JSON itself.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' || item instanceof Uint8Array ? exportValue(item) : item), indent);
}

/** `value` as one JSON document on stdout (indented, ending with a newline). */
export function jsonDocument(value: unknown): string {
  return `${jsonText(value, 2)}\n`;
}
