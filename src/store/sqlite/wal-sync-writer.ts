/**
 * A JournalWriter that commits on the event loop but fsyncs off it. SQLite's `synchronous = FULL`
 * in WAL mode is `NORMAL` plus one sync of the WAL file after every commit, done inside the commit
 * call, so the event loop stalls for the disk (0.5 ms typical, 5–10 ms tails on a shared VM). Here
 * the journal's own connection commits with `NORMAL` (the commit only writes WAL frames, tens of
 * microseconds) and then the WAL file is fsynced on libuv's thread pool; a batch resolves only when
 * an fsync that started after its commit has finished. Answers therefore still leave only once
 * their decision is on disk — the same guarantee as FULL — while the loop keeps deciding. Batches
 * that arrive during an fsync wait in memory and are committed together, as one transaction, when
 * it ends: a commit costs ~100 µs of CPU whatever its size, so one per fsync keeps that cost shared
 * as widely as a blocking commit would. SQLite itself still syncs the WAL header on
 * reuse and around checkpoints under NORMAL, so the file stays consistent as with FULL.
 *
 * Only the journal's connection runs with NORMAL; the store's main connection (keys, audit, lists,
 * policies) keeps FULL, so those changes stay durable at their own commit.
 */
import { StoreError } from '../../errors.js';
import type { JournalEntry, JournalWriter } from '../../log/journal.js';
import { openNormalJournal } from './wal-fsync.js';

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

/** Opens the journal's own connection in `dataDir` (the store's file must exist); `autoCheckpoint` as SqliteStore's. */
export function startWalSyncWriter(dataDir: string, o: { autoCheckpoint?: boolean } = {}): JournalWriter {
  const journal = openNormalJournal(dataDir, o);
  /** Batches that arrived during an fsync: committed together when it ends. */
  let queued: (readonly JournalEntry[])[] = [];
  /** Their waiters, in the same order. */
  let waiting: Waiter[] = [];
  let syncing = false;
  let failure: Error | null = null;
  let closed = false;
  let drained: (() => void) | null = null;

  const fail = (e: Error, batch: Waiter[]): void => {
    failure ??= e;
    for (const w of batch) w.reject(failure);
    for (const w of waiting) w.reject(failure);
    waiting = [];
  };

  /** Commits everything queued as one transaction and fsyncs it; the waiters resolve after. */
  const syncNext = (): void => {
    if (syncing || waiting.length === 0) {
      if (!syncing && drained !== null) drained();
      return;
    }
    const batch = waiting;
    const entries = queued.length === 1 ? queued[0] : queued.flat();
    waiting = [];
    queued = [];
    try {
      journal.store.append(entries);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)), batch);
      return;
    }
    syncing = true;
    journal.syncWal((err) => {
      syncing = false;
      if (err !== null) fail(err, batch);
      else for (const w of batch) w.resolve();
      syncNext();
    });
  };

  return {
    write(batch: readonly JournalEntry[]): Promise<void> {
      if (failure !== null) return Promise.reject(failure);
      if (closed) return Promise.reject(new StoreError('journal writer is closed'));
      return new Promise<void>((resolve, reject) => {
        queued.push(batch);
        waiting.push({ resolve, reject });
        syncNext();
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (syncing || waiting.length > 0) await new Promise<void>((r) => (drained = r));
      journal.close();
    },
  };
}
