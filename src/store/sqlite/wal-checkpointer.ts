/**
 * Copies the write-ahead log back into the database file off the event loop.
 *
 * SQLite checkpoints the WAL inside the commit that makes it pass 1,000 pages: that commit then
 * copies ~4 MB into the database and fsyncs it, on whichever thread committed — for the server,
 * the event loop, so every couple of seconds under load one batch of answers waited 5–100 ms
 * (measured: docs/server.md, "The answer path's tail"). The server's connections therefore run
 * with `wal_autocheckpoint = 0` and this thread checkpoints instead, PASSIVE (it neither waits for
 * nor blocks a commit). If it falls behind, the WAL grows — the journal is still complete and
 * durable, only longer to read; `fengkong_wal_bytes` shows it, and a connection's close checkpoints
 * whatever is left.
 */
import { Worker } from 'node:worker_threads';
import { StoreError } from '../../errors.js';

/** How often the thread looks at the WAL (and checkpoints it when it changed). */
export const WAL_POLL_MS = 200;
/**
 * WAL frames (4 KiB pages) past which the WAL is restarted from its start: SQLite's own
 * autocheckpoint mark. The thread's copies never let the WAL restart by themselves while commits
 * go on (SQLite restarts it only when a writer finds every frame copied, and new frames always
 * arrive while the thread copies), so once the thread has caught up with this many frames the
 * journal's side finishes: a checkpoint on its own connection copies only what came in meanwhile
 * (a few pages and one fsync of the database file, well under a millisecond) and the next commit
 * starts the WAL over.
 */
export const WAL_RESTART_FRAMES = 1_000;

/** Main thread → checkpoint thread. */
export type WalCheckpointRequest = { kind: 'close' };

/** Checkpoint thread → main thread. */
export type WalCheckpointReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'checkpointed'; pages: number; log: number; left: number; ms: number; walBytes: number }
  | { kind: 'error'; message: string }
  | { kind: 'closed' };

/** What /metrics shows of the checkpoints. */
export interface WalCheckpointStats {
  readonly checkpoints: number;
  readonly pages: number;
  readonly seconds: number;
  /** The WAL file's size at the last checkpoint (a high-water mark: SQLite reuses the file from its start). */
  readonly walBytes: number;
  /** Checkpoints finished on the writer's side, after which the WAL starts over. */
  readonly restarts: number;
}

/** The running checkpointer. */
export interface WalCheckpointer {
  stats(): WalCheckpointStats;
  /** Checkpoints what is left and stops the thread. */
  close(): Promise<void>;
}

/**
 * Starts the thread on the SQLite file `file` (which must exist); resolves once its connection is
 * open. `finish` runs a checkpoint on a writer's connection (see WAL_RESTART_FRAMES); it is called
 * on this thread, from a setImmediate, after a copy of the thread caught up with the WAL.
 */
export async function startWalCheckpointer(file: string, o: { pollMs?: number; restartFrames?: number; finish?: () => void } = {}): Promise<WalCheckpointer> {
  const worker = new Worker(new URL('./wal-checkpoint-thread.js', import.meta.url), {
    workerData: { file, pollMs: o.pollMs ?? WAL_POLL_MS },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: WalCheckpointReply) => {
      worker.off('error', reject);
      if (m.kind === 'ready') resolve();
      else reject(new StoreError(`the WAL checkpointer could not open ${file}: ${m.kind === 'failed' ? m.message : m.kind}`));
    });
  });
  let closing: Promise<void> | null = null;
  let checkpoints = 0;
  let pages = 0;
  let seconds = 0;
  let walBytes = 0;
  let restarts = 0;
  let closed: (() => void) | null = null;
  const restartFrames = o.restartFrames ?? WAL_RESTART_FRAMES;
  const finish = (): void => {
    if (closing !== null) return;
    try {
      o.finish?.();
      restarts++;
    } catch (e) {
      process.stderr.write(`fengkong serve: finishing a WAL checkpoint failed (the WAL grows until one succeeds): ${(e as Error).message}\n`);
    }
  };
  worker.on('message', (m: WalCheckpointReply) => {
    if (m.kind === 'checkpointed') {
      checkpoints++;
      pages += m.pages;
      seconds += m.ms / 1000;
      walBytes = m.walBytes;
      if (o.finish !== undefined && m.left === 0 && m.log >= restartFrames) setImmediate(finish);
    } else if (m.kind === 'error') {
      process.stderr.write(`fengkong serve: a WAL checkpoint failed (the journal is intact; the WAL grows until one succeeds): ${m.message}\n`);
    } else if (m.kind === 'closed') closed?.();
  });
  worker.on('error', (e) => process.stderr.write(`fengkong serve: the WAL checkpointer stopped: ${e.message}\n`));
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  return {
    stats: () => ({ checkpoints, pages, seconds, walBytes, restarts }),
    close() {
      closing ??= (async () => {
        const done = new Promise<void>((r) => (closed = r));
        worker.postMessage({ kind: 'close' } satisfies WalCheckpointRequest);
        await Promise.race([done, exited]);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
