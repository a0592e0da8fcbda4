import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildSeals, type TamperTables } from '../sql/sealQueries.js';
import type { FindingDrafts } from './FindingDrafts.js';
import type { RingKey, SealKeyRing } from './SealKeyRing.js';
import { sealMac, sealRowOf, type SealRow } from './sealRecord.js';
import { transactionOf } from './snapshotRead.js';

/** What verify keeps of each seal of a table while it reads the rows (its ids and fingerprints are re-read). */
export interface SealHeader {
  readonly id: string;
  readonly fromId: bigint;
  readonly toId: bigint;
  readonly watermark: bigint;
  readonly digest: string;
  /** Whether its MAC verified: only then are its fields trusted. */
  readonly valid: boolean;
  /** The age of the key it names in the ring (0: the current key); `undefined` for a key verify was not given. */
  readonly rank: number | undefined;
}

// Seals read per statement: each holds up to about 120,000 characters of ids and fingerprints.
const SEALS_PER_BATCH = 20;

/**
 * Before verify's pass over the rows: checks each seal of `auditTable` in order: its MAC under the key it names,
 * that it names the seal before it (`previous_mac`, `from_id`), so that a deleted, inserted or edited seal shows,
 * and that its key is not older than the key of a seal before it (a retired key does not seal rows written after
 * the rotation). Returns the seals' headers.
 */
export async function checkSealChain(em: EntityManager, tables: TamperTables, auditTable: string, ring: SealKeyRing, drafts: FindingDrafts): Promise<SealHeader[]> {
  const headers: SealHeader[] = [];
  let previous: SealRow | undefined;
  let after: { toId: string; id: string } | undefined;
  // The newest key a verified seal so far was made with (its rank in the ring; lower is newer).
  let newest: { rank: number; seal: SealRow } | undefined;
  for (;;) {
    const batch = await executeStatement(em, transactionOf(em), buildSeals(tables, auditTable, after, SEALS_PER_BATCH, true), 'all');
    for (const seal of batch.map(sealRowOf)) {
      const made = ring.find(seal.key_id);
      const problem = sealProblem(seal, made, ring, newest);
      if (problem !== undefined) {
        forged(drafts, seal, ownRange(seal), problem);
      } else if (seal.previous_mac !== (previous?.mac ?? '') || seal.from_id !== (previous?.to_id ?? '0')) {
        forged(drafts, seal, lostRange(seal, previous), brokenLink(seal, previous));
      }
      const valid = made !== undefined && problem === undefined;
      if (valid && (!newest || made.rank < newest.rank)) {
        newest = { rank: made.rank, seal };
      }
      headers.push({ id: seal.id, fromId: BigInt(seal.from_id), toId: BigInt(seal.to_id), watermark: BigInt(seal.watermark), digest: seal.digest, valid, rank: made?.rank });
      previous = seal;
    }
    if (batch.length < SEALS_PER_BATCH) {
      return headers;
    }
    const last = headers[headers.length - 1]!;
    after = { toId: last.toId.toString(), id: last.id };
  }
}

const ownRange = (seal: SealRow): [bigint, bigint] => [BigInt(seal.from_id) + 1n, BigInt(seal.to_id)];

function forged(drafts: FindingDrafts, seal: SealRow, [first, last]: [bigint, bigint], message: string): void {
  drafts.add({ kind: 'forged-seal', auditId: first, lastAuditId: last, sealId: seal.id, related: [], message: () => message });
}

// The ids whose seal is missing when `seal` does not follow `previous`: from the end of the previous seal (or the
// start) to the start of this one; the seal's own range when they overlap (a seal replaced or inserted).
function lostRange(seal: SealRow, previous: SealRow | undefined): [bigint, bigint] {
  const from = BigInt(seal.from_id);
  const previousTo = previous ? BigInt(previous.to_id) : 0n;
  return previousTo < from ? [previousTo + 1n, from] : [from + 1n, BigInt(seal.to_id)];
}

// Why a seal is not trusted: a key verify was not given, a MAC that does not verify, or a key older than a seal's before it.
function sealProblem(seal: SealRow, made: RingKey | undefined, ring: SealKeyRing, newest: { rank: number; seal: SealRow } | undefined): string | undefined {
  const range = `ids ${BigInt(seal.from_id) + 1n}–${seal.to_id}`;
  if (!made) {
    return (
      `Seal #${seal.id} (${range}) does not verify: it names key id ${seal.key_id}, and verify was given ${ring.describe()}. ` +
      `If every seal is reported, the key is probably not the one the seals were made with; if the seals before a ` +
      `key rotation are, give the replaced key as a retired key; otherwise the seal was forged.`
    );
  }
  if (sealMac(made.key, seal) !== seal.mac) {
    return `Seal #${seal.id} (${range}) does not verify with the key it names (id ${seal.key_id}): its fields were changed after it was made, or it was forged.`;
  }
  return newest && made.rank > newest.rank ? olderKey(seal, range, newest.seal) : undefined;
}

function olderKey(seal: SealRow, range: string, newer: SealRow): string {
  return (
    `Seal #${seal.id} (${range}) was made with the retired key ${seal.key_id} after seal #${newer.id} ` +
    `was made with the newer key ${newer.key_id}: a retired key does not seal rows written after the rotation. It ` +
    `was forged with a retired key, or the keys were given in the wrong order: the current key swapped with a retired one, or the retired keys not newest first.`
  );
}

function brokenLink(seal: SealRow, previous: SealRow | undefined): string {
  const from = BigInt(seal.from_id);
  if (!previous) {
    return `Seal #${seal.id} continues from an earlier seal that is gone: the seals of ids 1–${from} were deleted, and those rows lost their seal.`;
  }
  const previousTo = BigInt(previous.to_id);
  if (previousTo < from) {
    return `The seal(s) between seal #${previous.id} and seal #${seal.id} were deleted: ids ${previousTo + 1n}–${from} lost their seal.`;
  }
  return `Seal #${seal.id} does not follow seal #${previous.id} (its previous MAC names another seal, or its range overlaps): a seal was deleted, replaced or inserted.`;
}
