/**
 * The checkpointer: a child process (checkpointer-process.ts) that keeps a replica of the server's
 * engine by tailing the journal through its own read-only connection and writes a snapshot every
 * `everyEntries` entries or `everyMs` milliseconds, so a restart replays only what came after it.
 * Serialising a million accounts takes about a second; in the child that second never blocks a
 * live answer (the price: a second copy of the feature state in memory, and the CPU of applying
 * each event twice, ~15 µs — on cores the server leaves idle: the child runs at the idle scheduling
 * class, garbage collector included). See docs/snapshots.md.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, StoreError } from '../errors.js';
import { encryptionSettings, type EncryptionSettings } from '../store/sqlite/crypt.js';

/** When and where the checkpointer writes. */
export interface CheckpointOptions {
  /** Write a snapshot once this many journal entries came after the last one. Default 200,000 (~3 s of replay). */
  readonly everyEntries?: number;
  /** …or once this long passed since the last one, if any entry came after it. Default 10 minutes. */
  readonly everyMs?: number;
  /** How often the child looks for new journal entries and a changed live policy. Default 1 s. */
  readonly pollMs?: number;
  /**
   * The share of one core the replica may take while it catches up with the journal (0 < share ≤ 1):
   * after each slice of work it rests so long that work ÷ (work + rest) stays at this share. Default
   * 0.25 — a steady 2,000 payments/s needs ~0.12 here, so only a burst's backlog is spread out. The
   * idle scheduling class alone did not keep the replica from slowing answers: on the project's VM an
   * idle-class busy loop doubled even bare Fastify's p99 at 2,000 requests/s, and the replica ran a
   * whole core for seconds after every burst (docs/server.md, "Seventh pass"). It takes all it can
   * when a snapshot is asked for, or when it lags by more than twice `everyEntries` (a restart's replay
   * must stay bounded).
   */
  readonly share?: number;
  /** Snapshots kept (the newest ones; older ones are deleted after each write). Default 2. */
  readonly keep?: number;
  /**
   * false: a start still restores from the newest usable snapshot, but no checkpointer runs (no
   * thread, no new snapshots; `fengkong snapshot` can write one offline). Default true.
   */
  readonly write?: boolean;
}

/** The defaults of CheckpointOptions. */
export const CHECKPOINT_DEFAULTS: Required<CheckpointOptions> = {
  everyEntries: 200_000,
  everyMs: 10 * 60_000,
  pollMs: 1_000,
  share: 0.25,
  keep: 2,
  write: true,
};

/** A snapshot the checkpointer wrote. */
export interface CheckpointWritten {
  readonly file: string;
  readonly seq: number;
  readonly bytes: number;
  readonly encodeMs: number;
  readonly writeMs: number;
}

/** Server → checkpointer. */
export type CheckpointRequest = { kind: 'snapshot'; id: number; minSeq: number } | { kind: 'close' };

/** Checkpointer → server. */
export type CheckpointReply =
  | { kind: 'ready' }
  | { kind: 'log'; message: string }
  | { kind: 'written'; snapshot: CheckpointWritten | null; id: number | null }
  | { kind: 'error'; message: string; id: number | null }
  | { kind: 'closed' };

/**
 * How long the replica rests after `workMs` of catching up, so that it takes `share` of a core: none
 * while a snapshot is waited for (`asked`) or when it lags `lag` entries, more than twice
 * `everyEntries` — then bounding a restart's replay matters more than the answers' spare core.
 */
export function restAfter(workMs: number, o: { share: number; everyEntries: number }, lag: number, asked: boolean): number {
  if (asked || o.share >= 1 || lag > 2 * o.everyEntries) return 0;
  return Math.ceil((workMs * (1 - o.share)) / o.share);
}

/** What the child is started with (as JSON, its one argument). */
export interface CheckpointStart {
  readonly dataDir: string;
  readonly options: Required<CheckpointOptions>;
  /** How the folder is sealed (master key file), as the starting thread set it. */
  readonly encryption: EncryptionSettings;
}

