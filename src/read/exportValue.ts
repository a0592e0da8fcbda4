import { plainValue } from './plainValue.js';

/**
 * A stored value as plain data for display and export: relations become their key, Dates ISO strings, binary
 * values hex, bigints decimal strings; `null` when there is no value. What the browser shows and exports and the
 * CLI prints and exports.
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

/** A stored value as one line of text (JSON compact for objects and arrays); `null` for no value. */
export function formatText(value: unknown): string | null {
  const plain = exportValue(value);
  if (plain === null || plain === undefined) {
    return null;
  }
  return typeof plain === 'object' ? JSON.stringify(plain) : String(plain as string | number | boolean);
}
