import type { IncomingMessage, ServerResponse } from 'node:http';
import { csvText, exportColumns, exportRecord, jsonRecord } from '../read/exportFormat.js';
import { historyBatches } from '../read/historyBatches.js';
import { historyWhere } from './historyQuery.js';
import type { PageContext } from './Page.js';
import type { HistoryFilters } from './parseQuery.js';
import { shownEntity } from './shownEntities.js';

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
  let written = 0;
  if (!(await send(res, csv ? csvText([columns]) : '['))) {
    return;
  }
  for await (const rows of historyBatches(ctx.em, entity, where, 'desc')) {
    const records = rows.map(row => exportRecord(columns, row));
    const text = csv ? csvText(records) : records.map((record, i) => `${written + i === 0 ? '\n' : ',\n'}${jsonRecord(columns, record)}`).join('');
    written += rows.length;
    if (!(await send(res, text))) {
      return;
    }
  }
  res.end(csv ? '' : '\n]\n');
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
