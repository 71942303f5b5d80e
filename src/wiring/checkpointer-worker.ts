/**
 * Worker-thread entry of the checkpointer (checkpointer.ts holds the messages and the options).
 * Owns a read-only connection to the data folder's store and a Replica; applies new journal
 * entries in slices of a few tens of milliseconds (so a close request is seen promptly), and when
 * a snapshot is due or asked for and the replica has caught up with the journal, checks the live
 * policy and the actions (rebuilding the replica first when they changed) and writes it.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { SqlitePolicyStore } from '../store/sqlite/policies.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CheckpointReply, CheckpointRequest, CheckpointWorkerData, CheckpointWritten } from './checkpointer.js';
import { removeTempFiles, snapshotsDir, type WrittenSnapshot } from '../engine/snapshot/engine-snapshot.js';
import { GENTLE_WRITE } from '../engine/snapshot/format.js';
import { Replica } from './replica.js';
import { describeRestore } from '../log/restore.js';
import { setEncryption } from '../store/sqlite/crypt.js';

const port = parentPort;
if (port === null) throw new Error('checkpointer-worker.js must run as a worker thread');

const { dataDir, options, encryption } = workerData as CheckpointWorkerData;
setEncryption(dataDir, encryption);
/** Longest stretch of applying entries between two looks at the message queue. */
const SLICE_MS = 50;
/** Poll interval while a snapshot request waits. */
const REQUEST_POLL_MS = 5;

const send = (m: CheckpointReply): void => port.postMessage(m);
const log = (message: string): void => send({ kind: 'log', message });

/**
 * Runs this thread at the lowest CPU priority (nice 19) where the OS sets it per thread (Linux:
 * the thread's id from /proc/thread-self), so on a busy machine the checkpointer takes the cores
 * only when live decisions leave them idle. Elsewhere it runs at normal priority.
 */
function yieldTheCores(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // no per-thread priority here
  }
}

yieldTheCores();
let store: SqliteStore;
let replica: Replica;
try {
  store = new SqliteStore(dataDir, { readonly: true });
  const dir = snapshotsDir(dataDir);
  for (const f of removeTempFiles(dir)) log(`removed ${f}, left by a snapshot write that did not finish`);
  replica = new Replica(store, new SqlitePolicyStore(store.database), dir);
  send({ kind: 'ready' });
} catch (e) {
  send({ kind: 'error', message: (e as Error).message, id: null });
  throw e;
}

/** Snapshot requests waiting for the replica to reach `target`. */
const requests: { id: number; target: number }[] = [];
let built = false;
let closing = false;
let timer: NodeJS.Timeout | null = null;
/** Why the replica must be rebuilt before anything else (null: it need not). */
let rebuild: string | null = null;
/** Since when a due build waits for the journal to reach an action's position (see Replica.canBuild). */
let buildWaitSince: number | null = null;
/** How long it waits at most (entries lost in a crash never arrive; recovery applies such actions at the end too). */
const BUILD_WAIT_MS = 10_000;

function summary(w: WrittenSnapshot): CheckpointWritten {
  return { file: w.file, seq: w.header.seq, bytes: w.header.bodyBytes, encodeMs: w.encodeMs, writeMs: w.writeMs };
}

function write(id: number | null): void {
  const w = replica.writeSnapshot('checkpointer', options.keep, GENTLE_WRITE);
  if (w === null) {
    if (id !== null) send({ kind: 'written', snapshot: null, id });
    return;
  }
  const s = summary(w);
  log(`snapshot ${s.file} (journal seq ${s.seq}, ${(s.bytes / 1048576).toFixed(1)} MB, encoded in ${s.encodeMs.toFixed(0)} ms, written in ${s.writeMs.toFixed(0)} ms)`);
  send({ kind: 'written', snapshot: s, id });
}

function tick(): void {
  timer = null;
  if (closing) return;
  let delay = options.pollMs;
  try {
    const now = Date.now();
    // the live policy and the store's actions are checked before every write, not at each poll: a
    // rebuild replays the journal, and doing it the moment a policy is published would take the
    // spare core just while the server swaps (measured as a p99 spike in bench/policy-swap.ts)
    if (!built) rebuild ??= 'start';
    if (rebuild !== null && !build(now)) return;
    replica.catchUp(performance.now() + SLICE_MS);
    const caughtUp = store.lastSeq() <= replica.status().seq;
    const due = replica.behindSnapshot >= options.everyEntries || (replica.behindSnapshot > 0 && Date.now() - replica.snapshotAt >= options.everyMs);
    if (caughtUp && (due || requests.length > 0)) {
      // never write a state that missed a change since the last check: rebuild first, write next time
      rebuild = replica.stale();
      if (rebuild !== null) {
        schedule(0);
        return;
      }
      const seq = replica.status().seq;
      for (let i = 0; i < requests.length; ) {
        if (requests[i].target <= seq) write(requests.splice(i, 1)[0].id);
        else i++;
      }
      if (due && replica.behindSnapshot > 0) write(null);
    }
    delay = !caughtUp ? 0 : requests.length > 0 ? REQUEST_POLL_MS : options.pollMs;
  } catch (e) {
    const message = (e as Error).message;
    for (const r of requests.splice(0)) send({ kind: 'error', message, id: r.id });
    send({ kind: 'error', message, id: null });
    delay = Math.max(options.pollMs, 5_000);
  }
  schedule(delay);
}

/**
 * Rebuilds the replica for `rebuild`'s reason; false (and a retry scheduled) while an action's
 * journal position is not durable yet (see Replica.canBuild), for at most BUILD_WAIT_MS.
 */
function build(now: number): boolean {
  if (!replica.canBuild() && now - (buildWaitSince ??= now) < BUILD_WAIT_MS) {
    schedule(REQUEST_POLL_MS);
    return false;
  }
  const why = rebuild;
  const r = replica.build();
  built = true;
  rebuild = null;
  buildWaitSince = null;
  if (why !== 'start') log(`replica rebuilt (${why}) for policy ${replica.status().policy}: ${describeRestore(r)}`);
  return true;
}

function schedule(delay: number): void {
  if (closing || timer !== null) return;
  timer = delay === 0 ? (setImmediate(tick) as unknown as NodeJS.Timeout) : setTimeout(tick, delay);
}

port.on('message', (m: CheckpointRequest) => {
  if (m.kind === 'close') {
    closing = true;
    store.close();
    send({ kind: 'closed' });
    port.close();
    return;
  }
  requests.push({ id: m.id, target: Math.max(m.minSeq, store.lastSeq()) });
  if (timer !== null) {
    clearTimeout(timer);
    clearImmediate(timer as unknown as NodeJS.Immediate);
    timer = null;
  }
  schedule(0);
});

schedule(0);
