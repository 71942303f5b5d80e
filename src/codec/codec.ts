/**
 * The byte codec of engine snapshots. SnapshotWriter collects primitives, strings and typed arrays
 * into a list of parts: typed arrays are referenced as they are (their raw little-endian bytes, no
 * copy), primitives go into scratch buffers, and every string becomes a reference into ONE string
 * table, so an id used by ten maps is stored once and comes back as one shared string. The
 * SnapshotReader walks the same sequence back; typed arrays come back as fresh copies sized exactly
 * as written, so a restored engine owns its memory and mutates it freely.
 *
 * Each class writes and reads its own state next to its fields (`writeSnapshot(w)` /
 * `readSnapshot(r)`); a 4-byte tag opens every part, so a reader that drifts fails at once with the
 * part's name instead of decoding garbage. The writer refuses a big-endian host (raw bytes would not
 * read back elsewhere); every production platform Node runs on is little-endian.
 */
import { endianness } from 'node:os';
import { StoreError } from '../errors.js';

/** A snapshot that cannot be read: corrupt, truncated, of another format, or made for other windows. */
export class SnapshotError extends StoreError {}

const SCRATCH = 1 << 20;
/** String reference of null (strings are 1-based). */
const NULL_REF = 0;

/** A length placeholder written by `begin`, patched by `end`. */
export interface BlockMark {
  readonly buf: Buffer;
  readonly at: number;
  readonly start: number;
}

/** The encoded body: its parts in order and their total length. */
export interface EncodedBody {
  readonly parts: readonly Uint8Array[];
  readonly bytes: number;
  readonly strings: number;
}

/** Collects a snapshot body in memory; `finish` puts the string table in front of it. */
export class SnapshotWriter {
  private readonly parts: Uint8Array[] = [];
  private buf = Buffer.allocUnsafe(SCRATCH);
  private pos = 0;
  private flushed = 0;
  private readonly refs = new Map<string, number>();
  private readonly table: string[] = [];

  constructor() {
    if (endianness() !== 'LE') throw new SnapshotError('engine snapshots need a little-endian host');
  }

  /** Bytes written so far. */
  get offset(): number {
    return this.flushed + this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    this.buf = Buffer.allocUnsafe(Math.max(SCRATCH, n));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.parts.push(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
  }

  /** Four ASCII characters naming the part that follows (checked by SnapshotReader.expect). */
  tag(name: string): void {
    this.room(4);
    this.buf.write(name.padEnd(4, ' ').slice(0, 4), this.pos, 'latin1');
    this.pos += 4;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v | 0, this.pos);
    this.pos += 4;
  }

  /** Any number, NaN and ±Infinity included, bit for bit. */
  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** The table reference of `s` (null → 0), without writing anything. */
  ref(s: string | null): number {
    if (s === null) return NULL_REF;
    let r = this.refs.get(s);
    if (r === undefined) {
      this.table.push(s);
      r = this.table.length;
      this.refs.set(s, r);
    }
    return r;
  }

  /** A string (or null) as its table reference. */
  str(s: string | null): void {
    this.u32(this.ref(s));
  }

  /** Many strings as one raw array of references. */
  strs(list: readonly (string | null)[]): void {
    const refs = new Uint32Array(list.length);
    for (let i = 0; i < list.length; i++) refs[i] = this.ref(list[i] ?? null);
    this.u32s(refs);
  }

  /** Element count, then the array's raw bytes (referenced, not copied: do not change it before the write). */
  private raw(count: number, a: ArrayBufferView): void {
    this.f64(count);
    this.flush();
    if (a.byteLength > 0) this.parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    this.flushed += a.byteLength;
  }

  f64s(a: Float64Array): void {
    this.raw(a.length, a);
  }

  u32s(a: Uint32Array): void {
    this.raw(a.length, a);
  }

  f32s(a: Float32Array): void {
    this.raw(a.length, a);
  }

  u16s(a: Uint16Array): void {
    this.raw(a.length, a);
  }

  i32s(a: Int32Array): void {
    this.raw(a.length, a);
  }

  u8s(a: Uint8Array): void {
    this.raw(a.length, a);
  }

  /** Numbers of a plain array (free lists, …) as one raw f64 array. */
  nums(list: readonly number[]): void {
    this.f64s(Float64Array.from(list));
  }

  /** Opens a block whose byte length is written in front of it, so a reader can skip it. */
  begin(): BlockMark {
    this.room(8);
    const mark = { buf: this.buf, at: this.pos, start: this.offset + 8 };
    this.pos += 8;
    return mark;
  }

  end(mark: BlockMark): void {
    mark.buf.writeDoubleLE(this.offset - mark.start, mark.at);
  }

