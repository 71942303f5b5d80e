/**
 * The journal writer of `--durability process`: a batch is answered once its commit has handed the
 * WAL frames to the operating system (write(2), tens of microseconds, no fsync), and the WAL file is
 * fsynced on libuv's thread pool right behind — one fsync in flight, the next starting as soon as it
 * ends when anything was committed meanwhile. What is answered survives a crash of the server
 * process (`kill -9`, an out-of-memory kill): the kernel holds the frames and SQLite finds them at
 * the next open. A power loss or kernel crash may lose what was committed during the last fsync or
 * two — `unsynced()` says how much, at any moment; on this project's disk an fsync takes 0.1–0.3 ms.
 * The default, `fsync`, keeps every answer waiting for its fsync instead (wal-sync-writer.ts, or
 * SQLite's FULL inline).
 *
 * The connection is the journal's own, with `synchronous = NORMAL`; the store's main connection
 * (keys, audit, lists, policies) keeps FULL. A failed fsync stops the journal: later batches are
 * refused, so the server stops answering rather than going on without knowing what is on disk.
 */
import { StoreError } from '../../errors.js';
import type { JournalEntry, JournalWriter } from '../../log/journal.js';
import { openNormalJournal } from './wal-fsync.js';

/** Entries committed and not yet fsynced, and the age of the oldest of them. */
export interface Unsynced {
  readonly entries: number;
  readonly ms: number;
}

/** A JournalWriter that also tells what a power loss could take now. */
export interface ProcessDurableWriter extends JournalWriter {
  unsynced(now?: number): Unsynced;
}

/** Opens the journal's own connection in `dataDir` (the store's file must exist). */
export function startProcessDurableWriter(dataDir: string, o: { autoCheckpoint?: boolean } = {}): ProcessDurableWriter {
  const journal = openNormalJournal(dataDir, o);
  let committed = 0;
  let synced = 0;
  /** performance.now() of the first commit the fsync in flight covers, and of the first after it started. */
  let inFlightSince: number | null = null;
  let pendingSince: number | null = null;
  let syncing = false;
  let failure: Error | null = null;
  let closed = false;
  let drained: (() => void) | null = null;

  const syncNext = (): void => {
    if (syncing || failure !== null) return;
    if (committed === synced) {
      drained?.();
      return;
    }
    syncing = true;
    const target = committed;
    inFlightSince = pendingSince;
    pendingSince = null;
    journal.syncWal((err) => {
      syncing = false;
      inFlightSince = null;
      if (err !== null) {
        failure = err;
        process.stderr.write(`fengkong serve: ${err.message}; the journal stops (answers already sent survive a process crash, not a power loss)\n`);
        drained?.();
        return;
      }
      synced = target;
      syncNext();
    });
  };

  return {
    write(batch: readonly JournalEntry[]): Promise<void> {
      if (failure !== null) return Promise.reject(failure);
      if (closed) return Promise.reject(new StoreError('journal writer is closed'));
      try {
        journal.store.append(batch);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        return Promise.reject(failure);
      }
      committed += batch.length;
      pendingSince ??= performance.now();
      syncNext();
      return Promise.resolve();
    },
    unsynced(now = performance.now()): Unsynced {
      const oldest = inFlightSince ?? pendingSince;
      return { entries: committed - synced, ms: oldest === null ? 0 : now - oldest };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (syncing || (committed !== synced && failure === null)) {
        await new Promise<void>((r) => {
          drained = r;
          syncNext();
        });
      }
      journal.close();
    },
  };
}
