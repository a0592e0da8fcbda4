import { TamperErrors } from '../errors/TamperErrors.js';
import type { SealKey } from './SealKey.js';

/** A key of the ring and its age: 0 for the current key, 1 for the newest retired key, and so on. */
export interface RingKey {
  readonly key: SealKey;
  readonly rank: number;
}

/**
 * The current seal key and the retired ones that made older seals: key rotation. New seals and prune records are
 * made with `current` only. A seal is checked with the key its `key_id` names, and seals must not go back in age
 * along a table's chain: a seal made with a retired key after one made with a newer key is reported, so that a
 * retired key cannot vouch for rows written after the rotation.
 */
export class SealKeyRing {
  readonly #byId: ReadonlyMap<string, RingKey>;

  private constructor(
    readonly current: SealKey,
    /** Newest first. */
    readonly retired: readonly SealKey[],
  ) {
    const byId = new Map<string, RingKey>();
    [current, ...retired].forEach((key, rank) => {
      if (byId.has(key.id)) {
        throw TamperErrors.keyGivenTwice(key.id);
      }
      byId.set(key.id, { key, rank });
    });
    this.#byId = byId;
  }

  /** `retired` newest first; the same key twice (also as current and retired) is an error. */
  static of(current: SealKey, retired: readonly SealKey[] = []): SealKeyRing {
    return new SealKeyRing(current, [...retired]);
  }

  /** The key with this id, if the ring holds it. */
  find(keyId: string): RingKey | undefined {
    return this.#byId.get(keyId);
  }

  /** The ids of the retired keys, newest first. */
  get retiredIds(): string[] {
    return this.retired.map(key => key.id);
  }

  /** `key id a (current), b, c (retired)`, for messages. */
  describe(): string {
    const retired = this.retired.length === 0 ? '' : `; retired: ${this.retiredIds.join(', ')}`;
    return `key id ${this.current.id} (current${retired})`;
  }
}
