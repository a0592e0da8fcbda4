import { stringify } from 'csv-stringify/sync';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { exportValue } from './exportValue.js';
import type { HistoryEntity } from './historyEntity.js';

/** The exported columns of an entity's history, in the history table's order. */
export function exportColumns(entity: HistoryEntity): string[] {
  return [
    AUDIT_ID,
    AUDIT_TIMESTAMP,
    ...(entity.hasChangeType ? [AUDIT_CHANGE_TYPE] : []),
    ...(entity.hasActor ? [AUDIT_ACTOR] : []),
    AUDIT_REASON,
    AUDIT_TRANSACTION,
    ...entity.trackFields.map(p => p.name),
    ...entity.columns.map(p => p.name),
  ];
}

/** The values of an audit row for those columns, as plain data (see `exportValue`). */
export function exportRecord(columns: readonly string[], row: Readonly<Record<string, unknown>>): unknown[] {
  return columns.map(name => exportValue(row[name]));
}

/**
 * CSV lines for records of plain values (objects and arrays as JSON). csv-stringify with `escape_formulas`: a cell
 * starting with = + - @ TAB or CR gets a leading ' so that a spreadsheet shows it as text rather than running it
 * (numbers stay numbers, so -5 is not touched).
 */
export function csvText(records: readonly (readonly unknown[])[]): string {
  const cells = records.map(row => row.map(value => (value === null ? null : typeof value === 'object' ? JSON.stringify(value) : value)));
  return stringify(cells, { escape_formulas: true, cast: { boolean: value => String(value) } });
}

/** One record as a JSON object of its columns (one line: no newline inside). */
export function jsonRecord(columns: readonly string[], record: readonly unknown[]): string {
  return JSON.stringify(Object.fromEntries(columns.map((name, i) => [name, record[i]])));
}
