import type { EntityManager } from '@mikro-orm/core';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildSeals, type TamperTables } from '../sql/sealQueries.js';
import type { FindingDrafts } from './FindingDrafts.js';
import type { SealKey } from './SealKey.js';
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
}

// Seals read per statement: each holds up to about 120,000 characters of ids and fingerprints.
const SEALS_PER_BATCH = 20;

/**
 * Before verify's pass over the rows: checks each seal of `auditTable` in order: its MAC under `key`, and that it names the seal before it
 * (`previous_mac`, `from_id`), so that a deleted, inserted or edited seal shows. Returns the seals' headers.
 */
export async function checkSealChain(em: EntityManager, tables: TamperTables, auditTable: string, key: SealKey, drafts: FindingDrafts): Promise<SealHeader[]> {
  const headers: SealHeader[] = [];
  let previous: SealRow | undefined;
  let after: { toId: string; id: string } | undefined;
  for (;;) {
    const batch = await executeStatement(em, transactionOf(em), buildSeals(tables, auditTable, after, SEALS_PER_BATCH, true), 'all');
    for (const seal of batch.map(sealRowOf)) {
      const valid = sealMac(key, seal) === seal.mac;
      if (!valid) {
        forged(drafts, seal, [BigInt(seal.from_id) + 1n, BigInt(seal.to_id)], wrongMac(seal, key));
      } else if (seal.previous_mac !== (previous?.mac ?? '') || seal.from_id !== (previous?.to_id ?? '0')) {
        forged(drafts, seal, lostRange(seal, previous), brokenLink(seal, previous));
      }
      headers.push({ id: seal.id, fromId: BigInt(seal.from_id), toId: BigInt(seal.to_id), watermark: BigInt(seal.watermark), digest: seal.digest, valid });
      previous = seal;
    }
    if (batch.length < SEALS_PER_BATCH) {
      return headers;
    }
    const last = headers[headers.length - 1]!;
    after = { toId: last.toId.toString(), id: last.id };
  }
}

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

function wrongMac(seal: SealRow, key: SealKey): string {
  const range = `ids ${BigInt(seal.from_id) + 1n}–${seal.to_id}`;
  if (seal.key_id !== key.id) {
    return (
      `Seal #${seal.id} (${range}) does not verify: it names key id ${seal.key_id}, verify used key id ${key.id}. If every ` +
      `seal is reported, the key is probably not the one the seals were made with; otherwise the seal was forged.`
    );
  }
  return `Seal #${seal.id} (${range}) does not verify with the key (id ${key.id}): its fields were changed after it was made, or it was forged.`;
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