  /** The body: string table (count, byte lengths, UTF-8 bytes), then everything written. */
  finish(): EncodedBody {
    this.flush();
    const n = this.table.length;
    const lengths = new Uint32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += lengths[i] = Buffer.byteLength(this.table[i], 'utf8');
    const bytes = Buffer.allocUnsafe(total);
    for (let i = 0, off = 0; i < n; i++) off += bytes.write(this.table[i], off, 'utf8');
    const head = Buffer.allocUnsafe(12);
    head.write('STRS', 0, 'latin1');
    head.writeDoubleLE(n, 4);
    const table = [head, new Uint8Array(lengths.buffer), bytes];
    const parts = [...table, ...this.parts];
    return { parts, bytes: 12 + lengths.byteLength + total + this.flushed, strings: n };
  }
}

/** Reads a body written by SnapshotWriter; every method throws SnapshotError past the end. */
export class SnapshotReader {
  private pos: number;
  private readonly strings: (string | null)[];

  constructor(private readonly buf: Buffer) {
    this.pos = 0;
    this.expect('STRS');
    const n = this.f64();
    const lengths = new Uint32Array(n);
    new Uint8Array(lengths.buffer).set(this.take(n * 4));
    const strings = new Array<string | null>(n + 1);
    strings[0] = null;
    let off = this.pos;
    this.take(lengths.reduce((a, b) => a + b, 0));
    for (let i = 0; i < n; i++) {
      const end = off + lengths[i];
      strings[i + 1] = buf.toString('utf8', off, end);
      off = end;
    }
    this.strings = strings;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number): Buffer {
    if (!(n >= 0) || this.pos + n > this.buf.length) throw new SnapshotError(`snapshot body ends early (need ${n} bytes at ${this.pos})`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Checks the tag written by SnapshotWriter.tag. */
  expect(name: string): void {
    const got = this.take(4).toString('latin1');
    if (got !== name.padEnd(4, ' ').slice(0, 4)) throw new SnapshotError(`snapshot body out of step: expected part '${name}', found '${got}'`);
  }

  /** Position of the next `n` bytes, advancing past them. */
  private step(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) throw new SnapshotError(`snapshot body ends early (need ${n} bytes at ${p})`);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.buf[this.step(1)];
  }

  bool(): boolean {
    return this.u8() === 1;
  }

  u32(): number {
    return this.buf.readUInt32LE(this.step(4));
  }

  i32(): number {
    return this.buf.readInt32LE(this.step(4));
  }

  f64(): number {
    return this.buf.readDoubleLE(this.step(8));
  }

  /** The string of a table reference (null for 0). */
  deref(ref: number): string | null {
    const s = this.strings[ref];
    if (s === undefined) throw new SnapshotError(`snapshot string reference ${ref} out of range`);
    return s;
  }

  /** A string written by `str` that must not be null. */
  str(): string {
    const s = this.deref(this.u32());
    if (s === null) throw new SnapshotError('snapshot holds null where a string is required');
    return s;
  }

  /** A string or null written by `str`. */
  optStr(): string | null {
    return this.deref(this.u32());
  }

  /** Strings written by `strs`. */
  strs(): (string | null)[] {
    const refs = this.u32s();
    const out = new Array<string | null>(refs.length);
    for (let i = 0; i < refs.length; i++) out[i] = this.deref(refs[i]);
    return out;
  }

  private rawInto<T extends Float64Array<ArrayBuffer> | Float32Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(
    make: (n: number) => T,
  ): T {
    const n = this.f64();
    const out = make(n);
    new Uint8Array(out.buffer).set(this.take(out.byteLength));
    return out;
  }

  f64s(): Float64Array<ArrayBuffer> {
    return this.rawInto((n) => new Float64Array(n));
  }

  u32s(): Uint32Array<ArrayBuffer> {
    return this.rawInto((n) => new Uint32Array(n));
  }

  f32s(): Float32Array<ArrayBuffer> {
    return this.rawInto((n) => new Float32Array(n));
  }

  u16s(): Uint16Array<ArrayBuffer> {
    return this.rawInto((n) => new Uint16Array(n));
  }

  i32s(): Int32Array<ArrayBuffer> {
    return this.rawInto((n) => new Int32Array(n));
  }

  u8s(): Uint8Array<ArrayBuffer> {
    return this.rawInto((n) => new Uint8Array(n));
  }

  /** Numbers written by `nums`. */
  nums(): number[] {
    return Array.from(this.f64s());
  }

  /** Reads a block's length; returns the offset where it ends (see `skipTo`). */
  block(): number {
    const len = this.f64();
    const end = this.pos + len;
    if (!(len >= 0) || end > this.buf.length) throw new SnapshotError('snapshot block runs past the end');
    return end;
  }

  /** Moves to `end` (from `block`) without reading what lies before it. */
  skipTo(end: number): void {
    this.pos = end;
  }

  /** Throws unless the reader stands exactly at `end`. */
  at(end: number, what: string): void {
    if (this.pos !== end) throw new SnapshotError(`snapshot part '${what}' read ${this.pos - end} bytes off its length`);
  }
}
