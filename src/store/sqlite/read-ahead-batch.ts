/**
 * The binary batch a read-ahead thread hands the reading thread: the entries' text fields as UTF-8
 * in one buffer and their numbers in typed arrays, all transferred, not copied. A sealed event is
 * opened straight into the buffer (no string in between), and the reader decodes each field once.
 */
import type { EventType } from '../../contract/events.js';
import type { JournalEntry } from '../../log/journal.js';

/** One batch: `n` entries; `ends` holds 4 end offsets per entry (type, txId, event, decision). */
export interface PackedEntries {
  readonly n: number;
  /** seq and receivedAt of each entry. */
  readonly numbers: Float64Array;
  readonly ends: Uint32Array;
  /** Bit 0: txId is null; bit 1: decision is null. */
  readonly nulls: Uint8Array;
  readonly bytes: Uint8Array;
}

/** Fills one PackedEntries; `take` hands the finished batch over and starts a new one. */
export class EntryPacker {
  private numbers: Float64Array;
  private ends: Uint32Array;
  private nulls: Uint8Array;
  private bytes: Buffer;
  private n = 0;
  private at = 0;

  constructor(private readonly capacity: number) {
    this.numbers = new Float64Array(capacity * 2);
    this.ends = new Uint32Array(capacity * 4);
    this.nulls = new Uint8Array(capacity);
    this.bytes = Buffer.from(new ArrayBuffer(capacity * 512));
  }

  /** Entries added since the last take. */
  get size(): number {
    return this.n;
  }

  /** Adds one entry; `event` as clear bytes or as a string. */
  add(seq: number, type: string, txId: string | null, event: Buffer | string, decision: string | null, receivedAt: number): void {
    const i = this.n++;
    this.numbers[2 * i] = seq;
    this.numbers[2 * i + 1] = receivedAt;
    this.nulls[i] = (txId === null ? 1 : 0) | (decision === null ? 2 : 0);
    this.text(type, 4 * i);
    this.text(txId ?? '', 4 * i + 1);
    if (typeof event === 'string') this.text(event, 4 * i + 2);
    else {
      this.room(event.length);
      event.copy(this.bytes, this.at);
      this.at += event.length;
      this.ends[4 * i + 2] = this.at;
    }
    this.text(decision ?? '', 4 * i + 3);
  }

  /** The batch so far, with its buffers given away (list them as transferables). */
  take(): PackedEntries {
    const out: PackedEntries = {
      n: this.n,
      numbers: this.numbers,
      ends: this.ends,
      nulls: this.nulls,
      bytes: new Uint8Array(this.bytes.buffer, 0, this.bytes.length),
    };
    this.numbers = new Float64Array(this.capacity * 2);
    this.ends = new Uint32Array(this.capacity * 4);
    this.nulls = new Uint8Array(this.capacity);
    this.bytes = Buffer.from(new ArrayBuffer(Math.max(this.capacity * 512, this.at)));
    this.n = 0;
    this.at = 0;
    return out;
  }

  private text(s: string, slot: number): void {
    this.room(s.length * 3);
    this.at += this.bytes.write(s, this.at, 'utf8');
    this.ends[slot] = this.at;
  }

  private room(extra: number): void {
    if (this.at + extra <= this.bytes.length) return;
    const bigger = Buffer.from(new ArrayBuffer(Math.max(this.bytes.length * 2, this.at + extra)));
    this.bytes.copy(bigger, 0, 0, this.at);
    this.bytes = bigger;
  }
}

/** The entries of a PackedEntries, appended to `out`. */
export function unpackEntries(p: PackedEntries, out: JournalEntry[]): void {
  const bytes = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  let at = 0;
  for (let i = 0; i < p.n; i++) {
    const e0 = p.ends[4 * i];
    const e1 = p.ends[4 * i + 1];
    const e2 = p.ends[4 * i + 2];
    const e3 = p.ends[4 * i + 3];
    const nulls = p.nulls[i];
    out.push({
      seq: p.numbers[2 * i],
      type: bytes.toString('latin1', at, e0) as EventType,
      txId: (nulls & 1) !== 0 ? null : bytes.toString('utf8', e0, e1),
      event: bytes.toString('utf8', e1, e2),
      decision: (nulls & 2) !== 0 ? null : bytes.toString('utf8', e2, e3),
      receivedAt: p.numbers[2 * i + 1],
    });
    at = e3;
  }
}
