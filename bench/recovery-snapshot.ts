/**
 * Engine snapshots, measured on a copy of a large journal (default: the cached 1.3M-entry journal of
 * a 40,000-account, 30-day simulated world).
 *
 * 1. Time to ready: `fengkong serve` started on the copy with snapshots off (the whole journal is
 *    replayed) against a start from a snapshot covering all but the last `--tail` entries, each in a
 *    fresh child process, side by side; prints both and the ratio.
 * 2. The checkpointer's cost to live answers: the same server (journal cut at the snapshot's seq, so
 *    the state is at its largest) under a fixed `--rate` of realistic payments, with the checkpointer
 *    on (a snapshot every `--every` entries) and off, alternating, `--rounds` times; prints p50/p99/max.
 *
 * usage: node dist/bench/recovery-snapshot.js [--journal FILE] [--tail 10000] [--starts 2]
 *        [--rate 2000] [--duration 20] [--rounds 2] [--every 10000] [--warmup 8] [--load-only]
 * (--load-only: one start of each kind, then part 2.)
 * Works in a fresh /tmp/snap-bench-* folder, removed at the end; the source journal is only copied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { Engine } from '../src/engine/engine.js';
import { snapshotsDir, writeEngineSnapshot } from '../src/engine/snapshot/engine-snapshot.js';
import { compileLive, liveKey } from '../src/policy/live-runnable.js';
import { markOf } from '../src/log/restore.js';
import { generateKey, hashKey } from '../src/server/auth.js';
import { replayEntry } from '../src/log/recovery.js';
import { startServer } from '../src/server/server.js';
import type { JournalEntry } from '../src/log/journal.js';
import { SqlitePolicyStore } from '../src/store/sqlite/policies.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { registerReference, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/recovery-snapshot.js [--journal FILE] [--tail 10000] [--starts 2]');

const SELF = fileURLToPath(import.meta.url);

/** Child mode: one server on `--serve DIR`; prints its start time and recovery, then its URL. */
async function serve(dir: string): Promise<void> {
  const mode = flag('mode') ?? 'on';
  const started = performance.now();
  const s = await startServer({
    dataDir: dir,
    port: 0,
    journal: 'inline',
    snapshots: mode === 'replay' ? false : { write: mode === 'on', everyEntries: Number(flag('every') ?? '10000'), everyMs: 1e9 },
  });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, recovery: s.recovery })}\nlistening on ${s.url}\n`);
  process.once('SIGTERM', () => void s.close().then(() => process.exit(0)));
}

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly wallMs: number;
  readonly ready: { ms: number; recovery: { events: number; ms: number; snapshot?: { seq: number; ms: number } | null } };
  stderr(): string;
}

function startChild(dir: string, mode: 'replay' | 'restore' | 'on' | 'off'): Promise<Child> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [SELF, '--serve', dir, '--mode', mode === 'restore' ? 'off' : mode, '--every', flag('every') ?? '10000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ proc, url: m[1], wallMs: performance.now() - t0, ready: JSON.parse(out.split('\n')[0]), stderr: () => err });
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

async function stopChild(c: Child): Promise<void> {
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.kill('SIGTERM');
  await exited;
}

function createKey(dir: string): string {
  const store = new SqliteStore(dir);
  try {
    const key = generateKey();
    store.createKey(hashKey(key), 'admin');
    return key;
  } finally {
    store.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Writes the snapshot of entries 1 … seq of `dir`'s journal under its live policy (what the
 * checkpointer would have written then); returns its file, size and times.
 */
function snapshotAt(dir: string, seq: number): { file: string; mb: number; replayMs: number; encodeMs: number; writeMs: number } {
  const store = new SqliteStore(dir, { readonly: true });
  try {
    const policies = new SqlitePolicyStore(store.database);
    const live = compileLive(policies, liveKey(policies)!);
    const engine = new Engine(live.policy, { model: live.model ?? undefined });
    const t0 = performance.now();
    let last: JournalEntry | null = null;
    store.forEachEventInRange({ toSeq: seq }, (e) => {
      replayEntry(engine, e, last?.seq ?? 0);
      last = e;
    });
    const replayMs = performance.now() - t0;
    const w = writeEngineSnapshot(engine, snapshotsDir(dir), { seq, policy: live.meta, writer: 'bench', mark: markOf(last!) });
    return { file: w.file, mb: w.header.bodyBytes / 1048576, replayMs, encodeMs: w.encodeMs, writeMs: w.writeMs };
  } finally {
    store.close();
  }
}

let counter = 0;

/** A fixed-rate run; latencies (ms) of the 200 answers, sorted. */
async function load(c: Child, key: string, rate: number, duration: number): Promise<number[]> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url: c.url,
        connections: 10,
        pipelining: 1,
        duration,
        overallRate: rate,
        requests: [
          {
            method: 'POST',
            path: '/v1/decisions',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            setupRequest: (req) => ({ ...req, body: transactionText('snap', counter++) }),
          },
        ],
      },
      (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status === 200) latencies.push(ms);
    });
  });
  if (result.non2xx > 0 || result.errors > 0) process.stderr.write(`  ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const source = flag('journal') ?? '/tmp/bt-bench/journal-s7-a40000-d30/fengkong.db';
  if (!existsSync(source)) {
    process.stderr.write(`recovery-snapshot: no journal at ${source}; run node dist/bench/backtest-1m.js once (it builds that cache) or pass --journal FILE\n`);
    process.exit(2);
  }
  const tail = Number(flag('tail') ?? '10000');
  const starts = Number(flag('starts') ?? '2');
  const rate = Number(flag('rate') ?? '2000');
  const duration = Number(flag('duration') ?? '20');
  const rounds = Number(flag('rounds') ?? '2');
  const warmup = Number(flag('warmup') ?? '8');
  const loadOnly = process.argv.includes('--load-only');
  const work = mkdtempSync('/tmp/snap-bench-');
  try {
    // 1. time to ready
    const a = join(work, 'start');
    mkdirSync(a);
    copyFileSync(source, join(a, 'fengkong.db'));
    createKey(a);
    const full: Child[] = [];
    for (let i = 0; i < (loadOnly ? 1 : starts); i++) {
      const c = await startChild(a, 'replay');
      full.push(c);
      await stopChild(c);
    }
    const lastSeq = full[0].ready.recovery.events;
    const seq = lastSeq - tail;
    const snap = snapshotAt(a, seq);
    const fromSnap: Child[] = [];
    for (let i = 0; i < (loadOnly ? 1 : starts + 1); i++) {
      const c = await startChild(a, 'restore');
      fromSnap.push(c);
      await stopChild(c);
    }
    const f = median(full.map((c) => c.wallMs));
    const s = median(fromSnap.map((c) => c.wallMs));
    const r = fromSnap[0].ready.recovery;
    console.log(`recovery-snapshot: journal of ${lastSeq.toLocaleString('en')} entries (${source})`);
    console.log(
      `  snapshot of seq ${seq.toLocaleString('en')}: ${snap.mb.toFixed(1)} MB, encoded in ${snap.encodeMs.toFixed(0)} ms, ` +
        `written (fsync, rename) in ${snap.writeMs.toFixed(0)} ms`,
    );
    console.log(`  start, whole journal replayed:  ${(f / 1000).toFixed(2)} s to listening (runs: ${full.map((c) => (c.wallMs / 1000).toFixed(2)).join(', ')} s; recovery ${(full[0].ready.recovery.ms / 1000).toFixed(2)} s)`);
    console.log(
      `  start, from the snapshot:       ${(s / 1000).toFixed(2)} s to listening (runs: ${fromSnap.map((c) => (c.wallMs / 1000).toFixed(2)).join(', ')} s; ` +
        `snapshot + seen ids ${r.snapshot?.ms.toFixed(0)} ms, ${r.events} journal entries replayed, recovery ${(r.ms / 1000).toFixed(2)} s)`,
    );
    console.log(`  ratio: ${(f / s).toFixed(1)}× faster to ready`);

    // 2. the checkpointer under load: journal cut at the snapshot (state at its largest), snapshot copied in
    const b = join(work, 'load');
    mkdirSync(snapshotsDir(b), { recursive: true });
    copyFileSync(join(a, 'fengkong.db'), join(b, 'fengkong.db'));
    copyFileSync(snap.file, join(snapshotsDir(b), basename(snap.file)));
    rmSync(a, { recursive: true, force: true });
    const db = new BetterSqlite3(join(b, 'fengkong.db'));
    db.prepare('DELETE FROM journal WHERE seq > ?').run(seq);
    db.close();
    const key = createKey(b);
    const first = await startChild(b, 'restore');
    await registerReference(first.url, key);
    await stopChild(first);
    const lat: Record<'on' | 'off', number[][]> = { on: [], off: [] };
    const written: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const c = await startChild(b, mode);
        await new Promise((res) => setTimeout(res, warmup * 1000));
        await load(c, key, rate, 5); // JIT and caches warm, not measured
        const before = (c.stderr().match(/: snapshot /g) ?? []).length;
        lat[mode].push(await load(c, key, rate, duration));
        if (mode === 'on') written.push((c.stderr().match(/: snapshot /g) ?? []).length - before);
        await stopChild(c);
        process.stderr.write(`  round ${round + 1} ${mode}: p99 ${quantile(lat[mode][lat[mode].length - 1], 0.99).toFixed(2)} ms\n`);
      }
    }
    console.log(`  decisions at ${rate} req/s, 10 connections, ${rounds} × ${duration} s per mode (alternating), state of ${seq.toLocaleString('en')} entries:`);
    for (const mode of ['off', 'on'] as const) {
      const all = lat[mode].flat().sort((x, y) => x - y);
      const per = lat[mode].map((l) => quantile(l, 0.99).toFixed(2)).join(', ');
      const extra = mode === 'on' ? ` — ${written.join(' + ')} snapshots written during the runs (every ${flag('every') ?? '10000'} entries)` : '';
      console.log(
        `    checkpointer ${mode.padEnd(3)}: p50 ${quantile(all, 0.5).toFixed(2)} ms, p99 ${quantile(all, 0.99).toFixed(2)} ms (runs: ${per}), ` +
          `max ${all[all.length - 1].toFixed(1)} ms, ${all.length} answers${extra}`,
      );
    }
    const p99on = quantile(lat.on.flat().sort((x, y) => x - y), 0.99);
    const p99off = quantile(lat.off.flat().sort((x, y) => x - y), 0.99);
    console.log(`  p99 with / without the checkpointer: ${(p99on / p99off).toFixed(2)}×`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const dir = flag('serve');
if (dir !== undefined) await serve(dir);
else await main();
