/**
 * The asynchronous case feed and detectors under live traffic: our server at a fixed 2,000
 * requests/s of realistic payments (bench/tx-traffic.ts) with a cash-out ring mixed in (one payment
 * in RING_EVERY is a ¥5,000 round sum by one of 24 accounts at one shop), once with the feed and
 * detectors on and once with them off (FENGKONG_DETECTORS=off), alternating rounds, same settings.
 * Reports, side by side, the answers' latency (p50, p99, max) and, with detectors on, how far the
 * feed lagged behind the journal (sampled every 100 ms), the delay from answer to processed (the
 * feed's own histogram), how soon the ring's case opened, and how many cases traffic opened.
 *
 * First, in process: the decision's own latency with the engine's merchant state (traffic profiles
 * and two actions in force) against the same engine with it stubbed out, interleaved payment by
 * payment — what a merchant action and the ratings cost on the hot path.
 *
 * usage: node dist/bench/detectors.js [--rate 2000] [--duration 15] [--rounds 2] [--connections 10] [--journal auto|inline|thread]
 * Targets: detectors keep up (lag stays bounded, every entry processed by the end of the run) and
 * add nothing measurable to the answers' p99 (on vs off within the run-to-run noise).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { parseEvent } from '../src/contract/parse.js';
import type { TransactionEvent } from '../src/contract/events.js';
import { Engine } from '../src/engine/engine.js';
import type { MerchantRisk } from '../src/engine/merchant-state.js';
import { loadPolicy, PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { referenceEvents, transactionText, WORLD } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/detectors.js [--rate 2000] [--duration 15] [--rounds 2] [--connections 10] [--journal auto|inline|thread]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
/** One request in this many is a ring payment. */
const RING_EVERY = 100;
/** The shop the ring cashes out at (a registered merchant of the traffic's world). */
const RING_SHOP = 7;
const RING_ACCOUNTS = 24;
/** The shop's registered terminal (its bound address: a ring pays at the shop, not elsewhere). */
const RING_TERMINAL = referenceEvents().find((e) => e.type === 'terminal' && e.terminalId === `T${RING_SHOP}`)!;

interface Server {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly key: string;
  readonly dir: string;
}

