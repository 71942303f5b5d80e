/**
 * Recent payments findable by txId, for as long as a label naming one can still matter: typed
 * columns in fixed-size chunks addressed by a monotonic position, plus an open-addressing table from
 * id hash to position, so a payment costs no object of its own and a position never moves (no
 * re-indexing as the index grows). Also answers "was this id already decided?" — on every payment,
 * so the table is built for that: one probe into one Int32Array (hash and position side by side)
 * usually settles it, where a Map of half a million strings costs several cache misses.
 */

import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/**
 * Flags of a payment, one byte each (the `fraud` column, written to snapshots as it is): labelled
 * fraud, and reversed — a second bit, so snapshots written before reversals read the same.
 */
const FRAUD = 1;
const REVERSED = 2;

/** One chunk of columns. */
interface Chunk {
  readonly ids: string[];
  readonly hashes: Int32Array;
  readonly accounts: string[];
  readonly times: Float64Array;
  readonly terminals: Int32Array;
  readonly merchants: Int32Array;
  readonly fraud: Uint8Array;
}

function newChunk(): Chunk {
  return {
    ids: new Array<string>(CHUNK),
    hashes: new Int32Array(CHUNK),
    accounts: new Array<string>(CHUNK),
    times: new Float64Array(CHUNK),
    terminals: new Int32Array(CHUNK),
    merchants: new Int32Array(CHUNK),
    fraud: new Uint8Array(CHUNK),
  };
}

