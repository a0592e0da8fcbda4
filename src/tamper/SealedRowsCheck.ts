import type { StreamedRow } from './auditRows.js';
import type { FindingDraft, FindingDrafts } from './FindingDrafts.js';
import { idsOf } from './idRanges.js';
import type { SealHeader } from './sealChainCheck.js';
import { digestStep, fingerprintOf, FINGERPRINT_LENGTH } from './segmentDigest.js';
import type { SealRow } from './sealRecord.js';

/** The ids and fingerprints of the seal whose segment is being read, walked along with the rows. */
interface Expected {
  readonly seal: SealHeader;
  readonly ids: Generator<bigint>;
  readonly fingerprints: string;
  next: bigint | undefined;
  position: number;
}

/** How the pass over the rows gets what it does not hold: a seal's ids and fingerprints (`undefined` if it no longer verifies). */
export type SealLoader = (seal: SealHeader) => Promise<Pick<SealRow, 'id_ranges' | 'fingerprints'> | undefined>;

/**
 * Along verify's one pass over rows and prune records in `_audit_id` order: each valid seal's ids and fingerprints are walked
 * along with the rows (removed, inserted, rewritten rows), its digest is recomputed and compared, and removed
 * rows at the end of history are told apart from removed rows in the middle. Holds one seal's text at a time.
 */
export class SealedRowsCheck {
  readonly #seals: readonly SealHeader[];
  readonly #drafts: FindingDrafts;
  readonly #load: SealLoader;
  #index = 0;
  #digest = '';
  #expected: Expected | undefined;
  // A seal whose text no longer verified when it was read again (changed while verify ran): its rows go unchecked.
  #unreadable: SealHeader | undefined;
  #findingsInSeal = 0;
  #removed: FindingDraft | undefined;
  readonly #changedByTransaction = new Map<string, FindingDraft>();

  constructor(seals: readonly SealHeader[], drafts: FindingDrafts, load: SealLoader) {
    this.#seals = seals;
    this.#drafts = drafts;
    this.#load = load;
  }

  /**
   * A row (or prune record) with its digest hash `hash`, in id order, each id once. Synchronous unless a seal's
   * ids and fingerprints must be read first: then the returned promise says when the row was taken.
   */
  add(row: StreamedRow, hash: string): Promise<void> | undefined {
    const seal = this.#seals[this.#index];
    const ready = !seal || (row.id <= seal.toId && (row.id <= seal.fromId || !seal.valid || this.#expected?.seal === seal || this.#unreadable === seal));
    if (!ready) {
      return this.#closeSealsBelow(row.id).then(() => this.#expectedOf(this.#seals[this.#index])).then(() => this.#take(row, hash));
    }
    this.#take(row, hash);
    return undefined;
  }

  // `add` once the seal the row falls in (if any) is the current one, with its text read when it verified.
  #take(row: StreamedRow, hash: string): void {
    const seal = this.#seals[this.#index];
    if (seal && row.id <= 0n && this.#index === 0) {
      this.#finding({ kind: 'inserted', auditId: row.id, related: [], message: () => `Row ${row.id} lies below every seal's range (ids start above 0): it was inserted.` });
    } else if (seal) {
      // Rows between seals (a deleted seal's) still count: the next seal's digest runs through them.
      this.#digest = digestStep(this.#digest, row.id, hash);
      if (row.id > seal.fromId && seal.valid && this.#expected?.seal === seal) {
        this.#compare(this.#expected, row, hash);
      }
    }
    // Rows missing before a row that exists are removed from the middle of history, not its end.
    if (this.#removed && row.id > this.#removed.lastAuditId!) {
      this.#removed = undefined;
    }
  }

  /** After the last row: closes the remaining seals; rows missing at the very end are a removed tail. */
  async end(): Promise<void> {
    await this.#closeSealsBelow(undefined);
    const tail = this.#removed;
    if (tail) {
      Object.assign(tail, { kind: 'removed-tail' as const });
    }
  }

  #compare(expected: Expected, row: StreamedRow, hash: string): void {
    const seal = expected.seal;
    while (expected.next !== undefined && expected.next < row.id) {
      this.#missing(expected.next, seal);
      this.#advance(expected);
    }
    if (expected.next !== row.id) {
      const ids = `ids ${seal.fromId + 1n}–${seal.toId}`;
      this.#finding({ kind: 'inserted', auditId: row.id, sealId: seal.id, related: [], message: () => `Row ${row.id} is not among the rows seal #${seal.id} covers (${ids}): it was inserted after the seal.` });
      return;
    }
    const sealed = expected.fingerprints.slice(expected.position * FINGERPRINT_LENGTH, (expected.position + 1) * FINGERPRINT_LENGTH);
    this.#advance(expected);
    if (fingerprintOf(hash) !== sealed) {
      this.#rewritten(row, seal);
    }
  }

