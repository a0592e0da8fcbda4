import { AUDIT_HASH, AUDIT_ID, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { assignedValueExpression, canonicalExpression } from './canonicalValues.js';
import { packQuotedTexts } from './packedCanonicalTexts.js';
import { SqlExpression, type SqlStatement } from './SqlStatement.js';
import type { ParameterColumn, SelectedColumn, SnapshotSelect, SnapshotStatementShape } from './snapshotSelect.js';

/** What tamper evidence adds to an audit table's statement shape. */
export interface ChainShape {
  /** The declared types of the copied columns, in `copiedColumns` order. */
  readonly copiedColumnTypes: readonly string[];
  /** `_audit_hash`, one more row column of the chained INSERT. */
  readonly hashColumn: ParameterColumn;
}

// Stands for a column's expression while its canonical form is built (it may use it more than once).
const SLOT = '\u0000';

/**
 * Tamper evidence's pre-read: the SELECT of the audit INSERT (`select`, built with `join` so that every row has its
 * batch index), returning per row its batch index `o`, and in the first row returned the chain head `h` of this
 * table and transaction (the hash of the transaction's newest chained row in the table, NULL for none; backstop rows
 * have no hash and are in no chain). The first row returned is the batch's first, unless `firstRowMayBeGone`: then
 * every row carries the shared values. Then the canonical text of each value the INSERT will store
 * (`canonicalExpression` of `assignedValueExpression` for parameters, of the source column for copied columns):
 * `c0`, `c1`, … one column each, the values the statement shares in the first row returned only; on SQLite packed
 * (`packQuotedTexts`) into `c` (the values of the row) and `s` (the shared values, first row only).
 *
 * On MySQL/MariaDB it is a locking read, as the INSERT's SELECT is: under REPEATABLE READ a plain read returns the
 * transaction's snapshot, which for a row locked but not written by this transaction (a row to delete) may be older
 * than the row the INSERT copies. The head's subquery is not locked by it.
 */
export function buildCanonicalSelect(shape: SnapshotStatementShape, chain: ChainShape, select: SnapshotSelect, transactionId: string, firstRowMayBeGone = false): SqlStatement {
  const q = shape.quote;
  const index = select.rowIndex;
  if (index === undefined) {
    throw new Error('the pre-read needs the batch index of each row: build the select with join');
  }
  const params: unknown[] = [transactionId];
  // Values the statement shares (the chain head, the clock, the transaction id, a constant row value) are read in
  // the batch's first row only, or in every row where that row may be gone (an update of a row deleted meanwhile).
  // Not `min(o) over ()`: MariaDB then runs the whole join once per row.
  const firstRowOnly = (sql: string) => (firstRowMayBeGone ? sql : `case when ${index} = 0 then ${sql} end`);
  const list = [`${index} as ${q('o')}`, `${firstRowOnly(chainHead(shape))} as ${q('h')}`];
  if (shape.dialect === 'mysql') {
    // A deadlock rolls the whole InnoDB transaction back, and statements sent afterwards run on their own.
    list.push(`@@in_transaction as ${q('t')}`);
  }
  const texts = select.columns.map((column, i) => {
    const own: unknown[] = [];
    return { text: canonicalColumn(shape, column, chain.copiedColumnTypes[i], own), params: own, perRow: column.perRow };
  });
  if (shape.dialect === 'sqlite') {
    const [perRow, shared] = [texts.filter(t => t.perRow), texts.filter(t => !t.perRow)];
    list.push(`${packQuotedTexts(perRow.map(t => t.text))} as ${q('c')}`, `${firstRowOnly(packQuotedTexts(shared.map(t => t.text)))} as ${q('s')}`);
    params.push(...perRow.flatMap(t => t.params), ...shared.flatMap(t => t.params));
  } else {
    texts.forEach(({ text, params: own, perRow }, i) => {
      list.push(`${perRow ? text : firstRowOnly(text)} as ${q(`c${i}`)}`);
      params.push(...own);
    });
  }
  const lock = shape.dialect === 'mysql' ? ' for update' : '';
  return { sql: `select ${list.join(', ')} ${select.from}${lock}`, params: [...params, ...select.fromParams] };
}

/** The canonical text of the value `column` will store, its parameters appended to `params` in text order. */
export function canonicalColumn(names: Pick<SnapshotStatementShape, 'dialect'>, column: SelectedColumn, copiedType: string | undefined, params: unknown[]): string {
  const { dialect } = names;
  if (!column.parameter) {
    return canonicalExpression(dialect, column.sql, copiedType!);
  }
  const type = column.parameter.castType;
  const parts = canonicalExpression(dialect, assignedValueExpression(dialect, SLOT, type), type).split(SLOT);
  for (let i = 1; i < parts.length; i++) {
    params.push(...column.params);
  }
  return parts.join(`(${column.sql})`);
}

/**
 * The pre-read of a chained `INSERT … VALUES` (pivot rows, whose removed rows can no longer be copied): per row its
 * index `o`, the chain head `h` (first row only) and the canonical text `c<i>` of each value as `columns` will store
 * it (the `shared` columns, one value for all rows, in the first row only). Every value is a parameter, or a
 * library `SqlExpression` (the clock).
 */
export function buildValuesCanonicalSelect(
  shape: Pick<SnapshotStatementShape, 'dialect' | 'quote' | 'auditTable'>,
  columns: readonly ParameterColumn[],
  rows: readonly (readonly unknown[])[],
  transactionId: string,
  shared: (index: number) => boolean = () => false,
): SqlStatement {
  const q = shape.quote;
  const params: unknown[] = [];
  const branches = rows.map((row, r) => {
    const list = [`${r} as ${q('o')}`];
    if (r === 0) {
      params.push(transactionId);
      list.push(`${chainHead(shape)} as ${q('h')}`);
    } else {
      list.push('null');
    }
    columns.forEach((column, i) => {
      if (r > 0 && shared(i)) {
        list.push('null');
        return;
      }
      const value = row[i];
      const selected = value instanceof SqlExpression ? { sql: value.sql, params: [] } : { sql: '?', params: [value] };
      list.push(`${canonicalColumn(shape, { name: column.name, ...selected, parameter: column, perRow: true }, undefined, params)} as ${q(`c${i}`)}`);
    });
    return `select ${list.join(', ')}`;
  });
  return { sql: `${branches.join(' union all ')} order by ${q('o')}`, params };
}

// The hash of the transaction's newest chained row in the audit table (one parameter: the transaction id). Its own
// rows are always visible to a transaction, so a savepoint rolled back leaves no stale head behind.
function chainHead(shape: Pick<SnapshotStatementShape, 'quote' | 'auditTable'>): string {
  const q = shape.quote;
  return `(select ${q(AUDIT_HASH)} from ${q(shape.auditTable)} where ${q(AUDIT_TRANSACTION)} = ? and ${q(AUDIT_HASH)} is not null order by ${q(AUDIT_ID)} desc limit 1)`;
}
