/**
 * The snapshot file: a header that says what the snapshot is, then the body (SnapshotWriter's
 * string table and engine state), each with its own CRC-32.
 *
 *   offset 0   8 bytes   magic "FKSNAP\r\n" (a text-mode copy or a foreign file fails here)
 *          8   u32 LE    format version (SNAPSHOT_FORMAT)
 *         12   u32 LE    header length H
 *         16   H bytes   header, UTF-8 JSON: SnapshotHeader
 *     16 + H   u32 LE    CRC-32 of bytes 0 … 16 + H (magic, version, length and header)
 *     20 + H   body      bodyBytes bytes; their CRC-32 is the header's bodyCrc32
 *
 * The header is small and checked on its own, so choosing a snapshot (seq, window signatures) reads
 * a few hundred bytes; the body is read and checked in full before anything in it is decoded. A
 * file whose length is not exactly 20 + H + bodyBytes is truncated (or has something appended).
 * Writing is atomic: a temp file in the same folder, fsync, rename, fsync of the folder; a crash
 * leaves at most a temp file, which is never read and is removed by the next checkpointer.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, statSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import zlib from 'node:zlib';
import { SnapshotError, type EncodedBody } from '../../codec/codec.js';

/** Version of the layout above and of every part's encoding; bump on any change, never reuse. */
export const SNAPSHOT_FORMAT = 8; // 2: account registrations, repayments and the stream's start in the reference data; 3: the clock's watermark state; 4: the issuer-credit counters in the reference data; 5: the labels of the last week with what they changed; 6: 40 days of payments and known frauds per day for every terminal and merchant; 7: where each window group's sweep under way stands, whether its key map is split in shards, and the payment index's move into a table twice the size; 8: mean, max and min windows in single precision

const MAGIC = Buffer.from('FKSNAP\r\n', 'latin1');
const PREFIX = 16;
/** iovecs per writev call (IOV_MAX is 1024 on Linux). */
const IOV_BATCH = 512;

/**
 * How a snapshot goes to disk: an fsync after every `syncBytes`, then a pause of `pauseMs`, so the
 * device never holds much of it at once and a journal commit's fsync beside it does not queue
 * behind hundreds of MB of snapshot.
 */
export interface WritePacing {
  readonly syncBytes: number;
  readonly pauseMs: number;
}

/** As fast as the disk goes (offline writes: nothing else waits for the disk). */
export const FAST_WRITE: WritePacing = { syncBytes: 32 << 20, pauseMs: 0 };

/**
 * Beside a live server (the checkpointer): 1 MB at a time. Measured on the project's VM with a
 * 2 ms-period fsync loop beside 121 MB snapshot writes: its fsync p99 was 4.2 ms (alone: 4.4 ms),
 * against 15.8 ms with an fsync every 32 MB and 6.8 ms every 4 MB. A 121 MB snapshot then takes
 * about a second to write, in the checkpointer's process.
 */
export const GENTLE_WRITE: WritePacing = { syncBytes: 1 << 20, pauseMs: 5 };

/** What the policy was that built the snapshot's state. */
export interface SnapshotPolicy {
  /** The policy's name as decisions show it (`default`, `v7+incident:x`). */
  readonly name: string;
  /** The policy store's runnable key (version and overlays), null when not known. */
  readonly key: string | null;
  /** sha256 of the model scoring beside it, null for none. */
  readonly modelHash: string | null;
}

/** Identifies one journal entry: its seq, receive time and a CRC-32 of its event text. */
export interface JournalMark {
  readonly seq: number;
  readonly receivedAt: number;
  readonly eventCrc32: number;
}

/** The header of a snapshot file. */
export interface SnapshotHeader {
  readonly format: number;
  /** The journal entries 1 … seq are applied in it, and nothing after. */
  readonly seq: number;
  /** Wall-clock epoch ms it was written. */
  readonly createdAt: number;
  /** Who wrote it: `checkpointer`, `cli`, a test. */
  readonly writer: string;
  readonly policy: SnapshotPolicy;
  /** Journal entry `seq` as it was when applied, so a snapshot is never used on another journal (null: seq 0). */
  readonly mark: JournalMark | null;
  /** Signatures of its window groups (see WindowGroups): a live group with another signature cannot use it. */
  readonly windowGroups: readonly string[];
  /** Sizes, for logs and the status API. */
  readonly counts: Readonly<Record<string, number>>;
  readonly bodyBytes: number;
  readonly bodyCrc32: number;
  /** The body is sealed (SnapshotSeal); absent in clear snapshots and those written before sealing. */
  readonly sealed?: boolean;
}

/**
 * Seals a snapshot body at rest (a data folder's Keyring fits): the body holds device ids, IPs and
 * coordinates of the engine's memory, so it is written sealed; the header holds none and stays clear.
 */
