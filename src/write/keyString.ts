/**
 * A key as a string, so that keys read from entities and from the database can be compared in sets and maps. A
 * date is its instant in milliseconds: SQLite stores dates as that number, and the other drivers return dates.
 */
export function keyString(key: readonly unknown[]): string {
  return key.map(value => (value instanceof Date ? String(value.getTime()) : String(value as string))).join('\u0000');
}
