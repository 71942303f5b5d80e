/**
 * Recent payments findable by txId, for as long as a label naming one can still matter: typed
 * columns in fixed-size chunks addressed by a monotonic position, plus a Map from id to position (a
 * small integer, stored inline by the Map), so a payment costs no object of its own and a position
 * never moves (no re-indexing as the index grows). Also answers "was this id already decided?".
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** One chunk of columns. */
interface Chunk {
  readonly ids: string[];
  readonly accounts: string[];
  readonly times: Float64Array;
  readonly terminals: Int32Array;
  readonly merchants: Int32Array;
  readonly fraud: Uint8Array;
}

function newChunk(): Chunk {
  return {
    ids: new Array<string>(CHUNK),
    accounts: new Array<string>(CHUNK),
    times: new Float64Array(CHUNK),
    terminals: new Int32Array(CHUNK),
    merchants: new Int32Array(CHUNK),
    fraud: new Uint8Array(CHUNK),
  };
}

/** Payments by txId; a position (`find`'s answer) addresses the columns. */
export class PaymentIndex {
  private readonly byId = new Map<string, number>();
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
    return this.byId.has(txId);
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
    this.byId.set(txId, pos);
  }

  /** The position of `txId`, or -1. */
  find(txId: string): number {
    return this.byId.get(txId) ?? -1;
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
    return this.chunk(pos).fraud[pos & MASK] === 1;
  }
  setFraud(pos: number, fraud: boolean): void {
    this.chunk(pos).fraud[pos & MASK] = fraud ? 1 : 0;
  }

  /**
   * Forgets payments, oldest first, while their time is ≤ `cutoff` (payments arrive nearly in time
   * order); a chunk left behind entirely is dropped.
   */
  forgetUpTo(cutoff: number): void {
    while (this.head < this.tail) {
      const c = this.chunk(this.head);
      const s = this.head & MASK;
      if (c.times[s] > cutoff) break;
      this.byId.delete(c.ids[s]);
      this.head++;
      if ((this.head & MASK) === 0) this.chunks[(this.head >>> CHUNK_BITS) - 1] = null;
    }
  }
}
