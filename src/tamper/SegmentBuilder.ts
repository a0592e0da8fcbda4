import { IdRangesWriter } from './idRanges.js';
import { digestStep, fingerprintOf, FINGERPRINT_LENGTH } from './segmentDigest.js';

/** Characters a seal's `id_ranges` and `fingerprints` may reach: below MySQL/MariaDB's 65,535-byte TEXT. */
export const SEGMENT_TEXT_LIMIT = 60_000;
// Room for the range an added id may open (`,<20 digits>-<20 digits>`), so that a full segment still fits.
const RANGE_ROOM = 42;

/** One sealed segment's computed fields (the rest of the seal comes from the run). */
export interface Segment {
  readonly from_id: string;
  readonly to_id: string;
  readonly row_count: string;
  readonly digest: string;
  readonly id_ranges: string;
  readonly fingerprints: string;
}

/**
 * Folds the rows of one segment (live rows and prune records, in `_audit_id` order) into a seal's digest, ids
 * and fingerprints. A segment is cut when its text would outgrow `SEGMENT_TEXT_LIMIT`; the digest runs on across
 * segments, so each seal commits to all history before it.
 */
export class SegmentBuilder {
  readonly #from: bigint;
  #digest: string;
  #ids = new IdRangesWriter();
  #fingerprints: string[] = [];
  #last: bigint | undefined;

  constructor(fromId: bigint, previousDigest: string) {
    this.#from = fromId;
    this.#digest = previousDigest;
  }

  /** Adds the row `id` whose digest hash is `hash`; ids must increase and lie above the segment's start. */
  add(id: bigint, hash: string): void {
    if (id <= this.#from) {
      throw new Error(`row ${id} is not above the segment start ${this.#from}`);
    }
    this.#ids.add(id);
    this.#digest = digestStep(this.#digest, id, hash);
    this.#fingerprints.push(fingerprintOf(hash));
    this.#last = id;
  }

  /** Whether one more row might not fit: cut the segment now. */
  get full(): boolean {
    return (this.#fingerprints.length + 1) * FINGERPRINT_LENGTH > SEGMENT_TEXT_LIMIT || this.#ids.length + RANGE_ROOM > SEGMENT_TEXT_LIMIT;
  }

  get rowCount(): number {
    return this.#fingerprints.length;
  }

  /** The digest so far. */
  get digest(): string {
    return this.#digest;
  }

  /** The segment up to `toId` (default: its last row). */
  finish(toId: bigint | undefined = this.#last): Segment {
    if (toId === undefined || toId <= this.#from || (this.#last !== undefined && toId < this.#last)) {
      throw new Error(`a segment after ${this.#from} cannot end at ${toId}`);
    }
    return {
      from_id: this.#from.toString(),
      to_id: toId.toString(),
      row_count: String(this.#fingerprints.length),
      digest: this.#digest,
      id_ranges: this.#ids.toString(),
      fingerprints: this.#fingerprints.join(''),
    };
  }
}
