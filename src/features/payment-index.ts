/**
 * Recent payments findable by txId, for as long as a label naming one can still matter: a ring of
 * typed columns plus a Map from id to ring slot (a small integer, stored inline by the Map), so a
 * payment costs no object of its own. Also answers "was this id already decided?" for idempotency.
 */

const INITIAL = 1 << 12;

/** Columns of one payment; `slot` is what `find` returns. */
export class PaymentIndex {
  private readonly bySlot = new Map<string, number>();
  private ids: string[] = new Array<string>(INITIAL);
  private accounts: string[] = new Array<string>(INITIAL);
  private times = new Float64Array(INITIAL);
  private terminals = new Int32Array(INITIAL);
  private merchants = new Int32Array(INITIAL);
  private fraud = new Uint8Array(INITIAL);
  /** ring positions (monotonic; slot = position & mask) of the oldest and next payment. */
  private head = 0;
  private tail = 0;
  private mask = INITIAL - 1;

  /** Payments held. */
  get size(): number {
    return this.tail - this.head;
  }

  /** True when `txId` is held. */
  has(txId: string): boolean {
    return this.bySlot.has(txId);
  }

  /** Remembers a payment; `terminal`/`merchant` are window handles of the caller. */
  add(txId: string, account: string, t: number, terminal: number, merchant: number): void {
    if (this.tail - this.head > this.mask) this.grow();
    const s = this.tail++ & this.mask;
    this.ids[s] = txId;
    this.accounts[s] = account;
    this.times[s] = t;
    this.terminals[s] = terminal;
    this.merchants[s] = merchant;
    this.fraud[s] = 0;
    this.bySlot.set(txId, s);
  }

  /** The slot of `txId`, or -1. */
  find(txId: string): number {
    return this.bySlot.get(txId) ?? -1;
  }

  time(slot: number): number {
    return this.times[slot];
  }
  account(slot: number): string {
    return this.accounts[slot];
  }
  terminal(slot: number): number {
    return this.terminals[slot];
  }
  merchant(slot: number): number {
    return this.merchants[slot];
  }
  isFraud(slot: number): boolean {
    return this.fraud[slot] === 1;
  }
  setFraud(slot: number, fraud: boolean): void {
    this.fraud[slot] = fraud ? 1 : 0;
  }

  /** Forgets payments, oldest first, while their time is ≤ `cutoff` (payments arrive nearly in time order). */
  forgetUpTo(cutoff: number): void {
    while (this.head < this.tail) {
      const s = this.head & this.mask;
      if (this.times[s] > cutoff) break;
      this.bySlot.delete(this.ids[s]);
      this.ids[s] = '';
      this.accounts[s] = '';
      this.head++;
    }
  }

  private grow(): void {
    const n = this.mask + 1;
    const order = Array.from({ length: this.tail - this.head }, (_, i) => (this.head + i) & this.mask);
    const ids = new Array<string>(2 * n);
    const accounts = new Array<string>(2 * n);
    const times = new Float64Array(2 * n);
    const terminals = new Int32Array(2 * n);
    const merchants = new Int32Array(2 * n);
    const fraud = new Uint8Array(2 * n);
    order.forEach((s, i) => {
      ids[i] = this.ids[s];
      accounts[i] = this.accounts[s];
      times[i] = this.times[s];
      terminals[i] = this.terminals[s];
      merchants[i] = this.merchants[s];
      fraud[i] = this.fraud[s];
      this.bySlot.set(ids[i], i);
    });
    Object.assign(this, { ids, accounts, times, terminals, merchants, fraud });
    this.head = 0;
    this.tail = order.length;
    this.mask = 2 * n - 1;
  }
}
