import { jsonTableSource } from './jsonRowSource.js';
import { SqlArray, SqlExpression, type SqlNames } from './SqlStatement.js';

/** A column whose value the statement passes as a parameter; `castType` is its SQL type (PostgreSQL needs it). */
export interface ParameterColumn {
  readonly name: string;
  readonly castType: string;
}

/** Everything about one audit table that does not change from one flush to the next. */
export interface SnapshotStatementShape extends SqlNames {
  /** Unquoted, possibly schema-qualified (`schema.table`). */
  readonly auditTable: string;
  readonly sourceTable: string;
  /** Columns copied from the source row; they have the same name in both tables. */
  readonly copiedColumns: readonly string[];
  /** The source table's primary key columns, used to find the rows to copy. */
  readonly keyColumns: readonly ParameterColumn[];
  /** Columns with one value for the whole statement (the database clock, the transaction id, the reason). */
  readonly statementColumns: readonly ParameterColumn[];
  /** Columns with a value per audit row (change type, track fields). */
  readonly rowColumns: readonly ParameterColumn[];
}

/** The rows of one statement: per row, the source key and the values of the shape's `rowColumns`. */
export interface SnapshotBatch {
  readonly keys: readonly (readonly unknown[])[];
  readonly values: readonly (readonly unknown[])[];
}

/** One audit column of a snapshot SELECT: its expression, the parameters in it, and where its value comes from. */
export interface SelectedColumn {
  readonly name: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The parameter's column (its SQL type); `undefined` for a column copied from the source row (`s.<name>`). */
  readonly parameter: ParameterColumn | undefined;
  /** Whether its value differs between rows (copied columns, varying row columns); else it is one for the statement. */
  readonly perRow: boolean;
}

/**
 * The SELECT that reads the snapshots of a batch, in the pieces the audit INSERT and tamper evidence's pre-read
 * (`buildCanonicalSelect`) share, so that both read the same source rows, with the same parameters, in the same order.
 */
export interface SnapshotSelect {
  /** The audit columns in select order: copied, statement, row columns. */
  readonly columns: readonly SelectedColumn[];
  /** `from <source> as s … order by …`; its parameters follow the select list's. */
  readonly from: string;
  readonly fromParams: readonly unknown[];
  /** With `join`: the expression giving each row's index in the batch (0-based), in the derived table `v`. */
  readonly rowIndex: string | undefined;
}

/**
 * Builds the SELECT of one `INSERT … SELECT` that copies the current state of many source rows into the audit
 * table. A row column whose value is the same in every row (the actor, usually, and the change type of a batch of
 * inserts) is passed once. PostgreSQL receives the rest as one array per column (`unnest`), so the statement has a
 * handful of parameters whatever the number of rows; elsewhere the keys go in an `IN` list, or, when values differ
 * between rows or `join` asks for each row's batch index, in a derived table joined on the key.
 */
export function buildSnapshotSelect(shape: SnapshotStatementShape, statementValues: readonly unknown[], batch: SnapshotBatch, join = false): SnapshotSelect {
  const q = shape.quote;
  const varying = shape.rowColumns.map((_, i) => varies(batch.values, i));
  const varyingColumns = shape.rowColumns.flatMap((column, i) => (varying[i] ? [{ column, index: i }] : []));
  const columns: SelectedColumn[] = [
    ...shape.copiedColumns.map(name => ({ name, sql: `s.${q(name)}`, params: [], parameter: undefined, perRow: true })),
    ...shape.statementColumns.map((column, i) => parameterColumn(shape, column, statementValues[i])),
    ...shape.rowColumns.map((column, i) =>
      varying[i] ? { name: column.name, sql: `v.${q(`r${i}`)}`, params: [], parameter: column, perRow: true } : parameterColumn(shape, column, batch.values[0]![i]),
    ),
  ];
  const head = `from ${q(shape.sourceTable)} as s`;
  const fromParams: unknown[] = [];
  if (shape.dialect === 'postgresql') {
    const from = `${head} ${joinUnnest(shape, batch, varyingColumns, fromParams)}`;
    return { columns, from, fromParams, rowIndex: `v.${q('o')} - 1` };
  }
  if (varyingColumns.length === 0 && !join) {
    return { columns, from: `${head} ${whereKeyIn(shape, batch, fromParams)}`, fromParams, rowIndex: undefined };
  }
  const source = joinRowSource(shape, batch, varyingColumns, fromParams);
  return { columns, from: source.from, fromParams, rowIndex: source.oneBased ? `v.${q('o')} - 1` : `v.${q('o')}` };
}

function parameterColumn(shape: SnapshotStatementShape, column: ParameterColumn, value: unknown): SelectedColumn {
  if (value instanceof SqlExpression) {
    return { name: column.name, sql: value.sql, params: [], parameter: column, perRow: false };
  }
  return { name: column.name, sql: placeholder(shape, column), params: [value], parameter: column, perRow: false };
}

function placeholder(shape: SnapshotStatementShape, column: ParameterColumn): string {
  return shape.dialect === 'postgresql' ? `cast(? as ${withoutTypeModifier(column.castType)})` : '?';
}

