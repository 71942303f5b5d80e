/**
 * A growable byte buffer for one flush of output. Most of a line is ASCII we built ourselves and is
 * copied byte for byte (latin1); only merchant names need UTF-8, and each name is encoded once and
 * cached. This avoids turning every payment line into a two-byte JS string and re-encoding it, which
 * was the largest single cost of writing half a million payments.
 */

/** Output bytes of one flush. */
export class ByteSink {
  private buf: Buffer;
  private off = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Appends text known to be ASCII. */
  ascii(s: string): void {
    this.room(s.length);
    this.off += this.buf.write(s, this.off, 'latin1');
  }

  /** Appends any text as UTF-8. */
  utf8(s: string): void {
    this.room(Buffer.byteLength(s, 'utf8'));
    this.off += this.buf.write(s, this.off, 'utf8');
  }

  /** Appends raw bytes. */
  bytes(b: Buffer): void {
    this.room(b.length);
    this.off += b.copy(this.buf, this.off);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.off;
  }

  /** Hands over the bytes written (a fresh buffer follows, so the stream may keep the old one). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.off);
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, this.off + (this.off >> 2)));
    this.off = 0;
    return out;
  }
}
