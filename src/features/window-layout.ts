/**
 * Bucketed sliding windows for one key kind (e.g. every window keyed by account), laid out so that a
 * key costs a few hundred bytes of typed-array storage and no heap object, and add/read never allocate.
 *
 * Bucket semantics. A window of length L with B buckets has bucket width w = ceil(L / B); an event at
 * ts falls in bucket floor(ts / w). A read at `now` covers buckets lo … hi with hi = floor(now / w)
 * and lo = floor((now - L) / w) + 1, i.e. the buckets that start after now - L: at most B buckets,
 * between L - w and L of history, never more than L (when w divides L this is exactly the B buckets
 * hi - B + 1 … hi). Events after `now` are not seen. Each window keeps a ring of its B newest buckets
 * and one head (the newest bucket written); moving the head forward clears the slots it passes, so a
 * slot never needs its own bucket index. A late event (ts before ones already seen) lands in its own
 * bucket while that bucket is still in the ring, and is ignored by that window otherwise; a read
 * before the head sees only buckets still in the ring. Nothing here throws on odd timestamps.
 * Non-finite values (NaN = unknown) are ignored by sum/mean/max/min: they must not poison 30 days.
 *
 * Storage. Per key, every head and every sum, mean, max and min ring (mean's sums) lives in a
 * Float64Array region, and every count ring (count, mean's counts) in a Uint32Array region; the
 * regions are carved from chunks shared by many keys, because a typed array per key costs ~400 bytes
 * of overhead. Slot 0 of the f64 region holds the key's newest timestamp.
 * A `narrow` layout — for keys one person drives, i.e. that include the account — keeps its mean, max
 * and min rings in a Float32Array region and its count rings in 16 bits, saturating at 65,535: a
 * million accounts' 30/90-day baselines are most of the engine's memory, and in f32 they fit the
 * budget. Baselines are what a payment is compared with (its ratio to the month's mean or max), where
 * 7 significant digits are plenty; whole fen are exact in f32 up to 2^24 (¥167,772), so an account's
 * means and maxima of amounts come out as in f64 unless a bucket's sum passes that. No account's bucket
 * holds 65,535 payments, and a reading that high means a flood whatever its exact size. Sums stay f64
 * everywhere (rules compare them with money thresholds), and keys many people share (a merchant, an IP
 * behind a carrier's NAT) keep the wide layout. A key's state is just a handle into the chunks and
 * must be given back with `release` (KeyedWindows does this when a key is swept).
 * Distinct windows keep (53-bit hash of value, last-seen bucket) pairs in a block of a PairPool (blocks
 * of 2, 4, … 256 pairs, carved from shared chunks): no string is retained, no Map, no array per key.
 * At most DISTINCT_CAP values are kept per window; beyond that the least recently seen is dropped, so
 * a read saturates at the cap. Two values hashing alike (probability < 1e-11 at the cap) count as one.
 */
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import type { WindowAgg } from '../rules/policy-types.js';
import { hash53, PairPool } from './pair-pool.js';
import { extreme, mod, sumF, sumU, type CountRing } from './ring-reads.js';

/** One window of a key kind; the policy compiler produces these from `over 24h buckets 24`. */
export interface WindowSpec {
  readonly agg: WindowAgg;
  readonly lengthMs: number;
  readonly buckets: number;
}

/** Most values a distinct window remembers per key: bounds memory and add cost against floods. */
export const DISTINCT_CAP = 256;

const COUNT = 0, SUM = 1, MEAN = 2, MAX = 3, MIN = 4, DISTINCT = 5;
const KINDS: Readonly<Record<WindowAgg, number>> = { count: COUNT, sum: SUM, mean: MEAN, max: MAX, min: MIN, distinct: DISTINCT };
const EMPTY_F = new Float64Array(0);
const EMPTY_U = new Uint32Array(0);
const EMPTY_U16 = new Uint16Array(0);
const EMPTY_N = new Float32Array(0);
const MAX_CHUNK = 2048;

/**
 * One key's window state: a handle (chunk << 11 | slot) into the layout's shared chunks, not an
 * object, so a million keys cost no heap objects of their own (a Map holding small integers stores
 * them inline). A handle must not be used after `release`: its slot goes to the next new key.
 */
export type KeyWindows = number;

