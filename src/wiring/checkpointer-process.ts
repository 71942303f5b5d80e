/**
 * Child-process entry of the checkpointer (checkpointer.ts holds the messages and the options).
 * Owns a read-only connection to the data folder's store and a Replica; applies new journal
 * entries in slices of a few tens of milliseconds (so a close request is seen promptly), and when
 * a snapshot is due or asked for and the replica has caught up with the journal, checks the live
 * policy and the actions (rebuilding the replica first when they changed) and writes it.
 *
 * A process of its own rather than a worker thread: its garbage collector's helper threads are its
 * own too, and all of them run at the idle scheduling class (see idleScheduling), so replaying every
 * event a second time takes only CPU the server leaves idle. As a worker thread at nice 19 it slowed
 * live answers measurably (docs/server.md, "Third pass"); and even idle, a core it keeps busy is
 * not free on a shared VM, so while it catches up it rests between slices to take at most
 * `options.share` of one (restAfter).
 */
import { execFileSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { SqlitePolicyStore } from '../store/sqlite/policies.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { restAfter, type CheckpointReply, type CheckpointRequest, type CheckpointStart, type CheckpointWritten } from './checkpointer.js';
import { removeTempFiles, snapshotsDir, type WrittenSnapshot } from '../engine/snapshot/engine-snapshot.js';
import { GENTLE_WRITE } from '../engine/snapshot/format.js';
import { Replica } from './replica.js';
import { describeRestore } from '../log/restore.js';
import { setEncryption } from '../store/sqlite/crypt.js';

if (process.send === undefined) throw new Error('checkpointer-process.js must run as a child process with an IPC channel (see checkpointer.ts)');

/** Longest stretch of applying entries between two looks at the message queue. */
const SLICE_MS = 50;
/** Poll interval while a snapshot request waits. */
const REQUEST_POLL_MS = 5;

const send = (m: CheckpointReply): void => {
  if (process.connected) process.send!(m);
};
const log = (message: string): void => send({ kind: 'log', message });

/**
 * Puts every thread of this process in Linux's idle scheduling class (SCHED_IDLE, through util-linux's
 * `chrt`): a thread of the server that wakes up takes the core at once, where a nice-19 thread on this
 * kernel's scheduler (EEVDF) may first finish its time slice — measured, a nice-19 busy loop beside the
 * server cut its full speed by 18 % and a SCHED_IDLE one by 4 %. Threads started later inherit the
 * class. Where that is not possible (no `chrt`, not Linux) the process runs at nice 19 instead.
 */
function idleScheduling(): void {
  try {
    execFileSync('chrt', ['--all-tasks', '--idle', '-p', '0', String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    try {
      setPriority(19);
    } catch {
      // no priority to give away here
    }
  }
}

idleScheduling();
// what to check-point, from the server (checkpointer.ts): the data folder, options and how it is sealed (a key file's path, no key)
const { dataDir, options, encryption } = JSON.parse(process.argv[2] ?? '{}') as CheckpointStart;
setEncryption(dataDir, encryption);
let store: SqliteStore;
let replica: Replica;
let opened = false;
try {
  store = new SqliteStore(dataDir, { readonly: true });
  const dir = snapshotsDir(dataDir);
  for (const f of removeTempFiles(dir)) log(`removed ${f}, left by a snapshot write that did not finish`);
  replica = new Replica(store, new SqlitePolicyStore(store.database), dir);
  opened = true;
  send({ kind: 'ready' });
} catch (e) {
  // the server reports it and disconnects; with nothing else to run this process then ends
  send({ kind: 'error', message: (e as Error).message, id: null });
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
    const began = performance.now();
    replica.catchUp(began + SLICE_MS);
    const worked = performance.now() - began;
    const lag = store.lastSeq() - replica.status().seq;
    const caughtUp = lag <= 0;
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
    delay = !caughtUp ? restAfter(worked, options, lag, requests.length > 0) : requests.length > 0 ? REQUEST_POLL_MS : options.pollMs;
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

/** Drops the pending tick, a timeout or an immediate (schedule makes either). */
function cancelTick(): void {
  if (timer === null) return;
  clearTimeout(timer);
  clearImmediate(timer as unknown as NodeJS.Immediate);
  timer = null;
}

/** Stops for good: the server asked, or it is gone (its channel closed: a crash or kill -9 of the server). */
function stop(): void {
  if (closing) return;
  closing = true;
  cancelTick();
  store.close();
  send({ kind: 'closed' }); // the server disconnects then, and with nothing left to run this process ends
}

process.on('disconnect', () => (opened ? stop() : undefined));
// the server ends this process (closing its channel): a Ctrl-C in a terminal, or a signal sent to the
// whole process group, reaches this process too and must not cut it off while the server still talks to it
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// a server gone while this process was still loading disconnected before anyone listened
if (opened && !process.connected) stop();
if (opened && !closing) process.on('message', (m: CheckpointRequest) => {
  if (m.kind === 'close') {
    stop();
    return;
  }
  requests.push({ id: m.id, target: Math.max(m.minSeq, store.lastSeq()) });
  cancelTick();
  schedule(0);
});

if (opened && !closing) schedule(0);
