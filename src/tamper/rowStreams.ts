import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import type { SqlStatement } from '../sql/SqlStatement.js';
import { buildPredecessors, buildRecordsById, buildRowsById } from '../sql/verifyQueries.js';
import { idText, streamedRow, type AuditTableSource, type RowKind, type StreamedRow } from './auditRows.js';
import type { ChainLink } from './chainCheck.js';
import { transactionOf } from './snapshotRead.js';

type Raw = Record<string, unknown>;

// Streams hand out a page (an array) at a time: a million rows one promise each cost seconds of microtasks.

/**
 * Pages of a keyset read: `statement(last)` reads up to `limit` rows after the last one read. The next page is
 * asked for before the current one is handed out, so the database works while the caller hashes.
 */
async function* pages(em: EntityManager, statement: (last: Raw | undefined) => SqlStatement, limit: number): AsyncGenerator<Raw[]> {
  let page = await executeStatement(em, transactionOf(em), statement(undefined), 'all');
  for (;;) {
    const next = page.length < limit ? undefined : executeStatement(em, transactionOf(em), statement(page[page.length - 1]), 'all');
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
export async function* rowsById(
  em: EntityManager,
  source: AuditTableSource,
  options: { after?: string; upTo?: string; batchSize: number; everyContent?: boolean },
): AsyncGenerator<Iterable<StreamedRow>> {
  const { upTo, batchSize, everyContent = false } = options;
  const from = (raw: Raw | undefined) => (raw ? idText(raw.id) : options.after);
  const rows = new PageCursor(source, 'a', pages(em, last => buildRowsById(source, from(last), upTo, batchSize, everyContent), batchSize), everyContent);
  const records = new PageCursor(source, 'p', pages(em, last => buildRecordsById(source, from(last), upTo, batchSize), batchSize), false);
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
  readonly #everyContent: boolean;
  #raws: Raw[] = [];
  #at = 0;
  #current: StreamedRow | undefined;
  #ended = false;

  constructor(source: AuditTableSource, kind: RowKind, pages: AsyncGenerator<Raw[]>, everyContent: boolean) {
    this.#source = source;
    this.#kind = kind;
    this.#pages = pages;
    this.#everyContent = everyContent;
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
      this.#current = streamedRow(this.#source, raw, this.#kind, this.#everyContent);
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
 * The two newest chained rows or prune records before each given id of its transaction (newest first): the
 * predecessors of rows whose chain state verify no longer holds.
 */
export async function predecessors(em: EntityManager, source: AuditTableSource, before: ReadonlyMap<string, bigint>, withRecords: boolean): Promise<Map<string, ChainLink[]>> {
  const transactions = [...before.keys()];
  const bound = [...before.values()].reduce((a, b) => (a > b ? a : b)).toString();
  const found = await executeStatement(em, transactionOf(em), buildPredecessors(source, 'a', transactions, bound), 'all');
  if (withRecords) {
    found.push(...(await executeStatement(em, transactionOf(em), buildPredecessors(source, 'p', transactions, bound), 'all')));
  }
  const result = new Map<string, ChainLink[]>();
  for (const raw of found) {
    const tx = String(raw.tx);
    const id = BigInt(raw.id as string | number | bigint);
    if (id >= before.get(tx)!) {
      continue;
    }
    const links = [...(result.get(tx) ?? []), { id, hash: String(raw.h) }].sort((a, b) => (a.id > b.id ? -1 : a.id < b.id ? 1 : 0));
    result.set(tx, links.slice(0, 2));
  }
  return result;
}
