import type { StreamedRow } from './auditRows.js';
import type { FindingDrafts } from './FindingDrafts.js';
import type { SealHeader } from './sealChainCheck.js';
import type { SealKeyRing } from './SealKeyRing.js';
import { prunedMac } from './sealRecord.js';

/**
 * Checks prune records with the key ring: each record's MAC under the key it names, and, for a record made with a
 * retired key, that it does not record a row written after the rotation: above the watermark of the first seal
 * made with a newer key. Every id up to a watermark, pruned rows' too, had been taken when that seal was made
 * (`buildWatermark`); a row above it was written later, when only the newer key may prune.
 */
export class PruneRecordCheck {
  // Per rank, the seal `#limit` found: records are many, seals few, ranks fewer.
  readonly #limits = new Map<number, SealHeader | undefined>();

  constructor(
    private readonly auditTable: string,
    private readonly ring: SealKeyRing,
    private readonly seals: readonly SealHeader[],
    private readonly drafts: FindingDrafts,
  ) {}

  check(row: StreamedRow): void {
    const problem = this.#problem(row);
    if (problem !== undefined) {
      this.drafts.add({
        kind: 'bad-prune-record',
        auditId: row.id,
        related: [],
        message: () => `The prune record of row ${row.id} ${problem}: it was forged or changed, and may hide a removed row.`,
      });
    }
  }

  #problem(row: StreamedRow): string | undefined {
    const made = row.keyId ? this.ring.find(row.keyId) : undefined;
    if (!made) {
      return `names key id ${row.keyId || '(none)'}, and verify was given ${this.ring.describe()}`;
    }
    const fields = { audit_table: this.auditTable, audit_id: row.id.toString(), audit_transaction: row.tx, audit_hash: row.hash, backstop_hash: row.backstopHash, key_id: made.key.id };
    if (prunedMac(made.key, fields) !== row.mac) {
      return `does not verify with the key it names (id ${made.key.id})`;
    }
    const limit = this.#limit(made.rank);
    if (limit && row.id > limit.watermark) {
      return (
        `was made with the retired key ${made.key.id} for a row written after seal #${limit.id}, which was made with a newer key: ` +
        `a retired key does not prune history written after the rotation`
      );
    }
    return undefined;
  }

  // The first verified seal made with a key newer than rank `rank`, if any.
  #limit(rank: number): SealHeader | undefined {
    if (rank === 0) {
      return undefined;
    }
    if (!this.#limits.has(rank)) {
      this.#limits.set(rank, this.seals.find(seal => seal.valid && seal.rank !== undefined && seal.rank < rank));
    }
    return this.#limits.get(rank);
  }
}
