/**
 * The journal's own connection with `synchronous = NORMAL` and its WAL file fsynced on libuv's
 * pool: what both writers that take the fsync out of the commit share — `walsync`, which answers
 * after that fsync (wal-sync-writer.ts), and `--durability process`, which answers before it
 * (process-durable-writer.ts). A commit then only writes WAL frames; the sync is asked for apart.
 */
import { closeSync, fsync, openSync } from 'node:fs';
import { StoreError } from '../../errors.js';
import { SqliteStore } from './sqlite-store.js';

/** The connection and its WAL's sync. */
export interface NormalJournal {
  readonly store: SqliteStore;
  /** fsyncs the WAL on libuv's pool; `cb` gets a StoreError naming what failed, or null. */
  syncWal(cb: (err: StoreError | null) => void): void;
  /** Closes the WAL's descriptor and the connection. */
  close(): void;
}

/** Opens the journal's own connection in `dataDir` (the store's file must exist); `autoCheckpoint` as SqliteStore's. */
export function openNormalJournal(dataDir: string, o: { autoCheckpoint?: boolean }): NormalJournal {
  const store = new SqliteStore(dataDir, { autoCheckpoint: o.autoCheckpoint });
  store.database.pragma('synchronous = NORMAL');
  const walFile = `${store.file}-wal`;
  let fd = -1;
  return {
    store,
    syncWal(cb) {
      try {
        if (fd < 0) fd = openSync(walFile, 'r');
      } catch (e) {
        cb(new StoreError(`cannot open the journal's WAL for fsync: ${(e as Error).message}`, { cause: e }));
        return;
      }
      fsync(fd, (err) => cb(err === null ? null : new StoreError(`journal fsync failed: ${err.message}`, { cause: err })));
    },
    close() {
      if (fd >= 0) closeSync(fd);
      fd = -1;
      store.close();
    },
  };
}
