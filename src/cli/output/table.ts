import Table from 'cli-table3';
import { formatText } from '../../read/exportValue.js';
import type { Colors } from './colors.js';
import { terminalText } from './terminalText.js';

/** Text made for the terminal by the CLI itself (escaped parts, its own colors, line breaks): shown as it is. */
export class ShownText {
  constructor(readonly text: string) {}
}

/** A cell: any stored value (shown as the exports write it, escaped for the terminal), `null` for none, or `ShownText`. */
export type Cell = unknown;

/** How a stored value shows in a table cell: one inert line, `null` dimmed. */
export function cellText(value: Cell, c: Colors): string {
  if (value instanceof ShownText) {
    return value.text;
  }
  const text = formatText(value);
  return text === null ? c.dim('null') : terminalText(text);
}

/** A table with a header row, in plain box characters; colors (the header) only when `c` has them on. */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[], c: Colors): string {
  const table = new Table({ head: head.map(name => c.bold(terminalText(name))), style: { head: [], border: [] } });
  for (const row of rows) {
    table.push(row.map(value => cellText(value, c)));
  }
  return `${table.toString()}\n`;
}

/** A two-column table of names and values (one row, or a summary), for a single record. */
export function renderRecord(record: readonly (readonly [string, Cell])[], c: Colors): string {
  const table = new Table({ style: { head: [], border: [] } });
  for (const [name, value] of record) {
    table.push([c.bold(terminalText(name)), cellText(value, c)]);
  }
  return `${table.toString()}\n`;
}
