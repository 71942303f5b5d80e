/**
 * Reading a long stretch of the journal with a second thread doing the reading: a worker opens the
 * file read-only, steps the rows and opens sealed events (AES-GCM costs ~5 µs an entry, most of
 * what encryption adds to a replay), while the calling thread applies the entries already read.
 * The caller stays synchronous — recovery and backtests are synchronous loops — and never waits
 * for the thread: when it has caught up, it reads the next entries itself (see ReadAheadThread).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { StoreError } from '../../errors.js';
import type { JournalEntry, JournalRange } from '../../log/journal.js';
import { encryptionSettings, type EncryptionSettings } from './crypt.js';
import { unpackEntries, type PackedEntries } from './read-ahead-batch.js';

/** Below this many entries a worker's start (~100 ms of module loading) costs more than it saves. */
export const READ_AHEAD_MIN_ENTRIES = 20_000;

/** Entries per message from the reader: large enough that a message costs little per entry. */
export const READ_AHEAD_BATCH = 2_048;

/** The first message is small, so the caller starts at once; each next one doubles up to READ_AHEAD_BATCH. */
export const READ_AHEAD_FIRST_BATCH = 256;

/** Entries the caller claims and reads itself when it has caught up with the thread. */
export const READ_AHEAD_CLAIM = 256;

/** A range with resolved bounds (`toSeq` a committed seq). */
export type ResolvedRange = Required<Pick<JournalRange, 'fromSeq' | 'toSeq'>> & Pick<JournalRange, 'type' | 'exceptType'>;

/** What the reader thread is started with. */
export interface ReadAheadData {
  readonly dataDir: string;
  readonly encryption: EncryptionSettings;
  /** The channel both ways: one ReadAheadRange in, ReadAheadMessages out. */
  readonly port: MessagePort;
  /** One BigInt64: the seq up to which (exclusive) the caller reads by itself; the thread skips past it. */
  readonly claim: SharedArrayBuffer;
}

/** Caller → reader thread: the one range to read. */
export interface ReadAheadRange {
  readonly from: number;
  readonly to: number;
  readonly type: string | null;
  readonly except: string | null;
}

/**
 * Reader thread → caller, on the channel's port. A batch holds the entries the thread read from
 * some seq up to `upTo` (exclusive): entries of other types in between were passed over.
 */
export type ReadAheadMessage = { kind: 'batch'; packed: PackedEntries; upTo: number } | { kind: 'end' } | { kind: 'error'; message: string };

/** Reads entries `from` … `to` (inclusive) on the calling thread; false when `cb` stopped the read. */
export type ReadHere = (from: number, to: number, cb: (entry: JournalEntry) => boolean | void) => boolean;

/**
 * One reader thread for one long read. Started before the read is known (a server right after
 * opening its store, so the ~100 ms of loading overlaps with compiling the policy and loading a
 * snapshot) or at the read. The two threads share the read: whenever the caller has applied all
 * the thread has sent (the thread still loading, or slower than the caller, as on a stretch of
 * cheap account events), the caller claims the next READ_AHEAD_CLAIM entries and reads them
 * itself instead of waiting, and the thread skips past every claim. So a read never takes longer
 * than the caller alone would, and the thread's work overlaps wherever it can.
 */
export class ReadAheadThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly claim: BigInt64Array;
  private used = false;
  /** Entries of the read that came from the thread, and that the caller read itself. */
  readonly split = { thread: 0, here: 0 };

  constructor(dataDir: string) {
    const { port1, port2 } = new MessageChannel();
    const claim = new SharedArrayBuffer(8);
    this.claim = new BigInt64Array(claim);
    this.port = port1;
    const data: ReadAheadData = { dataDir, encryption: encryptionSettings(dataDir), port: port2, claim };
    this.worker = new Worker(new URL('./read-ahead-thread.js', import.meta.url), { workerData: data, transferList: [port2] });
    this.worker.unref();
  }

  /**
   * Calls `cb` for each entry of `range` in seq order, read by the thread or by `readHere`, then
   * ends the thread; false when `cb` stopped the read early. When the thread fails, the rest is
   * read here (a bad row then fails here, with the error a read on one thread gives).
   */
  readAll(range: ResolvedRange, readHere: ReadHere, cb: (entry: JournalEntry) => boolean | void): boolean {
    if (this.used) throw new StoreError('a read-ahead thread reads one range only');
    this.used = true;
    const r: ReadAheadRange = { from: range.fromSeq, to: range.toSeq, type: range.type ?? null, except: range.exceptType ?? null };
    this.port.postMessage(r);
    const last = range.toSeq;
    let next = range.fromSeq;
    const batch: JournalEntry[] = [];
    try {
      let threadDone = false;
      while (next <= last) {
        const got = threadDone ? undefined : receiveMessageOnPort(this.port);
        if (got === undefined) {
          const end = Math.min(next + READ_AHEAD_CLAIM, last + 1);
          Atomics.store(this.claim, 0, BigInt(end));
          this.split.here += end - next;
          if (!readHere(next, end - 1, cb)) return false;
          next = end;
          continue;
        }
        const m = got.message as ReadAheadMessage;
        if (m.kind === 'end') break;
        if (m.kind === 'error') {
          // the rest is read here: a row that cannot be read fails here too, with its own error
          threadDone = true;
          continue;
        }
        batch.length = 0;
        unpackEntries(m.packed, batch);
        for (let i = 0; i < batch.length; i++) {
          const e = batch[i];
          if (e.seq < next) continue; // read here meanwhile
          this.split.thread++;
          if (cb(e) === false) return false;
          next = e.seq + 1;
        }
        if (m.upTo > next) next = m.upTo; // entries of other types up to there
      }
      return true;
    } finally {
      this.stop();
    }
  }

  /** Ends the thread (after the read, or when no read is made). */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}
