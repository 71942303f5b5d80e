/**
 * Which transaction ids might have been decided before: a growing Bloom filter over every id the
 * server journaled (at recovery and since). A "no" is certain, so a new payment — nearly every
 * request — skips the journal lookup; a "maybe" (a retry, or ~1% false positives) asks the journal.
 * About 10 bits per id: ten million ids take ~13 MB instead of a gigabyte for a Set of strings.
 */

const BITS_PER_ID = 10;
const HASHES = 7;
const FIRST_CAPACITY = 1 << 16;
const GROWTH = 4;

interface Filter {
  readonly words: Uint32Array;
  readonly mask: number;
  readonly capacity: number;
  count: number;
}

function filter(capacity: number): Filter {
  let bits = 32;
  while (bits < capacity * BITS_PER_ID) bits *= 2;
  return { words: new Uint32Array(bits / 32), mask: bits - 1, capacity, count: 0 };
}

let h1 = 0;
let h2 = 0;

/** Two independent 32-bit hashes of `s` (FNV-1a and a multiplicative mix) into h1, h2. */
function hash(s: string): void {
  let a = 0x811c9dc5;
  let b = 0x1b873593 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  h1 = a >>> 0;
  h2 = ((b ^ (b >>> 16)) | 1) >>> 0;
}

function has(f: Filter): boolean {
  for (let i = 0; i < HASHES; i++) {
    const bit = (h1 + Math.imul(i, h2)) & f.mask;
    if ((f.words[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
  }
  return true;
}

/** A set of ids with certain absence and probable presence. */
export class SeenIds {
  private readonly filters: Filter[] = [filter(FIRST_CAPACITY)];
  private total = 0;

  /** Records `id` as decided. */
  add(id: string): void {
    let f = this.filters[this.filters.length - 1];
    if (f.count >= f.capacity) {
      f = filter(f.capacity * GROWTH);
      this.filters.push(f);
    }
    hash(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & f.mask;
      f.words[bit >>> 5] |= 1 << (bit & 31);
    }
    f.count++;
    this.total++;
  }

  /** False when `id` was certainly never added; true when it probably was. */
  mightContain(id: string): boolean {
    hash(id);
    for (let i = 0; i < this.filters.length; i++) if (has(this.filters[i])) return true;
    return false;
  }

  /** Ids added. */
  get size(): number {
    return this.total;
  }

  /** Bytes held by the filters. */
  get bytes(): number {
    return this.filters.reduce((n, f) => n + f.words.byteLength, 0);
  }
}
