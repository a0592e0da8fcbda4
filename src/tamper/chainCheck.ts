import { genesis, rowHash } from './chain.js';
import type { StreamedRow } from './auditRows.js';
import { SeenFilter } from './SeenFilter.js';

/**
 * What the chain check saw, before the seals can say why:
 * - `link`: row `id` does not fit after `previousId` (`null`: the transaction's first row) in its chain;
 * - `skip`: row `id` fits its chain, but the next row `nextId` fits only without it: it was squeezed in;
 * - `span`: row `id` continues a transaction whose row `previousId` lies at or below a seal's watermark, so the
 *   transaction had ended before that seal: the row was appended later.
 */
export interface ChainIssue {
  readonly kind: 'link' | 'skip' | 'span';
  readonly id: bigint;
  readonly previousId: bigint | null;
  readonly nextId?: bigint;
  readonly tx: string;
  /** For `span`: the watermark between the row and its predecessor. */
  readonly watermark?: bigint;
}

/** A chained row or prune record before another: its id and hash. */
export interface ChainLink {
  readonly id: bigint;
  readonly hash: string;
}

/** Finds, per transaction, its two newest chained rows or records with an id below `before` (newest first). */
export type PredecessorLookup = (before: ReadonlyMap<string, bigint>) => Promise<ReadonlyMap<string, readonly ChainLink[]>>;

// The hash before a row whose predecessor is still to be looked up.
const UNKNOWN = '';

interface ChainState {
  previous: string;
  beforePrevious: string | null;
  previousId: bigint | null;
  previousIsRow: boolean;
  /** The page it was last seen on: states of transactions not seen for a page are dropped. */
  page: number;
}

/**
 * Checks every chain while rows and prune records go by in `_audit_id` order, each row against
 * `rowHash(previous, content)` from the genesis of its (table, transaction). Holds the state of the
 * transactions seen on the last two pages only, and a fixed-size filter of every transaction seen: a transaction
 * it never saw starts at the genesis, the predecessor of any other one not in memory is looked up once per page
 * (`settle`), so memory does not grow with history. `watermarks` (sorted, from seals that verified) mark where
 * transactions had ended.
 */
export class ChainCheck {
  readonly #table: string;
  readonly #watermarks: readonly bigint[];
  readonly #report: (issue: ChainIssue) => void;
  readonly #seen: SeenFilter;
  readonly #states = new Map<string, ChainState>();
  // Rows whose transaction was seen before but is no longer in memory: checked once their predecessor is read.
  #waiting: StreamedRow[] = [];
  // Rows right after a waiting row whose link failed: they may fit without it, which its predecessor tells.
  #afterWaiting: { row: StreamedRow; waiting: StreamedRow }[] = [];
  #page = 0;

  constructor(table: string, watermarks: readonly bigint[], expectedTransactions: number, report: (issue: ChainIssue) => void) {
    this.#table = table;
    this.#watermarks = watermarks;
    this.#report = report;
    this.#seen = new SeenFilter(expectedTransactions);
  }

  /** A row or prune record, in id order; rows without a hash or transaction are in no chain. */
  add(row: StreamedRow): void {
    const tx = row.tx;
    if (tx === null || row.hash === null) {
      return;
    }
    let state = this.#states.get(tx);
    if (!state) {
      // Never seen: the transaction's first row, chained to the genesis. Seen, but no longer in memory: the
      // predecessor is looked up after the page (`settle`), and the row checked then.
      const seen = this.#seen.add(tx);
      state = { previous: seen ? UNKNOWN : genesis(this.#table, tx), beforePrevious: null, previousId: null, previousIsRow: false, page: 0 };
      this.#states.set(tx, state);
      if (seen) {
        this.#waiting.push(row);
      }
    }
    if (row.kind === 'a' && state.previous !== UNKNOWN) {
      const waiting = state.beforePrevious === null && state.previousIsRow ? this.#waiting.find(candidate => candidate.id === state.previousId) : undefined;
      if (waiting && rowHash(state.previous, row.canonical!) !== row.hash) {
        this.#afterWaiting.push({ row, waiting });
      } else {
        this.#check(tx, row, state);
      }
    }
    state.beforePrevious = state.previous === UNKNOWN ? null : state.previous;
    state.previous = row.hash;
    state.previousId = row.id;
    state.previousIsRow = row.kind === 'a';
    state.page = this.#page;
  }

  /** After each page: checks the rows waiting for their predecessor, and forgets transactions not seen lately. */
  async settle(lookup: PredecessorLookup): Promise<void> {
    if (this.#waiting.length > 0) {
      const waiting = this.#waiting;
      this.#waiting = [];
      const found = await lookup(new Map(waiting.map(row => [row.tx!, row.id])));
      const startOf = (row: StreamedRow): ChainState => {
        const [previous, beforePrevious] = found.get(row.tx!) ?? [];
        return { previous: previous?.hash ?? genesis(this.#table, row.tx!), beforePrevious: beforePrevious?.hash ?? null, previousId: previous?.id ?? null, previousIsRow: false, page: 0 };
      };
      for (const row of waiting) {
        const start = startOf(row);
        if (row.kind === 'a') {
          this.#check(row.tx!, row, start);
        }
        // The next row of the transaction, on a later page, is then checked as if nothing had been looked up.
        const state = this.#states.get(row.tx!);
        if (state && state.previousId === row.id) {
          state.beforePrevious = start.previous;
        }
      }
      const after = this.#afterWaiting;
      this.#afterWaiting = [];
      for (const { row, waiting: before } of after) {
        // Checked as if the waiting row's own predecessor were known when it went by.
        const start = startOf(before);
        this.#check(row.tx!, row, { previous: before.hash!, beforePrevious: start.previous, previousId: before.id, previousIsRow: true, page: 0 });
      }
    }
    for (const [tx, state] of this.#states) {
      if (state.page < this.#page) {
        this.#states.delete(tx);
      }
    }
    this.#page++;
  }

  #check(tx: string, row: StreamedRow, state: ChainState): void {
    const watermark = state.previousId === null ? undefined : this.#watermarkFrom(state.previousId);
    if (watermark !== undefined && row.id > watermark) {
      this.#report({ kind: 'span', id: row.id, previousId: state.previousId, tx, watermark });
    }
    const canonical = row.canonical!;
    if (rowHash(state.previous, canonical) === row.hash) {
      return;
    }
    if (state.previousIsRow && state.beforePrevious !== null && rowHash(state.beforePrevious, canonical) === row.hash) {
      this.#report({ kind: 'skip', id: state.previousId!, previousId: null, nextId: row.id, tx });
      return;
    }
    this.#report({ kind: 'link', id: row.id, previousId: state.previousId, tx });
  }

  // The first watermark at or above `id`, if any.
  #watermarkFrom(id: bigint): bigint | undefined {
    const marks = this.#watermarks;
    let low = 0;
    let high = marks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (marks[mid]! < id) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return marks[low];
  }
}
