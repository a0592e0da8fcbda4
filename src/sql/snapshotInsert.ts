import type { SqlStatement } from './SqlStatement.js';
import { buildSnapshotSelect, type SnapshotBatch, type SnapshotSelect, type SnapshotStatementShape } from './snapshotSelect.js';

export type { ParameterColumn, SnapshotBatch, SnapshotStatementShape } from './snapshotSelect.js';
export { sameValue, varies } from './snapshotSelect.js';

/**
 * Builds one `INSERT … SELECT` that copies the current state of many source rows into the audit table.
 * Reading the row inside the flush's transaction (instead of serialising the entity) makes every snapshot
 * complete, even for partially loaded entities, references and columns filled by the database. See
 * `buildSnapshotSelect` for how the rows and their values are passed; `join` always joins a derived table of the
 * rows in batch order (tamper evidence needs the order its pre-read saw).
 */
export function buildSnapshotInsert(shape: SnapshotStatementShape, statementValues: readonly unknown[], batch: SnapshotBatch, join = false): SqlStatement {
  return insertFromSelect(shape, buildSnapshotSelect(shape, statementValues, batch, join));
}

/** `insert into <audit> (<columns>) select <expressions> <from>`. */
export function insertFromSelect(shape: SnapshotStatementShape, select: SnapshotSelect): SqlStatement {
  const q = shape.quote;
  const targets = select.columns.map(column => q(column.name)).join(', ');
  const expressions = select.columns.map(column => column.sql).join(', ');
  const params = [...select.columns.flatMap(column => column.params), ...select.fromParams];
  return { sql: `insert into ${q(shape.auditTable)} (${targets}) select ${expressions} ${select.from}`, params };
}

/**
 * A PostgreSQL array literal (`{"1","2",NULL}`); the cast to `type[]` parses each element as that type. Dates are
 * written by `formatDate`, the form a single date parameter is sent in: a `timestamp` column keeps the digits it
 * is given, so any other form would store another wall-clock time, and a date key would match no source row.
 */
export function toPostgresArray(values: readonly unknown[], formatDate: (date: Date) => string): string {
  const elements = values.map(value => {
    if (value === null || value === undefined) {
      return 'NULL';
    }
    const text =
      value instanceof Date
        ? formatDate(value)
        : Buffer.isBuffer(value)
          ? `\\x${value.toString('hex')}`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value as string);
    // Most values need no escaping: testing first spares a copy of each.
    return `"${/["\\]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : text}"`;
  });
  return `{${elements.join(',')}}`;
}
