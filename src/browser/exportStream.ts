import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { exportValue } from '../read/exportValue.js';
import { findBatch, historyWhere, type HistoryRow } from './historyQuery.js';
import type { PageContext } from './Page.js';
import type { HistoryFilters } from './parseQuery.js';
import { withReadSession } from './readSession.js';
import { shownEntity, type ShownEntity } from './shownEntities.js';

/** Rows read per query: the most an export holds in memory at a time. */
const BATCH_SIZE = 500;

/** What `view=export` asks for: the history filters of an entity, and the format. */
export interface ExportQuery {
  readonly entity: string;
  readonly format: 'csv' | 'json';
  readonly filters: HistoryFilters;
}

/**
 * Streams the filtered history of an entity, newest first, as a CSV or JSON download: read in keyset batches and
 * written as they come, waiting for the client to drain each one, so memory stays constant whatever the size.
 */
export async function exportStream(ctx: PageContext, req: IncomingMessage, res: ServerResponse, query: ExportQuery): Promise<void> {
  const entity = shownEntity(ctx.em, query.entity);
  const where = historyWhere(entity, query.filters);
  const columns = exportColumns(entity);
  const csv = query.format === 'csv';
  res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  // The plain filename is for clients without RFC 6266 support: ASCII only, as a header must be.
  const filename = `${entity.name}-history.${query.format}`;
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let before: number | undefined;
  let written = 0;
  await send(res, csv ? csvText([columns]) : '[');
  for (;;) {
    const bound = before === undefined ? undefined : { $lt: before };
    const rows = await withReadSession(ctx.em, em => findBatch(em, entity, where, bound, 'desc', BATCH_SIZE));
    // Nothing read is kept: the next batch starts from an empty identity map.
    ctx.em.clear();
    if (rows.length > 0) {
      const values = rows.map(row => columns.map(name => exportValue(row[name])));
      const text = csv ? csvText(values.map(csvCells)) : values.map((row, i) => `${written + i === 0 ? '\n' : ',\n'}${jsonRow(columns, row)}`).join('');
      written += rows.length;
      if (!(await send(res, text))) {
        return;
      }
    }
    if (rows.length < BATCH_SIZE) {
      break;
    }
    before = (rows.at(-1) as HistoryRow)._audit_id;
  }
  res.end(csv ? '' : '\n]\n');
}

/** The exported columns, in the history table's order. */
export function exportColumns(entity: ShownEntity): string[] {
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

// csv-stringify with escape_formulas: a cell starting with = + - @ TAB or CR gets a leading ' so that a spreadsheet
// shows it as text rather than running it (numbers stay numbers, so -5 is not touched).
function csvText(records: readonly (readonly unknown[])[]): string {
  return stringify(records as unknown[][], { escape_formulas: true, cast: { boolean: value => String(value) } });
}

function csvCells(row: readonly unknown[]): unknown[] {
  return row.map(value => (value === null ? null : typeof value === 'object' ? JSON.stringify(value) : value));
}

function jsonRow(columns: readonly string[], row: readonly unknown[]): string {
  return JSON.stringify(Object.fromEntries(columns.map((name, i) => [name, row[i]])));
}

/** Writes a chunk and waits until the client took it; `false` when the client went away. */
async function send(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) {
    return false;
  }
  if (!res.write(text)) {
    await new Promise<void>(resolve => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  return !res.destroyed;
}
