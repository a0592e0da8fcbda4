import type { Dialect } from './dialect.js';

/** A column whose value the statement passes as a parameter; `castType` is its SQL type (PostgreSQL needs it). */
export interface ParameterColumn {
  readonly name: string;
  readonly castType: string;
}

/** Everything about one audit table that does not change from one flush to the next. */
export interface SnapshotStatementShape {
  readonly dialect: Dialect;
  readonly quote: (identifier: string) => string;
  /** Unquoted, possibly schema-qualified (`schema.table`). */
  readonly auditTable: string;
  readonly sourceTable: string;
  /** Columns copied from the source row; they have the same name in both tables. */
  readonly copiedColumns: readonly string[];
  /** The source table's primary key columns, used to find the rows to copy. */
  readonly keyColumns: readonly ParameterColumn[];
  /** Columns with one value for the whole statement (the flush timestamp). */
  readonly statementColumns: readonly ParameterColumn[];
  /** Columns with a value per audit row (change type, track fields). */
  readonly rowColumns: readonly ParameterColumn[];
}

/** One audit row to write: the source row's key, and the values of the shape's `rowColumns`. */
export interface SnapshotRow {
  readonly key: readonly unknown[];
  readonly values: readonly unknown[];
}

export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Builds one `INSERT … SELECT` that copies the current state of many source rows into the audit table.
 * Reading the row inside the flush's transaction (instead of serialising the entity) makes every snapshot
 * complete, even for partially loaded entities, references and columns filled by the database.
 */
export function buildSnapshotInsert(
  shape: SnapshotStatementShape,
  statementValues: readonly unknown[],
  rows: readonly SnapshotRow[],
): SqlStatement {
  const q = shape.quote;
  const params: unknown[] = [];
  const parameter = (column: ParameterColumn, value: unknown): string => {
    params.push(value);
    return shape.dialect === 'postgresql' ? `cast(? as ${withoutTypeModifier(column.castType)})` : '?';
  };

  const targetColumns = [
    ...shape.copiedColumns,
    ...shape.statementColumns.map(column => column.name),
    ...shape.rowColumns.map(column => column.name),
  ];
  const selected = [
    ...shape.copiedColumns.map(column => `s.${q(column)}`),
    ...shape.statementColumns.map((column, i) => parameter(column, statementValues[i])),
    ...shape.rowColumns.map((_, i) => `v.${q(`r${i}`)}`),
  ];
  const join = shape.keyColumns.map((column, i) => `s.${q(column.name)} = v.${q(`k${i}`)}`).join(' and ');
  const rowSource = buildRowSource(shape, rows, parameter);

  const sql =
    `insert into ${q(shape.auditTable)} (${targetColumns.map(q).join(', ')}) ` +
    `select ${selected.join(', ')} from ${q(shape.sourceTable)} as s ` +
    `join ${rowSource} on ${join} order by v.${q('o')}`;
  return { sql, params };
}

// The per-row values become a derived table `v(o, k0.., r0..)` joined to the source on its key. Each dialect
// spells such a table differently: SQLite caps UNION ALL at 500 terms, MariaDB names VALUES columns after the
// first row's values, and only PostgreSQL accepts a column list after the alias.
function buildRowSource(
  shape: SnapshotStatementShape,
  rows: readonly SnapshotRow[],
  parameter: (column: ParameterColumn, value: unknown) => string,
): string {
  const q = shape.quote;
  const aliases = ['o', ...shape.keyColumns.map((_, i) => `k${i}`), ...shape.rowColumns.map((_, i) => `r${i}`)];
  const tuples = rows.map((row, ordinal) => [
    String(ordinal),
    ...shape.keyColumns.map((column, i) => parameter(column, row.key[i])),
    ...shape.rowColumns.map((column, i) => parameter(column, row.values[i])),
  ]);

  switch (shape.dialect) {
    case 'postgresql':
      return `(values ${tuples.map(t => `(${t.join(', ')})`).join(', ')}) as v(${aliases.map(q).join(', ')})`;
    case 'sqlite': {
      const renamed = aliases.map((alias, i) => `column${i + 1} as ${q(alias)}`).join(', ');
      return `(select ${renamed} from (values ${tuples.map(t => `(${t.join(', ')})`).join(', ')})) as v`;
    }
    case 'mysql': {
      const [first, ...rest] = tuples;
      const head = `select ${first!.map((value, i) => `${value} as ${q(aliases[i]!)}`).join(', ')}`;
      return `(${[head, ...rest.map(t => `select ${t.join(', ')}`)].join(' union all ')}) as v`;
    }
  }
}

// An explicit cast to `varchar(10)` or `numeric(5,2)` silently truncates or rounds in PostgreSQL, where storing
// the value in the column raises an error. Casting to the unmodified type leaves that check to the column.
function withoutTypeModifier(type: string): string {
  const base = type.replace(/\s*\([^)]*\)/g, '');
  return /^(char|character)$/i.test(base) ? 'bpchar' : base;
}