type Varying = readonly { column: ParameterColumn; index: number }[];

// `unnest(keys…, values…) with ordinality` turns one array per column back into rows, in the given order.
function joinUnnest(shape: SnapshotStatementShape, batch: SnapshotBatch, varying: Varying, params: unknown[]): string {
  const q = shape.quote;
  const arrays = [
    ...shape.keyColumns.map((column, i) => ({ column, alias: `k${i}`, values: batch.keys.map(key => key[i]) })),
    ...varying.map(({ column, index }) => ({ column, alias: `r${index}`, values: batch.values.map(row => row[index]) })),
  ];
  const casts = arrays.map(({ column, values }) => {
    params.push(new SqlArray(values));
    return `cast(? as ${withoutTypeModifier(column.castType)}[])`;
  });
  const aliases = [...arrays.map(a => q(a.alias)), q('o')].join(', ');
  return `join unnest(${casts.join(', ')}) with ordinality as v(${aliases}) on ${keyJoin(shape)} order by v.${q('o')}`;
}

function whereKeyIn(shape: SnapshotStatementShape, batch: SnapshotBatch, params: unknown[]): string {
  const q = shape.quote;
  const single = shape.keyColumns.length === 1;
  const columns = shape.keyColumns.map(column => `s.${q(column.name)}`);
  const tuples = batch.keys.map(key => {
    params.push(...key);
    return single ? '?' : `(${key.map(() => '?').join(', ')})`;
  });
  const target = single ? columns[0] : `(${columns.join(', ')})`;
  return `where ${target} in (${tuples.join(', ')}) order by ${columns.join(', ')}`;
}

// The per-row values become a derived table `v(o, k0.., r0..)` joined to the source on its key. SQLite caps
// UNION ALL at 500 terms and names VALUES columns column1.., MariaDB names them after the first row's values;
// MySQL/MariaDB read the rows from one JSON document where the values allow it (`jsonTableSource`).
function joinRowSource(shape: SnapshotStatementShape, batch: SnapshotBatch, varying: Varying, params: unknown[]): { from: string; oneBased: boolean } {
  const q = shape.quote;
  const order = (source: string) => `from ${q(shape.sourceTable)} as s join ${source} as v on ${keyJoin(shape)} order by v.${q('o')}`;
  if (shape.dialect === 'mysql') {
    const json = jsonTableSource(
      [
        ...shape.keyColumns.map((column, i) => ({ alias: `k${i}`, column, values: batch.keys.map(key => key[i]) })),
        ...varying.map(({ column, index }) => ({ alias: `r${index}`, column, values: batch.values.map(row => row[index]) })),
      ],
      batch.keys.length,
      q,
    );
    if (json) {
      params.push(json.document);
      // MariaDB guesses 40 rows for any JSON_TABLE and, on a small table, joins it to a full scan of the source:
      // a locking read then takes next-key locks on every row and gap, and another writer's insert waits for this
      // transaction (test/concurrency/row-source-locks). The source rows are looked up by primary key, one by one.
      const source = `${q(shape.sourceTable)} as s force index (primary)`;
      const from = `from ${json.sql} as v straight_join ${source} on ${keyJoin(shape)} order by v.${q('o')}`;
      return { from, oneBased: true };
    }
  }
  const aliases = ['o', ...shape.keyColumns.map((_, i) => `k${i}`), ...varying.map(({ index }) => `r${index}`)];
  const tuples = batch.keys.map((key, row) => {
    params.push(...key, ...varying.map(({ index }) => batch.values[row]![index]));
    return [String(row), ...key.map(() => '?'), ...varying.map(() => '?')];
  });
  let source: string;
  if (shape.dialect === 'sqlite') {
    const renamed = aliases.map((alias, i) => `column${i + 1} as ${q(alias)}`).join(', ');
    source = `(select ${renamed} from (values ${tuples.map(t => `(${t.join(', ')})`).join(', ')}))`;
  } else {
    const [first, ...rest] = tuples;
    const head = `select ${first!.map((value, i) => `${value} as ${q(aliases[i]!)}`).join(', ')}`;
    source = `(${[head, ...rest.map(t => `select ${t.join(', ')}`)].join(' union all ')})`;
  }
  return { from: order(source), oneBased: false };
}

function keyJoin(shape: SnapshotStatementShape): string {
  return shape.keyColumns.map((column, i) => `s.${shape.quote(column.name)} = v.${shape.quote(`k${i}`)}`).join(' and ');
}

/** Whether row column `index` holds different values in different rows. */
export function varies(values: readonly (readonly unknown[])[], index: number): boolean {
  const first = values[0]?.[index];
  return values.some(row => !sameValue(row[index], first));
}

/** Whether two row values are the same value (dates by instant). */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());
}

/**
 * An explicit cast to `varchar(10)` or `numeric(5,2)` silently truncates or rounds in PostgreSQL, where storing
 * the value in the column raises an error. Casting to the unmodified type leaves that check to the column.
 */
export function withoutTypeModifier(type: string): string {
  const base = type.replace(/\s*\([^)]*\)/g, '');
  return /^(char|character)$/i.test(base) ? 'bpchar' : base;
}