/**
 * How a layout's owners (what each state belongs to: a key string, a key pair, null for a free
 * slot) go into a snapshot; the key kind that creates the states supplies it.
 */
export interface OwnerCodec {
  write(owners: readonly unknown[], w: SnapshotWriter): void;
  read(r: SnapshotReader): unknown[];
}

/**
 * Offsets of every window inside a key's state, computed once per key kind, plus the chunk allocator
 * the states live in. Windows are addressed by index (their order in the spec list) so the hot path
 * never looks up a name.
 */
export class WindowLayout {
  readonly specs: readonly WindowSpec[];
  /** longest window: a key unseen for longer is invisible to every window and can be dropped. */
  readonly maxLengthMs: number;
  /** f64, f32 and count values per key. */
  readonly f64PerKey: number;
  readonly f32PerKey: number;
  readonly countsPerKey: number;
  private readonly kind: number[] = [];
  private readonly nb: number[] = [];
  private readonly w: number[] = [];
  private readonly len: number[] = [];
  private readonly ho: number[] = [];
  /** value ring offset: into the f32 region where `inF32`, else into the f64 region */
  private readonly vo: number[] = [];
  private readonly inF32: boolean[] = [];
  private readonly co: number[] = [];
  private readonly dist: number[] = [];
  private readonly pool = new PairPool();
  private readonly fChunks: Float64Array[] = [];
  private readonly uChunks: CountRing[] = [];
  /** what a count bucket saturates at: 65,535 or 2^32 − 1 */
  private readonly countMax: number;
  private readonly narrow: boolean;
  private readonly nChunks: Float32Array[] = [];
  /** Per chunk and slot, what the state belongs to (its key), so a sweep can scan chunks in order. */
  private readonly owners: unknown[][] = [];
  private next = 0;
  private readonly freeCi: number[] = [];
  private readonly freeSlot: number[] = [];

  /**
   * @param options.narrow f32 mean/max/min rings and 16-bit saturating counts, for keys that include
   * the account (see the storage notes above).
   */
  constructor(specs: readonly WindowSpec[], options: { narrow?: boolean } = {}) {
    this.narrow = options.narrow === true;
    this.countMax = this.narrow ? 0xffff : 0xffffffff;
    if (specs.length === 0) throw new RangeError('WindowLayout needs at least one window');
    this.specs = specs;
    let f = 1, n32 = 0, u = 0, maxLen = 0; // f64 slot 0 of every key: its lastTs
    for (const s of specs) {
      const k = KINDS[s.agg];
      if (k === undefined || !Number.isSafeInteger(s.lengthMs) || s.lengthMs < 1 || !Number.isSafeInteger(s.buckets) || s.buckets < 1) {
        throw new RangeError(`bad window spec ${JSON.stringify(s)}`);
      }
      const B = s.buckets;
      this.kind.push(k);
      this.nb.push(B);
      this.w.push(Math.ceil(s.lengthMs / B));
      this.len.push(s.lengthMs);
      this.ho.push(f++);
      // value ring (f32 for mean/max/min); for distinct, (block id, pair count)
      const inF32 = this.narrow && (k === MEAN || k === MAX || k === MIN);
      this.inF32.push(inF32);
      if (inF32) {
        this.vo.push(n32);
        n32 += B;
      } else {
        const nv = k === COUNT ? 0 : k === DISTINCT ? 2 : B;
        this.vo.push(nv > 0 ? f : -1);
        f += nv;
      }
      this.co.push(k === COUNT || k === MEAN ? ((u += B), u - B) : -1);
      if (k === DISTINCT) this.dist.push(this.vo[this.vo.length - 1]);
      if (s.lengthMs > maxLen) maxLen = s.lengthMs;
    }
    this.f64PerKey = f;
    this.f32PerKey = n32;
    this.countsPerKey = u;
    this.maxLengthMs = maxLen;
  }

