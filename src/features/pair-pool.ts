/**
 * Storage of the distinct windows' sets (window-layout.ts): (53-bit hash of a value, last-seen bucket)
 * pairs in blocks carved from shared chunks, so a million keys' sets cost no array or Map per key and
 * retain no string.
 */
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';

/** 53-bit string hash (cyrb53): stored instead of the string so a set holds no string alive. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const POOL_CHUNK = 65536; // f64 per pool chunk (512 KB); ids are uint32, so at most 8192 chunks (4 GB)

/**
 * Blocks of 2 << cls pairs (cls 0..7) for distinct sets, so a set costs 16 bytes a value, not an array
 * per key. A block id packs (chunk << 19 | offset << 3 | class) into a uint32 kept in the key's f64 region,
 * so decoding it is a few integer operations.
 */
export class PairPool {
  readonly chunks: Float64Array[] = [];
  private readonly cur: number[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  private readonly used: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  private readonly grown: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  private readonly free: number[][] = [[], [], [], [], [], [], [], []];

  alloc(cls: number): number {
    const fl = this.free[cls];
    if (fl.length > 0) return fl.pop() as number;
    const size = 4 << cls; // f64 per block
    let c = this.cur[cls];
    if (c < 0 || this.used[cls] + size > this.chunks[c].length) {
      c = this.cur[cls] = this.chunks.length;
      if (c >= 8192) throw new RangeError('distinct pool exhausted (4 GB)');
      this.chunks.push(new Float64Array(Math.min(POOL_CHUNK, Math.max(1024, size) << Math.min(this.grown[cls]++, 6))));
      this.used[cls] = 0;
    }
    const off = this.used[cls];
    this.used[cls] += size;
    return ((c << 19) | (off << 3) | cls) >>> 0;
  }

  release(id: number): void {
    this.free[id & 7].push(id);
  }

  buf(id: number): Float64Array {
    return this.chunks[id >>> 19];
  }

  off(id: number): number {
    return (id >>> 3) & 0xffff;
  }

  /** Moves m pairs from block `id` into a new block of class cls and returns the new id. */
  move(id: number, m: number, cls: number): number {
    const nid = this.alloc(cls);
    if (id >= 0) {
      const a = this.buf(id), o = this.off(id), na = this.buf(nid), no = this.off(nid);
      for (let j = 0; j < 2 * m; j++) na[no + j] = a[o + j];
      this.release(id);
    }
    return nid;
  }

  bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }

  /** Chunks as raw bytes, with the allocator's cursors and free lists (see WindowLayout.writeSnapshot). */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('POOL');
    w.f64(this.chunks.length);
    for (const c of this.chunks) w.f64s(c);
    w.nums(this.cur);
    w.nums(this.used);
    w.nums(this.grown);
    for (const fl of this.free) w.nums(fl);
  }

  /** Restores what writeSnapshot wrote into this fresh pool. */
  readSnapshot(r: SnapshotReader): void {
    r.expect('POOL');
    const n = r.f64();
    for (let i = 0; i < n; i++) this.chunks.push(r.f64s());
    for (const list of [this.cur, this.used, this.grown]) {
      const v = r.nums();
      if (v.length !== list.length) throw new RangeError('distinct pool snapshot has another class count');
      for (let k = 0; k < v.length; k++) list[k] = v[k];
    }
    for (let k = 0; k < this.free.length; k++) this.free[k] = r.nums();
  }
}
