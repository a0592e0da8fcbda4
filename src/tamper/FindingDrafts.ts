import type { Finding, FindingKind } from './Finding.js';

/** A finding while verify still runs: later passes may attach related ids to it. */
export interface FindingDraft {
  readonly kind: FindingKind;
  readonly auditId: bigint;
  lastAuditId?: bigint;
  readonly sealId?: string;
  readonly related: bigint[];
  /** The message, given the related ids (lowest first). */
  readonly message: (related: readonly string[]) => string;
}

/**
 * The findings of one table, indexed by id so that what one pass found can explain what another sees (a chain
 * link that fails right after a removed row is that removal, not a second finding). At most `limit` are kept;
 * the rest are counted.
 */
export class FindingDrafts {
  readonly #table: string;
  readonly #limit: number;
  readonly #all: FindingDraft[] = [];
  readonly #byId = new Map<bigint, FindingDraft>();
  // Ranges of removed rows, in id order (the pass by id adds them in that order).
  readonly #ranges: FindingDraft[] = [];
  #omitted = 0;

  constructor(table: string, limit: number) {
    this.#table = table;
    this.#limit = limit;
  }

  /** Keeps `draft` unless the limit is reached; returns it when kept. */
  add(draft: FindingDraft): FindingDraft | undefined {
    if (this.#all.length >= this.#limit) {
      this.#omitted++;
      return undefined;
    }
    this.#all.push(draft);
    if (!this.#byId.has(draft.auditId)) {
      this.#byId.set(draft.auditId, draft);
    }
    if (draft.lastAuditId !== undefined && (draft.kind === 'removed' || draft.kind === 'removed-tail')) {
      this.#ranges.push(draft);
    }
    return draft;
  }

  /** Attaches `id` to `draft` as a row the same tampering shows in. */
  relate(draft: FindingDraft, id: bigint): void {
    if (draft.auditId !== id && !draft.related.includes(id) && draft.related.length < 1000) {
      draft.related.push(id);
    }
  }

  /** The finding about row `id`, if any. */
  at(id: bigint): FindingDraft | undefined {
    return this.#byId.get(id);
  }

  /** A finding of removed rows between `after` (exclusive; `null`: from the start) and `before` (exclusive). */
  removedBetween(after: bigint | null, before: bigint): FindingDraft | undefined {
    let low = 0;
    let high = this.#ranges.length;
    // The first range ending after `after`.
    while (low < high) {
      const mid = (low + high) >> 1;
      if (after !== null && this.#ranges[mid]!.lastAuditId! <= after) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    const range = this.#ranges[low];
    return range && range.auditId < before ? range : undefined;
  }

  get omitted(): number {
    return this.#omitted;
  }

  /** The findings, in the order they were found, with their messages. */
  findings(): Finding[] {
    return this.#all.map(draft => {
      const related = [...draft.related].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
      return {
        table: this.#table,
        auditId: draft.auditId.toString(),
        ...(draft.lastAuditId !== undefined && draft.lastAuditId !== draft.auditId && { lastAuditId: draft.lastAuditId.toString() }),
        kind: draft.kind,
        message: draft.message(related),
        ...(related.length > 0 && { relatedIds: related }),
        ...(draft.sealId !== undefined && { sealId: draft.sealId }),
      };
    });
  }
}