  // A row whose hash differs from the sealed one: changed, and its chain recomputed to hide it. Its transaction's
  // later rows then differ too; they are the same tampering.
  #rewritten(row: StreamedRow, seal: SealHeader): void {
    const key = row.tx ?? '';
    const first = this.#changedByTransaction.get(key);
    if (first) {
      this.#drafts.relate(first, row.id);
      return;
    }
    const what = row.kind === 'p' ? 'prune record' : 'row';
    const draft = this.#finding({
      kind: 'changed',
      auditId: row.id,
      sealId: seal.id,
      related: [],
      message: related =>
        `The hash of ${what} ${row.id} differs from the one seal #${seal.id} recorded: it was changed and its hash ` +
        `recomputed${related.length ? `, with the rest of its transaction's chain (rows ${related.join(', ')})` : ''}.`,
    });
    if (draft) {
      this.#changedByTransaction.set(key, draft);
    }
  }

  #missing(id: bigint, seal: SealHeader): void {
    this.#findingsInSeal++;
    const run = this.#removed;
    if (run) {
      run.lastAuditId = id;
      return;
    }
    const draft: FindingDraft = {
      kind: 'removed',
      auditId: id,
      lastAuditId: id,
      sealId: seal.id,
      related: [],
      message: () => removedMessage(draft, seal),
    };
    this.#removed = this.#drafts.add(draft);
  }

  async #closeSealsBelow(id: bigint | undefined): Promise<void> {
    for (let seal = this.#seals[this.#index]; seal && (id === undefined || seal.toId < id); seal = this.#seals[++this.#index]) {
      if (seal.valid) {
        const expected = await this.#expectedOf(seal);
        for (; expected?.next !== undefined; this.#advance(expected)) {
          this.#missing(expected.next, seal);
        }
        if (this.#digest !== seal.digest && this.#findingsInSeal === 0) {
          this.#segmentChanged(seal);
        }
        // The seal is authentic: the next one continues from its digest, whatever was found here.
        this.#digest = seal.digest;
      }
      this.#expected = undefined;
      this.#findingsInSeal = 0;
    }
  }

  #segmentChanged(seal: SealHeader): void {
    const ids = `ids ${seal.fromId + 1n}–${seal.toId}`;
    this.#finding({
      kind: 'changed',
      auditId: seal.fromId + 1n,
      lastAuditId: seal.toId,
      sealId: seal.id,
      related: [],
      message: () => `The rows of seal #${seal.id} (${ids}) no longer match its digest, although each row's fingerprint does: a row was changed and its hash recomputed.`,
    });
  }

  async #expectedOf(seal: SealHeader | undefined): Promise<Expected | undefined> {
    if (!seal || !seal.valid || this.#expected?.seal === seal) {
      return this.#expected?.seal === seal ? this.#expected : undefined;
    }
    const body = await this.#load(seal);
    if (!body) {
      this.#unreadable = seal;
      return undefined;
    }
    const ids = idsOf(body.id_ranges);
    this.#expected = { seal, ids, fingerprints: body.fingerprints, next: nextOf(ids), position: 0 };
    return this.#expected;
  }

  #advance(expected: Expected): void {
    expected.next = nextOf(expected.ids);
    expected.position++;
  }

  #finding(draft: FindingDraft): FindingDraft | undefined {
    this.#findingsInSeal++;
    return this.#drafts.add(draft);
  }
}

function nextOf(ids: Generator<bigint>): bigint | undefined {
  const next = ids.next();
  return next.done ? undefined : next.value;
}

function removedMessage(draft: FindingDraft, seal: SealHeader): string {
  const ids = draft.lastAuditId === draft.auditId ? `Row ${draft.auditId}` : `Rows ${draft.auditId}–${draft.lastAuditId}`;
  if (draft.kind === 'removed-tail') {
    return `${ids}, the newest history sealed (seal #${seal.id} and before), are gone and no row after them exists: the end of history was removed.`;
  }
  return `${ids}, sealed (seal #${seal.id}), neither exist nor are recorded as pruned: removed.`;
}
