// Marks a binary key part. Text starting with it is escaped by doubling it, so no text reads as bytes.
const BYTES = '\u0001';

/**
 * A key as a string, so that keys read from entities and from the database can be compared in sets and maps. A
 * date is its instant in milliseconds: SQLite stores dates as that number, and the other drivers return dates.
 * Bytes (a `Buffer` or any `Uint8Array`) are their hex digits behind a marker: as text, bytes that are not UTF-8
 * all decode to U+FFFD, so distinct binary keys compared equal. Numbers and text still compare by their digits
 * (`1` and `'1'` are one key: drivers return big integers as text).
 */
export function keyString(key: readonly unknown[]): string {
  return key.map(keyPart).join('\u0000');
}

function keyPart(value: unknown): string {
  if (value instanceof Date) {
    return String(value.getTime());
  }
  if (value instanceof Uint8Array) {
    return BYTES + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  const text = String(value as string);
  return text.startsWith(BYTES) ? BYTES + text : text;
}
