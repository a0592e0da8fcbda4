import { sha256hex } from './chain.js';

/** Hex digits of each row's hash a seal keeps: enough to name the row whose hash changed, not to forge one. */
export const FINGERPRINT_LENGTH = 4;

/**
 * One step of a seal's digest: `sha256hex(previous + "\n" + id + ":" + h)`. Folded over every row of a segment
 * (live, or recorded as pruned) in `_audit_id` order, starting from the previous seal's digest (`""` for the
 * first), so each digest commits to the whole history up to its seal.
 */
export function digestStep(previous: string, id: bigint | string, hash: string): string {
  return sha256hex(`${previous}\n${id}:${hash}`);
}

/**
 * What stands for a trigger-backstop row (NULL `_audit_hash`) in digests: a hash of its content, unchained. Its
 * content is then covered from the next seal on.
 */
export function backstopHash(canonical: string): string {
  return sha256hex(`backstop\n${canonical}`);
}

/** The part of a row's digest hash a seal keeps per row, in `fingerprints`. */
export function fingerprintOf(hash: string): string {
  return hash.slice(0, FINGERPRINT_LENGTH);
}