/** A running checkpointer. */
export interface Checkpointer {
  /** The checkpointer's process id (for status and for checking how it is scheduled). */
  readonly pid: number | undefined;
  /** The snapshots written since start, oldest first. */
  readonly written: readonly CheckpointWritten[];
  /**
   * Writes a snapshot as soon as the replica has applied at least `minSeq` (default: the journal's
   * end as the child sees it); resolves with it, or with null when the newest snapshot already
   * covers that seq.
   */
  snapshotNow(minSeq?: number): Promise<CheckpointWritten | null>;
  /** Stops the child (a snapshot being written is abandoned; its temp file never counts). */
  close(): Promise<void>;
}

interface Waiter {
  resolve(w: CheckpointWritten | null): void;
  reject(e: Error): void;
}

/**
 * Starts the checkpointer on `dataDir` (whose store must exist with a live policy: start it after
 * the server's boot). `log` receives one line per snapshot written and per problem.
 */
export async function startCheckpointer(
  dataDir: string,
  options: CheckpointOptions = {},
  log: (line: string) => void = () => {},
): Promise<Checkpointer> {
  const share = options.share ?? CHECKPOINT_DEFAULTS.share;
  if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
    throw new ConfigError(`checkpointer option share: expected a share of one core above 0 and at most 1, got ${typeof share === 'number' ? String(share) : JSON.stringify(share)}`);
  }
  const data: CheckpointStart = { dataDir, options: { ...CHECKPOINT_DEFAULTS, ...options }, encryption: encryptionSettings(dataDir) };
  const child = fork(fileURLToPath(new URL('./checkpointer-process.js', import.meta.url)), [JSON.stringify(data)], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // the server's heap sizes (its state is the replica's too), none of its other flags (a profiler, a test runner's)
    execArgv: process.execArgv.filter((a) => /^--max-(old|semi)-space-size/.test(a)),
  });
  const written: CheckpointWritten[] = [];
  const waiters = new Map<number, Waiter>();
  let nextId = 1;
  let exited = false;
  let closed: (() => void) | null = null;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => reject(new StoreError(`checkpointer did not start: ${e.message}`, { cause: e }));
    const exited = (code: number | null): void => fail(new Error(`it exited (${code}) before it was ready`));
    child.once('error', fail);
    child.once('exit', exited);
    child.once('message', (m: CheckpointReply) => {
      child.off('error', fail);
      child.off('exit', exited);
      if (m.kind === 'ready') {
        // from now on the checkpointer never keeps the server's process alive by itself
        child.unref();
        child.channel?.unref();
        resolve();
      } else {
        child.disconnect();
        fail(new Error(m.kind === 'error' ? m.message : m.kind));
      }
    });
  });
  const settle = (id: number | null, fn: (w: Waiter) => void): void => {
    const w = id === null ? undefined : waiters.get(id);
    if (w === undefined) return;
    waiters.delete(id!);
    fn(w);
  };
  child.on('message', (m: CheckpointReply) => {
    if (m.kind === 'log') log(m.message);
    else if (m.kind === 'written') {
      if (m.snapshot !== null) written.push(m.snapshot);
      settle(m.id, (w) => w.resolve(m.snapshot));
    } else if (m.kind === 'error') {
      if (m.id === null) log(`checkpointer: ${m.message}`);
      settle(m.id, (w) => w.reject(new StoreError(m.message)));
    } else if (m.kind === 'closed') {
      if (child.connected) child.disconnect();
      closed?.();
    }
  });
  child.on('error', (e) => log(`checkpointer stopped: ${e.message}`));
  child.on('exit', () => {
    exited = true;
    for (const w of waiters.values()) w.reject(new StoreError('checkpointer stopped'));
    waiters.clear();
    closed?.();
  });
  return {
    pid: child.pid,
    written,
    snapshotNow(minSeq = 0) {
      if (exited) return Promise.reject(new StoreError('checkpointer stopped'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        child.send({ kind: 'snapshot', id, minSeq } satisfies CheckpointRequest);
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      const done = new Promise<void>((r) => (closed = r));
      child.send({ kind: 'close' } satisfies CheckpointRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 1_000);
      await done;
      await gone;
      clearTimeout(timer);
    },
  };
}
