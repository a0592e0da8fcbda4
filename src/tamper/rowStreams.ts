import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import type { SqlStatement } from '../sql/SqlStatement.js';
import { buildRecordsById, buildRecordsOfTransactions, buildRowsById, buildRowsByTransaction } from '../sql/verifyQueries.js';
import { idText, streamedRow, type AuditTableSource, type RowKind, type StreamedRow } from './auditRows.js';

type Raw = Record<string, unknown>;

// Streams hand out a page (an array) at a time: a million rows one promise each cost seconds of microtasks.

/**
 * Pages of a keyset read: `statement(last)` reads up to `limit` rows after the last one read. The next page is
 * asked for before the current one is handed out, so the database works while the caller hashes.
 */
async function* pages(em: EntityManager, statement: (last: Raw | undefined) => SqlStatement, limit: number): AsyncGenerator<Raw[]> {
  let page = await executeStatement(em, undefined, statement(undefined), 'all');
  for (;;) {
    const next = page.length < limit ? undefined : executeStatement(em, undefined, statement(page[page.length - 1]), 'all');
    // Handled here so that a caller who stops early leaves no unhandled rejection behind.
    next?.catch(() => undefined);
    yield page;
    if (!next) {
      return;
    }
    page = await next;
  }
}

/**
 * Every audit row and prune record of the table in `_audit_id` order (a row before the record of the same id),
 * after `after`, up to `upTo`: two keyset streams merged, a page at a time. A page's rows are made as they are
 * iterated, so that they die young (a page of objects alive across garbage collections cost verify more than
 * all its hashing).
 */
export async function* rowsById(em: EntityManager, source: AuditTableSource, options: { after?: string; upTo?: string; batchSize: number }): AsyncGenerator<Iterable<StreamedRow>> {
  const { upTo, batchSize } = options;
  const from = (raw: Raw | undefined) => (raw ? idText(raw.id) : options.after);
  const rows = new PageCursor(source, 'a', pages(em, last => buildRowsById(source, from(last), upTo, batchSize), batchSize));
  const records = new PageCursor(source, 'p', pages(em, last => buildRecordsById(source, from(last), upTo, batchSize), batchSize));
  await Promise.all([rows.fill(), records.fill()]);
  while (!rows.done || !records.done) {
    // Up to the end of whichever page ends first: past it, the other stream's next page may hold lower ids.
    const bound = rows.done ? records.last! : records.done ? rows.last! : rows.last! < records.last! ? rows.last! : records.last!;
    yield merged(rows, records, bound);
    await Promise.all([rows.fill(), records.fill()]);
  }
}

function* merged(rows: PageCursor, records: PageCursor, bound: bigint): Generator<StreamedRow> {
  for (;;) {
    const row = rows.peek();
    const record = records.peek();
    const useRow = !!row && (!record || row.id <= record.id);
    const next = useRow ? row : record;
    if (!next || next.id > bound) {
      return;
    }
    yield useRow ? rows.take() : records.take();
  }
}

/** One keyset stream, one page held at a time, its rows made one by one as they are taken. */
class PageCursor {
  readonly #source: AuditTableSource;
  readonly #kind: RowKind;
  readonly #pages: AsyncGenerator<Raw[]>;
  #raws: Raw[] = [];
  #at = 0;
  #current: StreamedRow | undefined;
  #ended = false;

  constructor(source: AuditTableSource, kind: RowKind, pages: AsyncGenerator<Raw[]>) {
    this.#source = source;
    this.#kind = kind;
    this.#pages = pages;
  }

  /** Reads the next page once this one is used up. */
  async fill(): Promise<void> {
    while (this.#at >= this.#raws.length && !this.#ended) {
      const page = await this.#pages.next();
      this.#ended = !!page.done;
      this.#raws = page.done ? [] : page.value;
      this.#at = 0;
      this.#current = undefined;
    }
  }

  get done(): boolean {
    return this.#ended && this.#at >= this.#raws.length;
  }

  /** The highest id of the page held. */
  get last(): bigint | undefined {
    const raw = this.#raws[this.#raws.length - 1];
    return raw && BigInt(raw.id as string | number | bigint);
  }

  peek(): StreamedRow | undefined {
    const raw = this.#raws[this.#at];
    if (raw && !this.#current) {
      this.#current = streamedRow(this.#source, raw, this.#kind, false);
    }
    return this.#current;
  }

  take(): StreamedRow {
    const row = this.peek()!;
    this.#at++;
    this.#current = undefined;
    return row;
  }
}

/**
 * Every chained row in (`_audit_transaction`, `_audit_id`) order, a page at a time, with the prune records of
 * its transaction that lie before it merged in (`withRecords`), so that a chain is bridged over the rows pruned
 * from it. The records of each page's transactions are read with the page; ids, not transaction texts, are
 * compared here, so no collation is assumed.
 */
export async function* rowsByTransaction(em: EntityManager, source: AuditTableSource, options: { batchSize: number; withRecords: boolean }): AsyncGenerator<Iterable<StreamedRow>> {
  const { batchSize, withRecords } = options;
  const statement = (last: Raw | undefined) => buildRowsByTransaction(source, last && { tx: String(last.tx), id: idText(last.id) }, batchSize);
  let last: { tx: string; id: bigint } | undefined;
  for await (const page of pages(em, statement, batchSize)) {
    if (!withRecords) {
      yield made(source, page);
      continue;
    }
    const rows = page.map(raw => streamedRow(source, raw, 'a', true));
    const records = await recordsOf(em, source, page);
    const merged: StreamedRow[] = [];
    // Per transaction, the first of its records not handed out yet.
    const next = new Map<string, number>();
    for (const row of rows) {
      const tx = row.tx!;
      const pending = records.get(tx) ?? [];
      let i = next.get(tx) ?? 0;
      for (; i < pending.length && pending[i]!.id < row.id; i++) {
        if (last?.tx !== tx || pending[i]!.id > last.id) {
          merged.push(pending[i]!);
        }
      }
      next.set(tx, i);
      merged.push(row);
      last = { tx, id: row.id };
    }
    yield merged;
  }
}

function* made(source: AuditTableSource, page: readonly Raw[]): Generator<StreamedRow> {
  for (const raw of page) {
    yield streamedRow(source, raw, 'a', true);
  }
}

async function recordsOf(em: EntityManager, source: AuditTableSource, page: readonly Raw[]): Promise<Map<string, StreamedRow[]>> {
  const transactions = [...new Set(page.map(raw => String(raw.tx)))];
  const found = await executeStatement(em, undefined, buildRecordsOfTransactions(source, transactions), 'all');
  const byTransaction = new Map<string, StreamedRow[]>();
  for (const raw of found) {
    const record = streamedRow(source, raw, 'p', false);
    const list = byTransaction.get(record.tx!);
    if (list) {
      list.push(record);
    } else {
      byTransaction.set(record.tx!, [record]);
    }
  }
  byTransaction.forEach(records => records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return byTransaction;
}
