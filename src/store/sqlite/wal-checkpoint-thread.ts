/**
 * Worker-thread entry of the WAL checkpointer (wal-checkpointer.ts): its own connection to the
 * data folder's file, looking at the WAL's size every POLL_MS and copying it back into the database
 * (`wal_checkpoint(PASSIVE)`: never waits for, nor blocks, the journal's commits) whenever it
 * changed: small, frequent copies (a fifth of a second of commits each) keep every one short. The copy and its fsyncs of the database file are the slow part of a checkpoint; here
 * they run beside the event loop instead of inside whichever commit crossed SQLite's
 * autocheckpoint mark. Runs at a low CPU priority, like the snapshot checkpointer.
 */
import { readlinkSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { WalCheckpointReply, WalCheckpointRequest } from './wal-checkpointer.js';

const port = parentPort;
if (port === null) throw new Error('wal-checkpoint-thread.js must run as a worker thread');
const { file, pollMs } = workerData as { file: string; pollMs: number };
const send = (m: WalCheckpointReply): void => port.postMessage(m);

try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // no per-thread priority here
}

let db: BetterSqlite3.Database | null = null;
try {
  db = new BetterSqlite3(file, { fileMustExist: true, timeout: 5000 });
  db.pragma('wal_autocheckpoint = 0');
  send({ kind: 'ready' });
} catch (e) {
  send({ kind: 'failed', message: (e as Error).message });
}

function walStat(): { size: number; mtimeMs: number } {
  try {
    return statSync(`${file}-wal`);
  } catch {
    return { size: 0, mtimeMs: 0 };
  }
}

/** The WAL's modification time at the last checkpoint: unchanged means nothing new to copy. */
let lastMtime = -1;
let failedOnce = false;

/** Checkpoints when the WAL changed since the last look, or when `force` (at close). */
function look(force: boolean): void {
  if (db === null) return;
  const st = walStat();
  if (!force && st.mtimeMs === lastMtime) return;
  const started = performance.now();
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    lastMtime = st.mtimeMs;
    send({ kind: 'checkpointed', pages: row.checkpointed, log: row.log, left: Math.max(0, row.log - row.checkpointed), ms: performance.now() - started, walBytes: st.size });
    failedOnce = false;
  } catch (e) {
    if (!failedOnce) send({ kind: 'error', message: (e as Error).message });
    failedOnce = true;
  }
}

const timer = setInterval(() => look(false), pollMs);

port.on('message', (m: WalCheckpointRequest) => {
  if (m.kind !== 'close') return;
  clearInterval(timer);
  look(true);
  db?.close();
  db = null;
  send({ kind: 'closed' });
  port.close();
});
