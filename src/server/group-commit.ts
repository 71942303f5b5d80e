/**
 * Group commit: everything decided while the previous commit was on its way to disk (or in the
 * same tick, when idle) is journaled as ONE transaction, so concurrent requests share one fsync.
 * Answers wait for their batch's commit; batches commit strictly in order, so the journal is
 * always a prefix of what the engine applied, and nothing answered can be missing after a crash.
 *
 * Entries of one event-loop turn form a batch, handed to the writer with setImmediate (after the
 * poll phase has read every request already waiting on the sockets). Up to `maxInFlight` batches
 * may be with the writer at once, so the disk never waits for the event loop; a threaded writer
 * merges whatever queued up behind a commit into the next one, so they still share one fsync.
 */
import type { JournalEntry, JournalEntryType, JournalWriter } from '../log/journal.js';

/** Called with the batch's error (null when it is durable). */
export type CommitCallback = (err: Error | null) => void;

/** Entries that commit together. Callers only hold it to wait: see GroupCommit.whenCommitted. */
export interface Batch {
  readonly entries: JournalEntry[];
  /** performance.now() when the first entry joined. */
  readonly openedAt: number;
}

interface BatchState extends Batch {
  callbacks: CommitCallback[];
  state: 'open' | 'writing' | 'done' | 'failed';
  error: Error | null;
}

/** Hooks for metrics and for stopping the server when the journal fails. */
export interface CommitHooks {
  /** After every commit: entries in the batch and milliseconds until durable. */
  readonly onCommit?: (size: number, ms: number) => void;
  /** Once, when a commit fails and the journal stops. */
  readonly onFail?: (err: Error) => void;
  /**
   * A partitioned cluster's owner (docs/scale-out.md): the annotation of each entry as it is added
   * (JournalEntry.meta). Called synchronously inside `add`, so for a transaction the engine still
   * holds the decision just made (DecisionService adds a payment right after deciding it).
   */
  readonly annotate?: (type: JournalEntryType) => string | null;
}

/** Assigns journal sequence numbers and batches entries into shared, ordered commits. */
export class GroupCommit {
  private nextSeq: number;
  private open: BatchState | null = null;
  /** Batches handed to the writer, oldest first. */
  private readonly writing: BatchState[] = [];
  private scheduled = false;
  private failure: Error | null = null;
  private readonly kickBound = (): void => this.kick();

  /**
   * `lastSeq` is the journal's highest committed seq; the next entry gets lastSeq + 1.
   * `maxInFlight` batches may be with the writer at once (it must complete them in order).
   */
  constructor(
    private readonly writer: JournalWriter,
    lastSeq: number,
    private readonly hooks: CommitHooks = {},
    private readonly maxInFlight = 4,
  ) {
    this.nextSeq = lastSeq + 1;
  }

  /** The error that stopped the journal, if any; once set, nothing more can be added. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Seq of the last entry added (committed or not). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Entries added and not yet durable: the journal's lag in entries. */
  get pendingEntries(): number {
    let n = this.open?.entries.length ?? 0;
    for (const b of this.writing) n += b.entries.length;
    return n;
  }

  /** Milliseconds the oldest not-yet-durable entry has waited (0 when none). */
  lagMs(now = performance.now()): number {
    const oldest = this.writing[0] ?? this.open;
    return oldest === undefined || oldest === null ? 0 : now - oldest.openedAt;
  }

  /**
   * Adds one entry (its seq is assigned here, in call order) to the open batch and returns that
   * batch. Throws the journal's failure once it has failed: the caller must not answer.
   */
  add(type: JournalEntryType, txId: string | null, event: string, decision: string | null): Batch {
    if (this.failure !== null) throw this.failure;
    let b = this.open;
    if (b === null) {
      b = { entries: [], openedAt: performance.now(), callbacks: [], state: 'open', error: null };
      this.open = b;
    }
    const meta = this.hooks.annotate?.(type) ?? null;
    const seq = this.nextSeq++;
    const receivedAt = Date.now();
    b.entries.push(meta === null ? { seq, type, txId, event, decision, receivedAt } : { seq, type, txId, event, decision, receivedAt, meta });
    this.schedule();
    return b;
  }

  /** Calls `cb` once `batch` is durable (or failed); at once if it already is. */
  whenCommitted(batch: Batch, cb: CommitCallback): void {
    const b = batch as BatchState;
    if (b.state === 'done') cb(null);
    else if (b.state === 'failed') cb(b.error);
    else b.callbacks.push(cb);
  }

  /** Resolves when everything added so far is durable; rejects with the journal's failure. */
  flush(): Promise<void> {
    const last = this.open ?? this.writing[this.writing.length - 1];
    if (last === undefined) return this.failure === null ? Promise.resolve() : Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.whenCommitted(last, (err) => (err === null ? resolve() : reject(err)));
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.scheduled && this.open !== null && this.writing.length < this.maxInFlight) {
      this.scheduled = true;
      setImmediate(this.kickBound);
    }
  }

  private kick(): void {
    this.scheduled = false;
    const b = this.open;
    if (b === null || this.writing.length >= this.maxInFlight || this.failure !== null) return;
    this.open = null;
    this.writing.push(b);
    b.state = 'writing';
    const started = performance.now();
    this.writer.write(b.entries).then(
      () => this.committed(b, performance.now() - started),
      (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))),
    );
  }

  private committed(b: BatchState, ms: number): void {
    if (b.state !== 'writing') return; // failed meanwhile: an earlier batch was lost
    if (this.writing[0] !== b) {
      this.fail(new Error('journal writer completed batches out of order'));
      return;
    }
    this.writing.shift();
    b.state = 'done';
    this.hooks.onCommit?.(b.entries.length, ms);
    settle(b, null);
    this.schedule();
  }

  /** Fail-stop: the failed batch and every later one (they were applied after it) fail. */
  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    const lost = [...this.writing];
    this.writing.length = 0;
    if (this.open !== null) lost.push(this.open);
    this.open = null;
    for (const b of lost) {
      b.state = 'failed';
      b.error = err;
      settle(b, err);
    }
    this.hooks.onFail?.(err);
  }
}

/** Runs every waiter; one that throws must not keep the others from their answers. */
function settle(b: BatchState, err: Error | null): void {
  const cbs = b.callbacks;
  b.callbacks = [];
  for (let i = 0; i < cbs.length; i++) {
    try {
      cbs[i](err);
    } catch (e) {
      process.stderr.write(`fengkong: error in a commit callback: ${(e as Error).stack ?? e}\n`);
    }
  }
}
