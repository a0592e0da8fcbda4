/**
 * A Bloom filter of transaction ids: whether a transaction was seen before, with no false "no". Verify reads
 * rows in id order and keeps the chain state of recent transactions only; a transaction the filter has never
 * seen starts its chain at the genesis, any other one's predecessor is looked up. A false "yes" costs one lookup,
 * never a wrong answer. Its size is fixed when it is made (at most 32 MB), whatever the history's length.
 */
export class SeenFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** A filter sized for about `expected` entries at 16 bits each, between 1 and 256 Mbit. */
  constructor(expected: number) {
    let size = 1 << 20;
    while (size < expected * 16 && size < 1 << 28) {
      size <<= 1;
    }
    this.#bits = new Uint32Array(size >>> 5);
    this.#mask = size - 1;
  }

  /** Adds `key`; returns whether it may have been added before. */
  add(key: string): boolean {
    let seen = true;
    for (const bit of this.#positions(key)) {
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.#bits[word]! & flag) === 0) {
        seen = false;
        this.#bits[word]! |= flag;
      }
    }
    return seen;
  }

  // Four positions by double hashing of two 32-bit FNV-1a variants.
  #positions(key: string): number[] {
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    b |= 1;
    return [0, 1, 2, 3].map(i => (a + Math.imul(i, b)) & this.#mask);
  }
}