  /**
   * A fresh, empty state, carved from a shared chunk (give it back with `release`). `owner` (its
   * key) is what sweepExpired hands back when the state expires.
   */
  createState(owner: unknown = null): KeyWindows {
    let ci: number, slot: number;
    if (this.freeCi.length > 0) {
      ci = this.freeCi.pop() as number;
      slot = this.freeSlot.pop() as number;
    } else {
      ci = this.fChunks.length - 1;
      if (ci < 0 || this.next === this.fChunks[ci].length / this.f64PerKey) {
        const cap = Math.min(MAX_CHUNK, 16 * 2 ** Math.min(this.fChunks.length, 16)); // small layouts stay small
        this.fChunks.push(new Float64Array(cap * this.f64PerKey));
        const counts = cap * this.countsPerKey;
        this.uChunks.push(counts === 0 ? (this.narrow ? EMPTY_U16 : EMPTY_U) : this.narrow ? new Uint16Array(counts) : new Uint32Array(counts));
        this.nChunks.push(this.f32PerKey > 0 ? new Float32Array(cap * this.f32PerKey) : EMPTY_N);
        this.owners.push(new Array<unknown>(cap).fill(null));
        this.next = 0;
        ci++;
      }
      slot = this.next++;
    }
    const f = this.fChunks[ci], fo = slot * this.f64PerKey;
    this.owners[ci][slot] = owner;
    f[fo] = -Infinity; // lastTs: never seen
    for (let i = 0; i < this.ho.length; i++) f[fo + this.ho[i]] = -Infinity; // every ring reads as empty
    for (const v of this.dist) {
      f[fo + v] = -1;
      f[fo + v + 1] = 0;
    }
    return (ci << 11) | slot;
  }

