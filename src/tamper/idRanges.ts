/**
 * The ids a seal covers, written compactly as `a-b,c,d-e` (increasing, inclusive ranges): audit ids have few
 * gaps (rolled back transactions, pruned rows stay listed), so the text stays short.
 */
export class IdRangesWriter {
  #text = '';
  #start: bigint | undefined;
  #end: bigint | undefined;
  #count = 0;

  /** Adds `id`, which must be greater than every id added before. */
  add(id: bigint): void {
    if (this.#end !== undefined && id <= this.#end) {
      throw new Error(`ids must increase: ${id} after ${this.#end}`);
    }
    this.#count++;
    if (this.#end !== undefined && id === this.#end + 1n) {
      this.#end = id;
      return;
    }
    this.#flush();
    this.#start = id;
    this.#end = id;
  }

  /** How many ids were added. */
  get count(): number {
    return this.#count;
  }

  /** The length of the text so far, about: the open range is counted as if it were closed now. */
  get length(): number {
    return this.#text.length + (this.#start === undefined ? 0 : `${this.#start}-${this.#end},`.length);
  }

  /** The ranges so far (more ids may still be added). */
  toString(): string {
    const open = this.#start === undefined ? '' : this.#range();
    return this.#text === '' ? open : open === '' ? this.#text : `${this.#text},${open}`;
  }

  #range(): string {
    return this.#start === this.#end ? `${this.#start}` : `${this.#start}-${this.#end}`;
  }

  #flush(): void {
    if (this.#start === undefined) {
      return;
    }
    const range = this.#range();
    this.#text = this.#text === '' ? range : `${this.#text},${range}`;
    this.#start = undefined;
    this.#end = undefined;
  }
}

const RANGE = /^(-?\d+)(?:-(-?\d+))?$/;

/**
 * The ids of `a-b,c,…` in increasing order, one at a time (a range of a million ids costs no memory). Throws on
 * text that is not in that form: a seal's MAC covers it, so only a forged seal can hold such text.
 */
export function* idsOf(text: string): Generator<bigint> {
  if (text === '') {
    return;
  }
  let previous: bigint | undefined;
  for (const part of text.split(',')) {
    const match = RANGE.exec(part);
    if (!match) {
      throw new Error(`not an id range: ${part.slice(0, 40)}`);
    }
    const start = BigInt(match[1]!);
    const end = match[2] === undefined ? start : BigInt(match[2]);
    if (end < start || (previous !== undefined && start <= previous)) {
      throw new Error(`id ranges out of order at ${part.slice(0, 40)}`);
    }
    for (let id = start; id <= end; id++) {
      yield id;
    }
    previous = end;
  }
}
