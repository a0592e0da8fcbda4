import type { Dialect } from './Dialect.js';

/** SQL text with `?` placeholders, and the values that go with them, in order. Values never enter the text. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * SQL text the library itself writes in a value's place (the database clock), never built from a value: the
 * statement builders render it as text where they would otherwise bind a parameter.
 */
export class SqlExpression {
  constructor(readonly sql: string) {}
}

/**
 * One parameter holding a list of values, for PostgreSQL's `cast(? as type[])`. It stays a list until the
 * statement is sent, where `toPostgresArray` writes it with dates formatted as single parameters are.
 */
export class SqlArray {
  constructor(readonly values: readonly unknown[]) {}
}

/** How a statement builder names tables and columns on one database. */
export interface SqlNames {
  readonly dialect: Dialect;
  /** Quotes one identifier, or a `schema.table` pair. */
  readonly quote: (identifier: string) => string;
}

/** `?` per value of one key: `?` for a single column, `(?, ?)` for a composite key. */
export function keyPlaceholder(columns: number): string {
  return columns === 1 ? '?' : `(${Array.from({ length: columns }, () => '?').join(', ')})`;
}

/** The key columns as the left side of an `in`: `c` or `(c1, c2)`, each with an optional table alias. */
export function keyTarget(names: SqlNames, columns: readonly string[], alias?: string): string {
  const quoted = columns.map(column => (alias ? `${alias}.${names.quote(column)}` : names.quote(column)));
  return quoted.length === 1 ? quoted[0]! : `(${quoted.join(', ')})`;
}
