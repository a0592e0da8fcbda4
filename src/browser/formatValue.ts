import { plainValue } from '../read/plainValue.js';

/**
 * A stored value as plain data for display and export: relations become their key, Dates ISO strings, binary
 * values hex, bigints decimal strings; `null` when there is no value.
 */
export function exportValue(value: unknown): unknown {
  const plain = plainValue(value);
  if (plain instanceof Date) {
    return Number.isNaN(plain.getTime()) ? String(plain) : plain.toISOString();
  }
  if (Buffer.isBuffer(plain) || plain instanceof Uint8Array) {
    return Buffer.from(plain).toString('hex');
  }
  if (typeof plain === 'bigint') {
    return plain.toString();
  }
  if (Array.isArray(plain)) {
    return plain.map(exportValue);
  }
  if (plain !== null && typeof plain === 'object') {
    return Object.fromEntries(Object.entries(plain).map(([name, item]) => [name, exportValue(item)]));
  }
  return plain;
}

/** A stored value as the text a cell shows (JSON compact); `null` for no value, which pages show as an em dash. */
export function formatText(value: unknown): string | null {
  const plain = exportValue(value);
  if (plain === null || plain === undefined) {
    return null;
  }
  return typeof plain === 'object' ? JSON.stringify(plain) : String(plain as string | number | boolean);
}

/** The text a page shows for a value: an em dash when there is none. */
export function formatValue(value: unknown): string {
  return formatText(value) ?? '\u2014';
}