async function start(detectors: boolean, journal: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'case-bench-detectors-'));
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const env = { ...process.env, FENGKONG_DETECTORS: detectors ? 'on' : 'off' };
  const proc = spawn(process.execPath, [FENGKONG, 'serve', '--port', '0', '--data', dir, '--journal', journal], { stdio: ['ignore', 'pipe', 'pipe'], env });
  proc.stderr!.on('data', () => {}); // recovery notes; not part of the figures
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code} before listening`)));
  });
  const s = { url, proc, key, dir };
  const events = referenceEvents();
  for (let i = 0; i < events.length; i += 2_000) await api(s, 'POST', '/v1/events', events.slice(i, i + 2_000));
  return s;
}

async function stop(s: Server): Promise<void> {
  const exited = new Promise<void>((r) => s.proc.once('exit', () => r()));
  s.proc.kill('SIGTERM');
  await exited;
  rmSync(s.dir, { recursive: true, force: true });
}

async function api(s: Server, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${s.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** Request `n` of a run: with `ring`, a ring payment every RING_EVERY, else the traffic's own. */
function body(run: string, n: number, ring: boolean): string {
  if (!ring || n % RING_EVERY !== RING_EVERY - 1) return transactionText(run, n);
  const tx = JSON.parse(transactionText(run, n)) as Record<string, unknown>;
  const k = Math.floor(n / RING_EVERY) % RING_ACCOUNTS;
  const account = 10 * k + 9; // creditLimit 5,000,000 fen in the traffic's world
  return JSON.stringify({
    ...tx, accountId: `acc-${account}`, deviceId: `dev-${account}`, amount: 500_000,
    merchantId: `M${RING_SHOP}`, terminalId: `T${RING_SHOP}`, geo: RING_TERMINAL.geo, mcc: ['5411', '5812', '5814', '5732', '5311', '5541', '5999', '5944'][RING_SHOP % 8],
    acquirerId: `4802${String(RING_SHOP % WORLD.acquirers).padStart(4, '0')}`, merchantName: `商户${RING_SHOP}`,
  });
}

interface RoundResult {
  readonly answered: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  readonly feed?: {
    maxLagEntries: number; maxLagMs: number; p50: number; p99: number; max: number; processed: number; caseRequests: number;
    ringCaseAfterMs: number | null; cases: number; drained: boolean; usPerEntry: number; writeUsPerEntry: number; issues: Record<string, number>;
  };
}

let counter = 0;

async function round(s: Server, detectors: boolean, rate: number, duration: number, connections: number, ring = true): Promise<RoundResult> {
  const run = `r${counter++}`;
  let n = 0;
  const latencies: number[] = [];
  let maxLagEntries = 0;
  let maxLagMs = 0;
  let ringCaseAt: number | null = null;
  /** When the request that made the ring five accounts strong was sent. */
  let fifthSentAt: number | null = null;
  const sampler = detectors
    ? setInterval(() => {
        void api(s, 'GET', '/v1/detectors').then((d) => {
          maxLagEntries = Math.max(maxLagEntries, d.lagEntries);
          maxLagMs = Math.max(maxLagMs, d.lagMs);
        });
      }, 100)
    : null;
  let polling = false;
  const ringPoll =
    detectors && ring
      ? setInterval(() => {
          if (ringCaseAt !== null || fifthSentAt === null || polling) return;
          polling = true;
          void api(s, 'GET', `/v1/cases?subject=merchant:M${RING_SHOP}&issue=detector:cashout_ring&limit=1`).then((q) => {
            polling = false;
            if (ringCaseAt === null && q.cases.length > 0) ringCaseAt = performance.now() - fifthSentAt!;
          });
        }, 10)
      : null;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url: s.url,
        connections,
        pipelining: 1,
        duration,
        overallRate: rate,
        requests: [
          {
            method: 'POST',
            path: '/v1/decisions',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
            setupRequest: (req) => {
              if (n === 5 * RING_EVERY - 1) fifthSentAt = performance.now();
              return { ...req, body: body(run, n++, ring) };
            },
          },
        ],
      },
      (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status === 200) latencies.push(ms);
    });
  });
  if (sampler !== null) clearInterval(sampler);
  if (ringPoll !== null) clearInterval(ringPoll);
  latencies.sort((a, b) => a - b);
  const out = {
    answered: result['2xx'],
    rps: result['2xx'] / result.duration,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    errors: result.non2xx + result.errors,
  };
  if (!detectors) return out;
  // give the feed a moment to finish what was answered last, then read its own figures
  let d = await api(s, 'GET', '/v1/detectors');
  for (let i = 0; i < 50 && (d.lagEntries > 0 || d.pendingCases > 0); i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await api(s, 'GET', '/v1/detectors');
  }
  const all = (await api(s, 'GET', '/v1/cases?status=all&limit=500')).cases as { issue: string }[];
  const issues: Record<string, number> = {};
  for (const c of all) issues[c.issue] = (issues[c.issue] ?? 0) + 1;
  const cases = all.length;
  return {
    ...out,
    feed: {
      maxLagEntries, maxLagMs, p50: d.delayMs.p50, p99: d.delayMs.p99, max: d.delayMs.max, processed: d.processed,
      caseRequests: d.caseRequests, ringCaseAfterMs: ringCaseAt, cases, drained: d.lagEntries === 0 && d.pendingCases === 0,
      usPerEntry: (1000 * d.busyMs) / Math.max(1, d.processed),
      writeUsPerEntry: (1000 * d.writeMs) / Math.max(1, d.processed),
      issues,
    },
  };
}

/** Per-decision latency in process, with and without the merchant state, interleaved (µs). */
function engineSideBySide(n: number): void {
  const policy = loadPolicy();
  const txs = Array.from({ length: n }, (_, i) => parseEvent(JSON.parse(transactionText('e', i))) as TransactionEvent);
  const make = (merchantState: boolean): Engine => {
    const e = new Engine(policy);
    for (const r of referenceEvents()) e.apply(parseEvent(r));
    if (merchantState) {
      e.applyInput({ kind: 'suspend_terminal', terminalId: 'T1999', control: { id: 1, expiresAt: Infinity } });
      e.applyInput({ kind: 'hold_settlement', merchantId: 'M1998', control: { id: 2, expiresAt: Infinity } });
    } else {
      // the floor: no profiles, no controls (the engine's private merchant state, switched off for this bench only)
      (e as unknown as { risk: MerchantRisk }).risk.observe = () => {};
    }
    return e;
  };
  const engines = [make(false), make(true)];
  const lat = [new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0]; // neither always decides first (colder caches)
    for (const k of order) {
      const t0 = performance.now();
      engines[k].decide(txs[i]);
      lat[k][i] = (performance.now() - t0) * 1000;
    }
  }
  const line = (k: number): string => {
    const a = [...lat[k].subarray(Math.floor(n / 10))].sort((x, y) => x - y);
    return `p50 ${quantile(a, 0.5).toFixed(1)} µs, p99 ${quantile(a, 0.99).toFixed(1)} µs, mean ${(a.reduce((x, y) => x + y, 0) / a.length).toFixed(2)} µs`;
  };
  console.log(`decision in process, ${n} payments interleaved: without merchant state ${line(0)}; with ratings and 2 actions in force ${line(1)}`);
}

const rate = Number(flag('rate') ?? '2000');
const duration = Number(flag('duration') ?? '15');
const rounds = Number(flag('rounds') ?? '2');
const connections = Number(flag('connections') ?? '10');
const journal = flag('journal') ?? 'auto';

engineSideBySide(Number(flag('engine-payments') ?? '100000'));

const on: RoundResult[] = [];
const off: RoundResult[] = [];
for (let r = 0; r < rounds; r++) {
  // alternate which goes first; each round a fresh server and data folder
  for (const detectors of r % 2 === 0 ? [false, true] : [true, false]) {
    const s = await start(detectors, journal);
    try {
      await round(s, detectors, rate, 3, connections, false); // warm-up, without the ring
      const res = await round(s, detectors, rate, duration, connections);
      (detectors ? on : off).push(res);
      const f = res.feed;
      process.stderr.write(
        `round ${r + 1} detectors ${detectors ? 'on ' : 'off'}: ${Math.round(res.rps)} req/s, p50 ${res.p50.toFixed(2)} ms, p99 ${res.p99.toFixed(2)} ms, max ${res.max.toFixed(1)} ms` +
          (f === undefined ? '' : `; feed lag max ${f.maxLagEntries} entries / ${f.maxLagMs.toFixed(1)} ms, delay p99 ≤ ${f.p99} ms (max ${f.max} ms), ring case ${f.ringCaseAfterMs === null ? 'never' : `${Math.round(f.ringCaseAfterMs)} ms after its fifth account`}, ${f.cases} cases`) +
          (res.errors > 0 ? `, ${res.errors} errors` : '') + '\n',
      );
    } finally {
      await stop(s);
    }
  }
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const col = (rs: RoundResult[], f: (r: RoundResult) => number, d = 2): string => `${med(rs.map(f)).toFixed(d)} (${rs.map((r) => f(r).toFixed(d)).join(', ')})`;
console.log(`detectors: ${rate} req/s fixed rate, ${connections} connections, ${rounds} × ${duration} s per mode, journal ${journal}; ring payment every ${RING_EVERY}`);
console.log(`  answers, detectors off: ${col(off, (r) => r.rps, 0)} req/s; p50 ${col(off, (r) => r.p50)} ms; p99 ${col(off, (r) => r.p99)} ms; max ${col(off, (r) => r.max, 1)} ms`);
console.log(`  answers, detectors on:  ${col(on, (r) => r.rps, 0)} req/s; p50 ${col(on, (r) => r.p50)} ms; p99 ${col(on, (r) => r.p99)} ms; max ${col(on, (r) => r.max, 1)} ms`);
const fs = on.map((r) => r.feed!);
console.log(
  `  feed (on): lag max ${fs.map((f) => f.maxLagEntries).join(', ')} entries / ${fs.map((f) => f.maxLagMs.toFixed(1)).join(', ')} ms; ` +
    `answer→processed p50 ≤ ${fs.map((f) => f.p50).join(', ')} ms, p99 ≤ ${fs.map((f) => f.p99).join(', ')} ms, max ${fs.map((f) => f.max).join(', ')} ms; ` +
    `processed ${fs.map((f) => f.processed).join(', ')}; main-thread cost ${fs.map((f) => f.usPerEntry.toFixed(1)).join(', ')} µs per entry ` +
    `(of which writing cases ${fs.map((f) => f.writeUsPerEntry.toFixed(1)).join(', ')}); ` +
    `drained at the end: ${fs.every((f) => f.drained) ? 'yes' : 'NO'}`,
);
console.log(
  `  ring case visible ${fs.map((f) => (f.ringCaseAfterMs === null ? 'never' : `${Math.round(f.ringCaseAfterMs)} ms`)).join(', ')} after the payment making the ring five accounts strong was sent (polled every 10 ms); ` +
    `cases opened by traffic: ${fs.map((f) => `${f.cases} ${JSON.stringify(f.issues)}`).join(', ')}; case requests written: ${fs.map((f) => f.caseRequests).join(', ')}`,
);
const ratio = med(on.map((r) => r.p99)) / med(off.map((r) => r.p99));
console.log(`  p99 on / off: ${ratio.toFixed(2)} ${fs.every((f) => f.drained) ? '' : '(feed did NOT keep up)'}`);
