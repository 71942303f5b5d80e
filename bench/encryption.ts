/**
 * The cost of encryption at rest (docs/security.md), side by side in one process:
 *
 * (a) Recovery: one journal of `--events` decided payments is built with sealing off; a copy is
 *     opened with sealing on (which seals every row once: the migration's time is printed too). A
 *     server start replays each copy with snapshots off, `--starts` times alternating; prints the
 *     replay time of each and the ratio sealed / clear.
 * (b) Decisions over HTTP: a fresh server with sealing on and one with it off, alternating
 *     `--rounds` times, each taking `--requests` payments from autocannon (closed loop, 10
 *     connections, the same realistic traffic as the other server benches); prints throughput and
 *     p50/p99 of each and the ratio.
 *
 * usage: node dist/bench/encryption.js [--events 40000] [--starts 3] [--requests 20000] [--rounds 2] [--only a|b]
 * Works in /tmp/fk-enc-bench-* folders, removed at the end.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateKey, hashKey } from '../src/server/auth.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { setEncryption } from '../src/store/sqlite/crypt.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { referenceEvents, registerReference, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/encryption.js [--events 40000] [--starts 3] [--requests 20000] [--rounds 2] [--only a|b]');

const EVENTS = Number(flag('events') ?? '40000');
const STARTS = Number(flag('starts') ?? '3');
const REQUESTS = Number(flag('requests') ?? '20000');
const ROUNDS = Number(flag('rounds') ?? '2');

function newDir(): string {
  return mkdtempSync(join(tmpdir(), 'fk-enc-bench-'));
}

function createKey(dir: string, encryption: boolean): string {
  setEncryption(dir, { enabled: encryption });
  const key = generateKey();
  const store = new SqliteStore(dir);
  store.createKey(hashKey(key), 'admin');
  store.close();
  return key;
}

async function start(dir: string, encryption: boolean): Promise<RunningServer> {
  return startServer({ dataDir: dir, port: 0, encryption, snapshots: false });
}

/** `amount` payments of run `run` through 10 closed-loop connections; req/s and sorted latencies. */
async function load(url: string, key: string, run: string, amount: number): Promise<{ rps: number; lat: number[] }> {
  let n = 0;
  const lat: number[] = [];
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url,
        connections: 10,
        pipelining: 1,
        amount,
        requests: [
          {
            method: 'POST',
            path: '/v1/decisions',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            setupRequest: (req) => ({ ...req, body: transactionText(run, n++) }),
          },
        ],
      },
      (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status === 200) lat.push(ms);
    });
  });
  const secs = (performance.now() - started) / 1000;
  if (result.non2xx > 0 || result.errors > 0) process.stderr.write(`  ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  return { rps: lat.length / secs, lat: lat.sort((a, b) => a - b) };
}

async function recoveryPart(): Promise<number> {
  const clear = newDir();
  const sealed = newDir();
  try {
    const key = createKey(clear, false);
    const s = await start(clear, false);
    await registerReference(s.url, key);
    await load(s.url, key, 'rec', EVENTS);
    await s.close();
    cpSync(clear, sealed, { recursive: true });
    setEncryption(sealed, { enabled: true });
    const t0 = performance.now();
    new SqliteStore(sealed).close(); // seals every row once (the migration of an existing folder)
    console.log(`(a) journal of ${EVENTS.toLocaleString('en')} payments + ${referenceEvents().length.toLocaleString('en')} reference events; sealing it in place took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ms: Record<'clear' | 'sealed', number[]> = { clear: [], sealed: [] };
    for (let i = 0; i < STARTS; i++) {
      for (const mode of i % 2 === 0 ? (['clear', 'sealed'] as const) : (['sealed', 'clear'] as const)) {
        const r = await start(mode === 'clear' ? clear : sealed, mode === 'sealed');
        ms[mode].push(r.recovery.ms);
        await r.close();
      }
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const mode of ['clear', 'sealed'] as const) {
      console.log(`    replay ${mode.padEnd(6)}: median ${med(ms[mode]).toFixed(0)} ms (runs ${ms[mode].map((x) => x.toFixed(0)).join(', ')})`);
    }
    const ratio = med(ms.sealed) / med(ms.clear);
    console.log(`    recovery sealed / clear: ${ratio.toFixed(3)}×`);
    return ratio;
  } finally {
    rmSync(clear, { recursive: true, force: true });
    rmSync(sealed, { recursive: true, force: true });
  }
}

async function throughputPart(): Promise<number> {
  const res: Record<'clear' | 'sealed', { rps: number[]; lat: number[] }> = { clear: { rps: [], lat: [] }, sealed: { rps: [], lat: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (['clear', 'sealed'] as const) : (['sealed', 'clear'] as const)) {
      const dir = newDir();
      try {
        const key = createKey(dir, mode === 'sealed');
        const s = await start(dir, mode === 'sealed');
        await registerReference(s.url, key);
        await load(s.url, key, `warm${round}`, Math.min(2_000, REQUESTS)); // JIT warm, not measured
        const r = await load(s.url, key, `run${round}`, REQUESTS);
        res[mode].rps.push(r.rps);
        res[mode].lat.push(...r.lat);
        await s.close();
        process.stderr.write(`  round ${round + 1} ${mode}: ${r.rps.toFixed(0)} req/s\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(`(b) decisions over HTTP, ${REQUESTS.toLocaleString('en')} payments × ${ROUNDS} rounds per mode, 10 closed-loop connections:`);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const mode of ['clear', 'sealed'] as const) {
    const lat = res[mode].lat.sort((a, b) => a - b);
    console.log(`    ${mode.padEnd(6)}: ${mean(res[mode].rps).toFixed(0)} req/s, p50 ${quantile(lat, 0.5).toFixed(2)} ms, p99 ${quantile(lat, 0.99).toFixed(2)} ms`);
  }
  const ratio = mean(res.sealed.rps) / mean(res.clear.rps);
  console.log(`    throughput sealed / clear: ${ratio.toFixed(3)}×`);
  return ratio;
}

const only = flag('only');
const rec = only === 'b' ? NaN : await recoveryPart();
const thr = only === 'a' ? NaN : await throughputPart();
console.log(`encryption at rest: recovery ${((rec - 1) * 100).toFixed(1)} % slower, decision throughput ${((1 - thr) * 100).toFixed(1)} % lower (target: within 10 %)`);