/** 32-bit FNV-1a with a final mix: cheap for short ids, well spread for the table's low bits. */
function hash32(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

const MIN_SLOTS = 1 << 12;
/**
 * Slots of the outgrown table moved into the new one per payment added. A table twice the size
 * reaches its own limit only after half the old slot count of adds, so 8 per add ends every move
 * long before the next one; doubling all at once instead held the thread 70–340 ms at half a
 * million payments (bench/engine-stalls.ts), and a month of a large issuer's payments is tens of millions.
 */
const MOVE_PER_ADD = 8;
/** A position field in the outgrown table: this entry went (forgotten or replaced) — probes go past it. */
const GONE = -1;

/** Payments by txId; a position (`find`'s answer) addresses the columns. */
export class PaymentIndex {
  /** Linear-probing table: per slot (hash, position + 1); position + 1 = 0 marks an empty slot. */
  private table = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /**
   * The outgrown table while its entries move into `table` (null otherwise). Its entries only ever
   * turn GONE, never move within it, so its probe chains stay whole for lookups until the last is moved.
   */
  private old: Int32Array | null = null;
  private oldMask = 0;
  /** The next slot of `old` to move. */
  private moveAt = 0;
  /** The last id hashed and its hash: `has` then `add` of one payment hash it once. */
  private lastId = '';
  private lastHash = hash32('');
  private readonly chunks: (Chunk | null)[] = [];
  /** positions of the oldest payment held and of the next one. */
  private head = 0;
  private tail = 0;

  /** Payments held. */
  get size(): number {
    return this.tail - this.head;
  }

  /** True when `txId` is held. */
  has(txId: string): boolean {
    return this.find(txId) >= 0;
  }

  private hashOf(txId: string): number {
    if (txId !== this.lastId) {
      this.lastId = txId;
      this.lastHash = hash32(txId);
    }
    return this.lastHash;
  }

  /** The slot holding `txId`, or -1 - (the empty slot where it would go). */
  private slotOf(txId: string, h: number): number {
    const t = this.table, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const p = t[2 * i + 1];
      if (p === 0) return -1 - i;
      if (t[2 * i] === h && this.chunk(p - 1).ids[(p - 1) & MASK] === txId) return i;
    }
  }

  /** Remembers a payment; `terminal`/`merchant` are window handles of the caller. */
  add(txId: string, account: string, t: number, terminal: number, merchant: number): void {
    const pos = this.tail++;
    const ci = pos >>> CHUNK_BITS;
    let c = this.chunks[ci];
    if (c === undefined || c === null) {
      c = newChunk();
      this.chunks[ci] = c;
    }
    const s = pos & MASK;
    c.ids[s] = txId;
    c.accounts[s] = account;
    c.times[s] = t;
    c.terminals[s] = terminal;
    c.merchants[s] = merchant;
    c.fraud[s] = 0;
    const h = this.hashOf(txId);
    c.hashes[s] = h;
    if (2 * this.size > this.mask + 1) this.grow();
    if (this.old !== null) this.move(MOVE_PER_ADD);
    const at = this.slotOf(txId, h);
    if (at < 0 && this.old !== null) {
      // an older payment of this id not moved yet: the newest replaces it, as it would in one table
      const o = this.oldSlotOf(txId, h);
      if (o >= 0) this.old[2 * o + 1] = GONE;
    }
    const slot = at >= 0 ? at : -1 - at; // an id added again points at its newest payment
    this.table[2 * slot] = h;
    this.table[2 * slot + 1] = pos + 1;
  }

  /** The position of `txId`, or -1. */
  find(txId: string): number {
    const h = this.hashOf(txId);
    const at = this.slotOf(txId, h);
    if (at >= 0) return this.table[2 * at + 1] - 1;
    if (this.old === null) return -1;
    const o = this.oldSlotOf(txId, h);
    return o < 0 ? -1 : this.old[2 * o + 1] - 1;
  }

  /** The slot of `txId` in the outgrown table, or -1. */
  private oldSlotOf(txId: string, h: number): number {
    const t = this.old as Int32Array, mask = this.oldMask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const p = t[2 * i + 1];
      if (p === 0) return -1;
      if (p > 0 && t[2 * i] === h && this.chunk(p - 1).ids[(p - 1) & MASK] === txId) return i;
    }
  }

  /** Starts moving into a table twice the size (finishing a move still under way first). */
  private grow(): void {
    if (this.old !== null) this.move(Infinity);
    this.old = this.table;
    this.oldMask = this.mask;
    this.moveAt = 0;
    this.mask = 2 * (this.mask + 1) - 1;
    this.table = new Int32Array(2 * (this.mask + 1));
  }

  /** Moves the next `slots` slots of the outgrown table into the table (stored hashes: no id is hashed again). */
  private move(slots: number): void {
    const old = this.old as Int32Array;
    const end = Math.min(this.oldMask + 1, this.moveAt + slots);
    const t = this.table, mask = this.mask;
    let i = this.moveAt;
    for (; i < end; i++) {
      const p = old[2 * i + 1];
      if (p <= 0) continue;
      let j = old[2 * i] & mask;
      while (t[2 * j + 1] !== 0) j = (j + 1) & mask;
      t[2 * j] = old[2 * i];
      t[2 * j + 1] = p;
    }
    this.moveAt = i;
    if (i > this.oldMask) this.old = null;
  }

  /**
   * Removes the table entry of position `pos` (backward-shift deletion keeps probes short, no
   * tombstones), and marks it GONE in the outgrown table while a move is under way.
   */
  private unlink(pos: number, h: number): void {
    if (this.old !== null) {
      const o = this.old, mask = this.oldMask;
      for (let i = h & mask; o[2 * i + 1] !== 0; i = (i + 1) & mask) {
        if (o[2 * i + 1] === pos + 1) {
          o[2 * i + 1] = GONE;
          break;
        }
      }
    }
    const t = this.table, mask = this.mask;
    let i = h & mask;
    while (t[2 * i + 1] !== pos + 1) {
      if (t[2 * i + 1] === 0) return; // replaced by a newer payment with the same id
      i = (i + 1) & mask;
    }
    for (let j = (i + 1) & mask; t[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = t[2 * j] & mask;
      // move j back into the hole at i unless its home lies cyclically in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        t[2 * i] = t[2 * j];
        t[2 * i + 1] = t[2 * j + 1];
        i = j;
      }
    }
    t[2 * i + 1] = 0;
  }

  private chunk(pos: number): Chunk {
    return this.chunks[pos >>> CHUNK_BITS] as Chunk;
  }
  time(pos: number): number {
    return this.chunk(pos).times[pos & MASK];
  }
  account(pos: number): string {
    return this.chunk(pos).accounts[pos & MASK];
  }
  terminal(pos: number): number {
    return this.chunk(pos).terminals[pos & MASK];
  }
  merchant(pos: number): number {
    return this.chunk(pos).merchants[pos & MASK];
  }
  isFraud(pos: number): boolean {
    return (this.chunk(pos).fraud[pos & MASK] & FRAUD) !== 0;
  }
  setFraud(pos: number, fraud: boolean): void {
    const c = this.chunk(pos).fraud;
    c[pos & MASK] = (c[pos & MASK] & ~FRAUD) | (fraud ? FRAUD : 0);
  }
  /** Whether the payment was reversed already (a repeated reversal must undo nothing twice). */
  isReversed(pos: number): boolean {
    return (this.chunk(pos).fraud[pos & MASK] & REVERSED) !== 0;
  }
  setReversed(pos: number): void {
    this.chunk(pos).fraud[pos & MASK] |= REVERSED;
  }

  /**
   * Writes the payments held (positions head … tail of each live chunk, columns as raw arrays, ids
   * and accounts as string references) and the hash table as it is (with the outgrown one and how
   * far its move got, while one is under way), so positions and probes are the same after readSnapshot.
   */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('PIDX');
    w.f64(this.head);
    w.f64(this.tail);
    w.f64(this.mask);
    w.i32s(this.table);
    w.bool(this.old !== null);
    if (this.old !== null) {
      w.f64(this.moveAt);
      w.i32s(this.old);
    }
    w.f64(this.chunks.length);
    for (let ci = this.head >>> CHUNK_BITS; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      w.bool(c !== null && c !== undefined);
      if (c === null || c === undefined) continue;
      const from = Math.max(this.head - ci * CHUNK, 0);
      const to = Math.min(this.tail - ci * CHUNK, CHUNK);
      w.f64(from);
      w.f64(to);
      w.strs(c.ids.slice(from, to));
      w.i32s(c.hashes.subarray(from, to));
      w.strs(c.accounts.slice(from, to));
      w.f64s(c.times.subarray(from, to));
      w.i32s(c.terminals.subarray(from, to));
      w.i32s(c.merchants.subarray(from, to));
      w.u8s(c.fraud.subarray(from, to));
    }
  }

  /** Restores what writeSnapshot wrote into this empty index. */
  readSnapshot(r: SnapshotReader): void {
    r.expect('PIDX');
    if (this.tail !== 0) throw new RangeError('PaymentIndex.readSnapshot needs an empty index');
    this.head = r.f64();
    this.tail = r.f64();
    this.mask = r.f64();
    this.table = r.i32s();
    if (this.table.length !== 2 * (this.mask + 1)) throw new RangeError('payment index snapshot: table size and mask disagree');
    if (r.bool()) {
      this.moveAt = r.f64();
      this.old = r.i32s();
      this.oldMask = this.old.length / 2 - 1;
      if (this.old.length * 2 !== this.table.length) throw new RangeError('payment index snapshot: the outgrown table is not half the table');
    }
    const n = r.f64();
    for (let ci = 0; ci < n; ci++) this.chunks.push(null);
    for (let ci = this.head >>> CHUNK_BITS; ci < n; ci++) {
      if (!r.bool()) continue;
      const c = newChunk();
      const from = r.f64();
      const to = r.f64();
      const ids = r.strs();
      c.hashes.set(r.i32s(), from);
      const accounts = r.strs();
      for (let i = from; i < to; i++) {
        c.ids[i] = ids[i - from] as string;
        c.accounts[i] = accounts[i - from] as string;
      }
      c.times.set(r.f64s(), from);
      c.terminals.set(r.i32s(), from);
      c.merchants.set(r.i32s(), from);
      c.fraud.set(r.u8s(), from);
      this.chunks[ci] = c;
    }
  }

  /**
   * Forgets payments, oldest first, while their time is ≤ `cutoff` (payments arrive nearly in time
   * order), at most `max` of them; a chunk left behind entirely is dropped.
   */
  forgetUpTo(cutoff: number, max = Infinity): void {
    for (let n = 0; this.head < this.tail && n < max; n++) {
      const c = this.chunk(this.head);
      const s = this.head & MASK;
      if (c.times[s] > cutoff) break;
      this.unlink(this.head, c.hashes[s]);
      c.ids[s] = '';
      this.head++;
      if ((this.head & MASK) === 0) this.chunks[(this.head >>> CHUNK_BITS) - 1] = null;
    }
  }
}
