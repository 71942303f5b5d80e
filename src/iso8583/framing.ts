/**
 * Framing of ISO 8583 over TCP: every message is preceded by its length as 2 bytes, big-endian (the
 * length excludes these two bytes), as the npm `iso_8583` library and most switches write it. TCP
 * delivers bytes, not messages: FrameReader cuts them back into whole messages however they arrive
 * (one message in several chunks, several in one). Pure: no socket in here.
 */
import { Iso8583FormatError } from '../errors.js';

/** The most a frame may hold: far above any message of the field table, small enough to bound memory. */
export const MAX_FRAME_BYTES = 8192;

/** `message` with its 2-byte big-endian length before it. */
export function frame(message: Buffer): Buffer {
  if (message.length > 0xffff) throw new Iso8583FormatError(-1, 0, `a message of at most 65535 bytes (got ${message.length})`);
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}

/**
 * Cuts a byte stream into messages. `push` returns the whole messages completed by `chunk` (the
 * bytes after the length, copied out of the stream) and keeps the rest for the next chunk. A length
 * of 0 is a keep-alive some switches send and yields nothing; a length above `maxBytes` means the
 * stream is not framed as agreed: it throws, and the connection cannot be read any further.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number = MAX_FRAME_BYTES) {}

  /** Adds `chunk`; returns the messages it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (this.buf.length - at >= 2) {
      const len = this.buf.readUInt16BE(at);
      if (len > this.maxBytes) {
        this.buf = Buffer.alloc(0);
        throw new Iso8583FormatError(-1, 0, `a 2-byte big-endian length of at most ${this.maxBytes} bytes (got ${len}: not a framed ISO 8583 stream?)`);
      }
      if (this.buf.length - at - 2 < len) break;
      if (len > 0) out.push(Buffer.from(this.buf.subarray(at + 2, at + 2 + len)));
      at += 2 + len;
    }
    this.buf = at === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(at);
    return out;
  }

  /** Bytes received and not yet part of a whole message. */
  get buffered(): number {
    return this.buf.length;
  }
}
