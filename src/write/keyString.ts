/** A key as a string, so that keys read from entities and from the database can be compared in sets and maps. */
export function keyString(key: readonly unknown[]): string {
  return key.map(value => (value instanceof Date ? value.toISOString() : String(value as string))).join('\u0000');
}