export interface SnapshotSeal {
  seal(body: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

/** The header fields a writer supplies (format, body length and CRC are filled in here). */
export type SnapshotHeaderInput = Omit<SnapshotHeader, 'format' | 'bodyBytes' | 'bodyCrc32' | 'sealed'>;

type Crc = (data: Uint8Array, value?: number) => number;

/** zlib's CRC-32 (Node ≥ 20.15); a table-driven one on older Node. */
const crc32: Crc = (zlib as unknown as { crc32?: Crc }).crc32 ?? tableCrc32;

let TABLE: Uint32Array | null = null;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (TABLE === null) {
    TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      TABLE[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of a string's UTF-8 bytes (JournalMark.eventCrc32). */
export function textCrc32(text: string): number {
  return crc32(Buffer.from(text, 'utf8')) >>> 0;
}

function crcOf(parts: readonly Uint8Array[]): number {
  let c = 0;
  for (const p of parts) c = crc32(p, c);
  return c >>> 0;
}

function encodeHeader(h: SnapshotHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const head = Buffer.alloc(PREFIX);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(SNAPSHOT_FORMAT, 8);
  head.writeUInt32LE(json.length, 12);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crcOf([head, json]), 0);
  return Buffer.concat([head, json, crc]);
}

/**
 * Writes header and body to `file` atomically (temp file, fsync, rename, fsync of the folder),
 * paced by `pacing`; returns the header written. A failure leaves no file under `file`'s name.
 */
export function writeSnapshotFile(
  file: string,
  input: SnapshotHeaderInput,
  clear: EncodedBody,
  pacing: WritePacing = FAST_WRITE,
  seal: SnapshotSeal | null = null,
): SnapshotHeader {
  let body: { parts: readonly Uint8Array[]; bytes: number } = clear;
  if (seal !== null) {
    const sealed = seal.seal(Buffer.concat(clear.parts));
    body = { parts: [sealed], bytes: sealed.length };
  }
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    ...input,
    bodyBytes: body.bytes,
    bodyCrc32: crcOf(body.parts),
    ...(seal !== null ? { sealed: true } : {}),
  };
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const batch of batches([encodeHeader(header), ...body.parts], pacing.syncBytes)) {
      writeAll(fd, batch);
      fsyncSync(fd);
      if (pacing.pauseMs > 0) pause(pacing.pauseMs);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(dirname(file));
  return header;
}

/** `parts` cut into consecutive batches of at most `bytes` bytes (and IOV_BATCH pieces) each. */
function* batches(parts: readonly Uint8Array[], bytes: number): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let size = 0;
  for (let p of parts) {
    while (p.byteLength > 0) {
      const piece = p.subarray(0, bytes - size);
      batch.push(piece);
      size += piece.byteLength;
      p = p.subarray(piece.byteLength);
      if (size >= bytes || batch.length >= IOV_BATCH) {
        yield batch;
        batch = [];
        size = 0;
      }
    }
  }
  if (batch.length > 0) yield batch;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (the checkpointer's own thread: nothing else waits on it). */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** writev until every byte of `parts` is written (a short write resumes where it stopped). */
function writeAll(fd: number, parts: readonly Uint8Array[]): void {
  let rest = parts.filter((p) => p.byteLength > 0);
  while (rest.length > 0) {
    let n = writevSync(fd, rest);
    let i = 0;
    while (i < rest.length && n >= rest[i].byteLength) n -= rest[i++].byteLength;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0].subarray(n);
  }
}

/** fsync of a folder, so a rename in it survives a power cut (a no-op where folders cannot be opened). */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some platforms refuse fsync on a folder; the rename is then as durable as they make it
  } finally {
    closeSync(fd);
  }
}

/** A header read and checked, with where the body starts. */
export interface HeaderRead {
  readonly header: SnapshotHeader;
  readonly bodyOffset: number;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, b, got, length - got, position + got);
    if (n === 0) throw new SnapshotError(`truncated: ${got} of ${length} bytes at offset ${position}`);
    got += n;
  }
  return b;
}

function readHeaderFd(fd: number, size: number): HeaderRead {
  if (size < PREFIX + 4) throw new SnapshotError(`truncated: ${size} bytes`);
  const head = readAt(fd, PREFIX, 0);
  if (!head.subarray(0, 8).equals(MAGIC)) throw new SnapshotError('not a fengkong engine snapshot (bad magic)');
  const format = head.readUInt32LE(8);
  if (format !== SNAPSHOT_FORMAT) throw new SnapshotError(`snapshot format ${format}, this fengkong reads format ${SNAPSHOT_FORMAT}`);
  const len = head.readUInt32LE(12);
  if (PREFIX + len + 4 > size) throw new SnapshotError('truncated header');
  const rest = readAt(fd, len + 4, PREFIX);
  const json = rest.subarray(0, len);
  if (crcOf([head, json]) !== rest.readUInt32LE(len)) throw new SnapshotError('header checksum mismatch');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(json.toString('utf8')) as SnapshotHeader;
  } catch (e) {
    throw new SnapshotError('header is not JSON', { cause: e });
  }
  const bodyOffset = PREFIX + len + 4;
  if (bodyOffset + header.bodyBytes !== size) {
    throw new SnapshotError(`length ${size} bytes, header says ${bodyOffset + header.bodyBytes} (truncated or appended to)`);
  }
  return { header, bodyOffset };
}

/** Reads and checks the header of `file` (magic, format, header CRC, file length). */
export function readSnapshotHeader(file: string): HeaderRead {
  const fd = openSync(file, 'r');
  try {
    return readHeaderFd(fd, statSync(file).size);
  } finally {
    closeSync(fd);
  }
}

/** Reads header and body of `file` and checks both CRCs; the body is then safe to decode. */
export function readSnapshotFile(file: string, seal: SnapshotSeal | null = null): { header: SnapshotHeader; body: Buffer } {
  const fd = openSync(file, 'r');
  try {
    const { header, bodyOffset } = readHeaderFd(fd, statSync(file).size);
    const body = readAt(fd, header.bodyBytes, bodyOffset);
    if (crcOf([body]) !== header.bodyCrc32) throw new SnapshotError('body checksum mismatch (corrupt)');
    if (header.sealed !== true) return { header, body };
    if (seal === null) throw new SnapshotError('the body is sealed and no keyring was given to open it');
    return { header, body: seal.open(body) };
  } finally {
    closeSync(fd);
  }
}
