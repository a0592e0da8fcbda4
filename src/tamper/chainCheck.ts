import { genesis, rowHash } from './chain.js';
import type { StreamedRow } from './auditRows.js';

/**
 * What the pass over chains saw, before the pass over seals can say why:
 * - `link`: row `id` does not fit after `previousId` (`null`: the transaction's first row) in its chain;
 * - `skip`: row `id` fits its chain, but the next row `nextId` fits only without it: it was squeezed in;
 * - `span`: row `id` continues a transaction whose earlier rows lie below a seal's watermark, so the
 *   transaction had ended before that seal: the row was appended later.
 */
export interface ChainIssue {
  readonly kind: 'link' | 'skip' | 'span';
  readonly id: bigint;
  readonly previousId: bigint | null;
  readonly nextId?: bigint;
  readonly tx: string;
  /** For `span`: the transaction's first id and the watermark it lies below. */
  readonly firstId?: bigint;
  readonly watermark?: bigint;
}

interface ChainState {
  tx: string;
  previous: string;
  beforePrevious: string | null;
  previousId: bigint | null;
  previousIsRow: boolean;
  /** The first watermark at or above the transaction's first id; `undefined` if none. */
  watermark: bigint | undefined;
  firstId: bigint;
  spanned: boolean;
}

/**
 * Pass 1: walks every chain (rows by transaction, then `_audit_id`; prune records bridge the rows they stand
 * for) and reports each row whose hash is not `rowHash(previous, content)`. `watermarks` (sorted, from seals that
 * verified) mark where transactions had ended. Keeps one transaction's state at a time: constant memory.
 */
export class ChainCheck {
  readonly #table: string;
  readonly #watermarks: readonly bigint[];
  readonly #report: (issue: ChainIssue) => void;
  #state: ChainState | undefined;
  #rows = 0;

  constructor(table: string, watermarks: readonly bigint[], report: (issue: ChainIssue) => void) {
    this.#table = table;
    this.#watermarks = watermarks;
    this.#report = report;
  }

  /** Chained rows checked so far. */
  get rows(): number {
    return this.#rows;
  }

  add(row: StreamedRow): void {
    const tx = row.tx!;
    let state = this.#state;
    if (!state || state.tx !== tx) {
      state = this.#state = { tx, previous: genesis(this.#table, tx), beforePrevious: null, previousId: null, previousIsRow: false, watermark: this.#firstWatermarkFrom(row.id), firstId: row.id, spanned: false };
    } else if (row.id === state.previousId) {
      // The prune record of a row that is still there: the row was checked.
      return;
    }
    if (state.watermark !== undefined && row.id > state.watermark && !state.spanned) {
      state.spanned = true;
      this.#report({ kind: 'span', id: row.id, previousId: state.previousId, tx, firstId: state.firstId, watermark: state.watermark });
    }
    if (row.kind === 'a') {
      this.#rows++;
      this.#check(state, row);
    }
    state.beforePrevious = state.previous;
    state.previous = row.hash!;
    state.previousId = row.id;
    state.previousIsRow = row.kind === 'a';
  }

  #check(state: ChainState, row: StreamedRow): void {
    const canonical = row.canonical!;
    if (rowHash(state.previous, canonical) === row.hash) {
      return;
    }
    if (state.previousIsRow && state.beforePrevious !== null && rowHash(state.beforePrevious, canonical) === row.hash) {
      this.#report({ kind: 'skip', id: state.previousId!, previousId: null, nextId: row.id, tx: state.tx });
      return;
    }
    this.#report({ kind: 'link', id: row.id, previousId: state.previousId, tx: state.tx });
  }

  #firstWatermarkFrom(id: bigint): bigint | undefined {
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