  /** Gives a state's storage back for reuse; the handle must not be used afterwards. */
  release(s: KeyWindows): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    this.freeCi.push(s >>> 11);
    this.freeSlot.push(s & 2047);
    for (const v of this.dist) if (sf[sfo + v] >= 0) this.pool.release(sf[sfo + v]);
    sf[sfo] = NaN; // expired to any sweep that still holds it
    this.owners[s >>> 11][s & 2047] = null;
  }

  /**
   * Releases every state no window can see at `now` and calls `dropped(owner)` for each, scanning the
   * chunks in memory order (a key costs one sequential read, not a hash-map visit); returns how many.
   */
  sweepExpired(now: number, dropped: (owner: unknown, state: KeyWindows) => void): number {
    let n = 0;
    this.sweepFrom(0, Infinity, now, (owner, state) => {
      n++;
      dropped(owner, state);
    });
    return n;
  }

  /**
   * sweepExpired in slices: scans at most `budget` slots from position `from` (0 to begin, then what
   * the last call returned) and returns where the next slice begins, or -1 once every slot was seen.
   * One whole sweep holds its thread for every key at once — 200 ms at 300,000 keys, a stall of
   * every answer waiting behind it — where a slice per payment costs each a bounded few µs. Slots
   * freed or taken between slices need no care: each slot is judged by its own last time when reached.
   */
  sweepFrom(from: number, budget: number, now: number, dropped: (owner: unknown, state: KeyWindows) => void): number {
    const per = this.f64PerKey, maxLen = this.maxLengthMs;
    let left = budget;
    for (let ci = from >>> 11, slot = from & 2047; ci < this.fChunks.length; ci++, slot = 0) {
      const f = this.fChunks[ci];
      const used = ci === this.fChunks.length - 1 ? this.next : f.length / per;
      for (; slot < used; slot++) {
        if (left-- <= 0) return (ci << 11) | slot;
        const last = f[slot * per];
        // NaN: a free slot; otherwise expired when now is more than the longest window past it
        if (last === last && !(now - last <= maxLen)) {
          const owner = this.owners[ci][slot];
          const state = (ci << 11) | slot;
          this.release(state);
          dropped(owner, state);
        }
      }
    }
    return -1;
  }

  /** Records that the key was seen at ts even if no window took the event (keeps it from expiring). */
  touch(s: KeyWindows, ts: number): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    if (ts > sf[sfo]) sf[sfo] = ts;
  }

  /** True when no window can see anything of this key any more, so dropping it loses nothing. */
  isExpired(s: KeyWindows, now: number): boolean {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    return !(now - sf[sfo] <= this.maxLengthMs);
  }

  /** Adds an event to a count/sum/mean/max/min window (count ignores value); also touches the key. */
  add(s: KeyWindows, i: number, ts: number, value: number): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    const su = this.uChunks[s >>> 11], suo = (s & 2047) * this.countsPerKey;
    if (ts > sf[sfo]) sf[sfo] = ts;
    const k = this.kind[i];
    if (k === DISTINCT || k === undefined) throw new RangeError('add: window is distinct or unknown');
    if (k !== COUNT && value - value !== 0) return; // NaN or ±Infinity
    const f = sf, B = this.nb[i], b = Math.floor(ts / this.w[i]), hp = sfo + this.ho[i], head = f[hp];
    if (b > head) {
      this.advance(s, i, head, b);
      f[hp] = b;
    } else if (!(b > head - B)) return; // too old for the ring (or NaN ts / released state)
    const slot = mod(b, B), c = suo + this.co[i] + slot;
    if (k === COUNT) {
      if (su[c] !== this.countMax) su[c]++;
      return;
    }
    if (k === MEAN) {
      if (su[c] === this.countMax) return; // a saturated bucket's mean stays that of what it counted
      su[c]++;
    }
    const f32 = this.inF32[i];
    const a = f32 ? this.nChunks[s >>> 11] : f, v = (f32 ? (s & 2047) * this.f32PerKey : sfo) + this.vo[i] + slot;
    if (k === SUM || k === MEAN) a[v] += value;
    else if (k === MAX) {
      if (value > a[v]) a[v] = value;
    } else if (value < a[v]) a[v] = value;
  }

  /**
   * Takes an event added at `ts` back out of a count/sum/mean window (a reversed payment), while its
   * bucket is still in the ring; what a max, min or distinct window took cannot be told apart from
   * the rest, so those keep it. Returns whether anything changed.
   */
  remove(s: KeyWindows, i: number, ts: number, value: number): boolean {
    const k = this.kind[i];
    if (k !== COUNT && k !== SUM && k !== MEAN) return false;
    if (k !== COUNT && value - value !== 0) return false;
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    const su = this.uChunks[s >>> 11], suo = (s & 2047) * this.countsPerKey;
    const B = this.nb[i], b = Math.floor(ts / this.w[i]), head = sf[sfo + this.ho[i]];
    if (!(b <= head && b > head - B)) return false; // left the ring, or never entered it
    const slot = mod(b, B), c = suo + this.co[i] + slot;
    if (k === COUNT) {
      if (su[c] === 0) return false;
      su[c]--;
    } else if (k === SUM) sf[sfo + this.vo[i] + slot] -= value;
    else {
      if (su[c] === 0) return false;
      su[c]--;
      const f32 = this.inF32[i];
      (f32 ? this.nChunks[s >>> 11] : sf)[(f32 ? (s & 2047) * this.f32PerKey : sfo) + this.vo[i] + slot] -= value;
    }
    return true;
  }

  /** Clears the ring slots that the head passes when it moves from bucket `head` to `b`. */
  private advance(s: KeyWindows, i: number, head: number, b: number): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    const su = this.uChunks[s >>> 11], suo = (s & 2047) * this.countsPerKey;
    const k = this.kind[i], B = this.nb[i];
    const empty = k === MAX ? -Infinity : k === MIN ? Infinity : 0;
    const f32 = this.inF32[i], nf = this.nChunks[s >>> 11];
    const vo = this.vo[i] < 0 ? -1 : f32 ? (s & 2047) * this.f32PerKey + this.vo[i] : sfo + this.vo[i];
    const co = this.co[i] < 0 ? -1 : suo + this.co[i];
    if (b - head >= B) {
      if (vo >= 0) (f32 ? nf : sf).fill(empty, vo, vo + B);
      if (co >= 0) su.fill(0, co, co + B);
      return;
    }
    let slot = mod(head + 1, B);
    for (let n = b - head; n > 0; n--) {
      if (vo >= 0) {
        if (f32) nf[vo + slot] = empty;
        else sf[vo + slot] = empty;
      }
      if (co >= 0) su[co + slot] = 0;
      if (++slot === B) slot = 0;
    }
  }

  /** Adds a value to a distinct window; prunes pairs no read can see and enforces DISTINCT_CAP. */
  addDistinct(s: KeyWindows, i: number, ts: number, value: string): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    if (ts > sf[sfo]) sf[sfo] = ts;
    if (this.kind[i] !== DISTINCT) throw new RangeError('addDistinct: window is not distinct');
    const f = sf, B = this.nb[i], b = Math.floor(ts / this.w[i]), hp = sfo + this.ho[i], rp = sfo + this.vo[i];
    let head = f[hp];
    if (b > head) f[hp] = head = b;
    else if (!(b > head - B)) return;
    const pool = this.pool, h = hash53(value), dead = head - B;
    let id = f[rp], a: Float64Array = EMPTY_F, o = 0;
    if (id >= 0) {
      a = pool.buf(id);
      o = pool.off(id);
    }
    // one pass: find the value, drop pairs that left the ring, note the least recently seen
    const end = o + 2 * f[rp + 1];
    let w = o, found = false, oldest = -1;
    for (let r = o; r < end; r += 2) {
      let pb = a[r + 1];
      if (pb <= dead) continue;
      const ph = a[r];
      if (ph === h) {
        found = true;
        if (b > pb) pb = b;
      }
      a[w] = ph;
      a[w + 1] = pb;
      if (oldest < 0 || pb < a[oldest + 1]) oldest = w;
      w += 2;
    }
    let m = (w - o) / 2;
    if (!found && m < DISTINCT_CAP) {
      if (m === (id >= 0 ? 2 << (id & 7) : 0)) {
        id = pool.move(id, m, id >= 0 ? (id & 7) + 1 : 0);
        a = pool.buf(id);
        o = pool.off(id);
      }
      a[o + 2 * m] = h;
      a[o + 2 * m + 1] = b;
      m++;
    } else if (!found && b >= a[oldest + 1]) {
      a[oldest] = h;
      a[oldest + 1] = b;
    }
    // a set that has emptied out to a quarter of its block moves to a block half as big
    const cls = id & 7;
    if (cls > 0 && 4 * m <= 2 << cls) id = pool.move(id, m, cls - 1);
    f[rp] = id;
    f[rp + 1] = m;
  }

  /** The window's value at `now`: count/sum/distinct 0 when empty, mean/max/min NaN when empty. */
  read(s: KeyWindows, i: number, now: number): number {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    const su = this.uChunks[s >>> 11], suo = (s & 2047) * this.countsPerKey;
    const k = this.kind[i], B = this.nb[i], w = this.w[i], head = sf[sfo + this.ho[i]];
    let hi = Math.floor(now / w);
    if (!(hi <= head)) hi = head; // also makes a released state (head undefined) read empty
    let lo = Math.floor((now - this.len[i]) / w) + 1;
    if (lo <= head - B) lo = head - B + 1;
    if (k === DISTINCT) {
      const id = sf[sfo + this.vo[i]];
      if (!(id >= 0 && hi >= lo)) return 0;
      const a = this.pool.buf(id), o = this.pool.off(id), end = o + 2 * sf[sfo + this.vo[i] + 1];
      let c = 0;
      for (let r = o + 1; r < end; r += 2) if (a[r] >= lo && a[r] <= hi) c++;
      return c;
    }
    if (!(hi >= lo)) return k === COUNT || k === SUM ? 0 : NaN;
    // the buckets lo … hi are at most two runs of the ring: [s0, e0) and [0, e1)
    const n = hi - lo + 1, s0 = mod(lo, B), e0 = s0 + n < B ? s0 + n : B, e1 = n - (e0 - s0);
    if (k === COUNT) return sumU(su, suo + this.co[i], s0, e0, e1);
    if (k === SUM) return sumF(sf, sfo + this.vo[i], s0, e0, e1);
    // mean/max/min: in the f32 region in a narrow layout, else beside the sums
    const f32 = this.inF32[i];
    const f = f32 ? this.nChunks[s >>> 11] : sf, vo = (f32 ? (s & 2047) * this.f32PerKey : sfo) + this.vo[i];
    if (k === MEAN) {
      const c = sumU(su, suo + this.co[i], s0, e0, e1);
      return c === 0 ? NaN : sumF(f, vo, s0, e0, e1) / c;
    }
    return extreme(f, vo, s0, e0, e1, k === MAX);
  }

  /**
   * The count or sum window's buckets one by one, newest first: out[j] is bucket floor(now / w) − j
   * (0 when empty, left the ring or after the head), for j < min(out.length, B). Label-aware features
   * need the shape of the history (which days were mostly fraud, since when), not just its total.
   */
  readBuckets(s: KeyWindows, i: number, now: number, out: Float64Array): void {
    const sf = this.fChunks[s >>> 11], sfo = (s & 2047) * this.f64PerKey;
    const su = this.uChunks[s >>> 11], suo = (s & 2047) * this.countsPerKey;
    const k = this.kind[i], B = this.nb[i], head = sf[sfo + this.ho[i]];
    if (k !== COUNT && k !== SUM) throw new RangeError('readBuckets: window is not count or sum');
    const n = Math.min(out.length, B);
    // out[j] is bucket hi − j; the ring holds buckets head − B + 1 … head, i.e. j in [hi − head, hi − head + B)
    const hi = Math.floor(now / this.w[i]);
    const lo = Math.max(0, hi - head), end = Math.min(n, hi - head + B);
    if (!(lo < end)) {
      for (let j = 0; j < n; j++) out[j] = 0; // nothing in the ring yet, all of it older, or a released state
      return;
    }
    for (let j = 0; j < lo; j++) out[j] = 0;
    for (let j = end; j < n; j++) out[j] = 0;
    // one loop per array type: a loop reading both kinds of typed array is slower than either
    let slot = mod(hi - lo, B);
    if (k === COUNT) {
      for (let j = lo, base = suo + this.co[i]; j < end; j++, slot = slot === 0 ? B - 1 : slot - 1) out[j] = su[base + slot];
    } else {
      for (let j = lo, base = sfo + this.vo[i]; j < end; j++, slot = slot === 0 ? B - 1 : slot - 1) out[j] = sf[base + slot];
    }
  }

  /**
   * Writes every state as it is: the chunks' raw bytes, each slot's owner, the allocation cursor,
   * the free lists and the distinct pool, so readSnapshot rebuilds it bit for bit (a handle held
   * by a key map stays valid, free slots are reused in the same order).
   */
  writeSnapshot(w: SnapshotWriter, owners: OwnerCodec): void {
    w.tag('LAYT');
    w.f64(this.f64PerKey);
    w.f64(this.f32PerKey);
    w.f64(this.countsPerKey);
    w.f64(this.narrow ? 16 : 32);
    w.f64(this.fChunks.length);
    for (let c = 0; c < this.fChunks.length; c++) {
      w.f64s(this.fChunks[c]);
      w.f32s(this.nChunks[c]);
      const u = this.uChunks[c];
      if (u instanceof Uint16Array) w.u16s(u);
      else w.u32s(u);
      owners.write(this.owners[c], w);
    }
    w.f64(this.next);
    w.nums(this.freeCi);
    w.nums(this.freeSlot);
    this.pool.writeSnapshot(w);
  }

  /** Restores what writeSnapshot wrote into this fresh layout (built from the same specs). */
  readSnapshot(r: SnapshotReader, owners: OwnerCodec): void {
    r.expect('LAYT');
    if (this.fChunks.length > 0) throw new RangeError('WindowLayout.readSnapshot needs a fresh layout');
    const f = r.f64(), n32 = r.f64(), u = r.f64(), bits = r.f64();
    if (f !== this.f64PerKey || n32 !== this.f32PerKey || u !== this.countsPerKey || bits !== (this.narrow ? 16 : 32)) {
      throw new RangeError(
        `window layout snapshot has ${f}+${n32}+${u}×${bits}-bit values per key, ` +
          `this layout ${this.f64PerKey}+${this.f32PerKey}+${this.countsPerKey}×${this.narrow ? 16 : 32}-bit`,
      );
    }
    const n = r.f64();
    for (let c = 0; c < n; c++) {
      this.fChunks.push(r.f64s());
      const nc = r.f32s();
      this.nChunks.push(nc.length > 0 ? nc : EMPTY_N);
      const uc = this.narrow ? r.u16s() : r.u32s();
      this.uChunks.push(uc.length > 0 ? uc : this.narrow ? EMPTY_U16 : EMPTY_U);
      this.owners.push(owners.read(r));
    }
    this.next = r.f64();
    for (const v of r.nums()) this.freeCi.push(v);
    for (const v of r.nums()) this.freeSlot.push(v);
    this.pool.readSnapshot(r);
  }

  /** Bytes held: chunks allocated (they are reused, never returned); states are handles, not objects. */
  approxBytes(): number {
    let n = this.pool.bytes();
    for (let c = 0; c < this.fChunks.length; c++) n += this.fChunks[c].byteLength + this.nChunks[c].byteLength + this.uChunks[c].byteLength;
    return n;
  }
}
