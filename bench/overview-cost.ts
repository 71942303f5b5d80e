/**
 * What the analyst console's overview costs the server. A real `fengkong serve` (default policy,
 * fresh data folder, detectors on, 20,000 registered accounts) takes realistic decision traffic
 * from autocannon at a fixed rate (open loop) for the whole run, while windows of `--window`
 * seconds without and with a poller alternate; the poller reads GET /v1/overview every `--poll` ms
 * over one keep-alive connection, as a browser tab does (a read still in flight skips its turn). The
 * console polls every 2 s; a poller that fast costs too little to see beside 2,000 decisions/s, so
 * it polls faster here and the cost is scaled back to 2 s per read.
 *
 * Three measures of one read:
 *  - the server's event-loop CPU (its main thread, /proc) per second in the windows with the
 *    poller minus the mean of the windows around them without, per read;
 *  - the server's own time for the route (fengkong_http_request_duration_seconds of
 *    GET /v1/overview over the measured reads, from auth to the answer written: synchronous, so CPU
 *    on the event loop, but without HTTP parsing);
 *  - in process, LiveWindow.read of a full minute at 2,000 decisions/s (the ring part alone), and
 *    LiveWindow.record per decision (the part every payment pays on the answer path).
 * Target: one console polling every 2 s costs under 2% of a core at 2,000 decisions/s.
 *
 * Before the traffic, `--cases` cases are opened through the API at priorities across every band,
 * so the open-case count has a queue to count (the traffic itself opens few).
 *
 * usage: node dist/bench/overview-cost.js [--rate 2000] [--poll 100] [--window 10] [--cycles 4]
 *        [--cases 2000] [--connections 10] [--journal auto|inline|thread|walsync]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { LiveWindow } from '../src/server/live-window.js';
import { referenceEvents, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/overview-cost.js [--rate 2000] [--poll 100] [--window 10] [--cycles 4]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const rate = Number(flag('rate') ?? '2000');
const pollMs = Number(flag('poll') ?? '100');
const windowS = Number(flag('window') ?? '10');
const cycles = Number(flag('cycles') ?? '4');
const connections = Number(flag('connections') ?? '10');
const journal = flag('journal') ?? 'auto';
const seedCases = Number(flag('cases') ?? '2000');
/** How often the console polls: what the cost is scaled to. */
const CONSOLE_POLL_MS = 2_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, d = 2): string => x.toFixed(d);

/** CPU seconds (user + system) of the server's main thread (its event loop) so far, from /proc (Linux); NaN elsewhere. */
function mainThreadCpu(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The ring's own costs, in process: record per decision (ns) and a read of a full minute at `rate` decisions/s (µs). */
function ringCosts(): { recordNs: number; readUs: number } {
  const w = new LiveWindow();
  const codes = ['MERCHANT_REPEAT', 'HIGH_VELOCITY', 'SHARED_DEVICE', 'UNREGISTERED_MERCHANT', 'NIGHT_CASHOUT', 'ACQUIRER_MISMATCH'].map((code) => ({ code }));
  const reasons = [[], [codes[0]], [codes[1], codes[2]], [codes[3]], [codes[4], codes[5], codes[0]]];
  const outcomes = ['approve', 'review', 'challenge', 'decline'] as const;
  const t0 = Date.now();
  const n = 60 * rate;
  const started = performance.now();
  for (let i = 0; i < n; i++) w.record(t0 + (i * 1000) / rate, outcomes[i & 3], (i * 7) % 101, 200 + (i % 5000), reasons[i % reasons.length]);
  const recordNs = ((performance.now() - started) * 1e6) / n;
  const end = t0 + 59_999;
  for (let i = 0; i < 200; i++) w.read(end); // warm
  const r0 = performance.now();
  const reads = 2_000;
  for (let i = 0; i < reads; i++) w.read(end);
  return { recordNs, readUs: ((performance.now() - r0) * 1000) / reads };
}

function start(args: string[]): Promise<ChildProcess & { url?: string }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FENGKONG_DETECTORS: 'on' } });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve(Object.assign(proc, { url: m[1] }));
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code} before listening`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET on the poller's keep-alive connection; the body as text. */
function get(url: string, key: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sum, count and cumulative buckets (le → count) of the route's duration histogram in the Prometheus text. */
function routeSeconds(metrics: string, route: string): { sum: number; count: number; buckets: Map<string, number> } {
  const esc = route.replace(/[/{}]/g, (c) => `\\${c}`);
  const sum = new RegExp(`fengkong_http_request_duration_seconds_sum\\{route="${esc}"\\} ([\\d.e+-]+)`).exec(metrics);
  const count = new RegExp(`fengkong_http_request_duration_seconds_count\\{route="${esc}"\\} (\\d+)`).exec(metrics);
  const buckets = new Map<string, number>();
  for (const m of metrics.matchAll(new RegExp(`fengkong_http_request_duration_seconds_bucket\\{route="${esc}",le="([^"]+)"\\} (\\d+)`, 'g'))) buckets.set(m[1], Number(m[2]));
  return { sum: sum === null ? 0 : Number(sum[1]), count: count === null ? 0 : Number(count[1]), buckets };
}

/** The bucket bound (µs) the median of the reads between two snapshots falls under. */
function medianBucketUs(before: Map<string, number>, after: Map<string, number>): string {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  for (const [le, n] of after) if (n - (before.get(le) ?? 0) >= total / 2) return le === '+Inf' ? 'above the largest bucket' : `≤ ${Number(le) * 1e6} µs`;
  return 'n/a';
}

const ring = ringCosts();
const data = mkdtempSync(join(tmpdir(), 'overview-bench-'));
let server: (ChildProcess & { url?: string }) | null = null;
try {
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  server = await start([FENGKONG, 'serve', '--port', '0', '--data', data, '--journal', journal]);
  const url = server.url!;
  const events = referenceEvents();
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(events.slice(i, i + 2_000)) });
    if (r.status !== 202) throw new Error(`registering reference data failed: ${await r.text()}`);
  }
  for (let i = 0; i < seedCases; i++) {
    const body = { subjectKind: 'account', subjectId: `seed-${i}`, note: 'benchmark queue', risk: 10 + (i % 90), amount: 1_000 * 2 ** (i % 12) };
    const r = await fetch(`${url}/v1/cases`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`opening a case failed: ${await r.text()}`);
  }
  process.stderr.write(`server up; ${seedCases} cases open; ${rate} decisions/s over ${connections} connections; ${cycles} × (${windowS} s without, ${windowS} s polling every ${pollMs} ms)\n`);

  const answers: { at: number; ms: number; ok: boolean }[] = [];
  let counter = 0;
  const t0 = performance.now();
  const now = (): number => (performance.now() - t0) / 1000;
  let finish: (r: autocannon.Result) => void = () => {};
  const done = new Promise<autocannon.Result>((r) => (finish = r));
  const instance = autocannon(
    {
      url,
      connections,
      pipelining: 1,
      duration: 24 * 3600,
      overallRate: rate,
      requests: [
        {
          method: 'POST',
          path: '/v1/decisions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          setupRequest: (req) => ({ ...req, body: transactionText('overview', counter++) }),
        },
      ],
    },
    (err: Error | null, r: autocannon.Result) => {
      if (err) throw err;
      finish(r);
    },
  );
  instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => answers.push({ at: now(), ms, ok: status === 200 }));

  interface Window { kind: 'with' | 'without'; from: number; to: number; cpu: number; reads: number; skipped: number }
  const windows: Window[] = [];
  let lastOverview = '';
  const measure = async (kind: 'with' | 'without'): Promise<void> => {
    const w: Window = { kind, from: now(), to: 0, cpu: mainThreadCpu(server!.pid), reads: 0, skipped: 0 };
    let inFlight = false;
    const poller =
      kind === 'with'
        ? setInterval(() => {
            if (inFlight) {
              w.skipped++;
              return;
            }
            inFlight = true;
            void get(url, key, '/v1/overview').then((r) => {
              inFlight = false;
              if (r.status !== 200) throw new Error(`overview answered ${r.status}: ${r.text}`);
              lastOverview = r.text;
              w.reads++;
            });
          }, pollMs)
        : null;
    await sleep(windowS * 1000);
    if (poller !== null) clearInterval(poller);
    while (inFlight) await sleep(1);
    w.to = now();
    w.cpu = mainThreadCpu(server!.pid) - w.cpu;
    windows.push(w);
  };

  await sleep(5_000); // JIT and connections warm
  for (let i = 0; i < 50; i++) await get(url, key, '/v1/overview'); // the route's code warm too
  const routeBefore = routeSeconds((await get(url, key, '/metrics')).text, 'GET /v1/overview');
  for (let c = 0; c < cycles; c++) {
    await measure('without');
    await measure('with');
  }
  await measure('without');
  instance.stop();
  const result = await done;
  const metrics = (await get(url, key, '/metrics')).text;
  const routeAfter = routeSeconds(metrics, 'GET /v1/overview');
  const route = { sum: routeAfter.sum - routeBefore.sum, count: routeAfter.count - routeBefore.count };

  const inWindow = (w: Window): number[] => answers.filter((a) => a.at >= w.from && a.at < w.to).map((a) => a.ms).sort((x, y) => x - y);
  console.log(`overview-cost: ${rate} decisions/s (open loop), ${connections} connections, journal ${journal}, detectors on; poller every ${pollMs} ms in ${cycles} windows of ${windowS} s between windows without`);
  const deltas: number[] = [];
  windows.forEach((w, i) => {
    const l = inWindow(w);
    const perS = w.cpu / (w.to - w.from);
    let extra = '';
    if (w.kind === 'with') {
      const around = [windows[i - 1], windows[i + 1]].filter((x) => x !== undefined);
      const base = around.reduce((a, x) => a + x.cpu / (x.to - x.from), 0) / around.length;
      const perRead = ((perS - base) * (w.to - w.from)) / Math.max(1, w.reads);
      deltas.push(perRead);
      extra = `; ${w.reads} reads (${w.skipped} skipped), event-loop CPU ${fmt((perS - base) * 100)}% of a core above the windows around it = ${fmt(perRead * 1e6, 0)} µs per read`;
    }
    console.log(`  ${w.kind.padEnd(7)} ${fmt(w.from, 1).padStart(6)}–${fmt(w.to, 1).padEnd(6)} s: ${l.length} answers, p50 ${fmt(quantile(l, 0.5))} ms, p99 ${fmt(quantile(l, 0.99))} ms; server event loop ${fmt(perS * 100, 1)}% of a core${extra}`);
  });
  const sorted = [...deltas].sort((a, b) => a - b);
  const medianRead = sorted[Math.floor(sorted.length / 2)];
  const handlerUs = (route.sum / Math.max(1, route.count)) * 1e6;
  const pct = (perReadSeconds: number): string => `${fmt((perReadSeconds / (CONSOLE_POLL_MS / 1000)) * 100, 3)}%`;
  console.log(`  per read, event-loop CPU (with − without): median ${fmt(medianRead * 1e6, 0)} µs (${sorted.map((d) => fmt(d * 1e6, 0)).join(', ')})`);
  console.log(
    `  per read, the route's own time on the server (auth → answer written, wall time, so a descheduled thread counts): ${fmt(handlerUs, 1)} µs mean over ${route.count} reads, ` +
      `median ${medianBucketUs(routeBefore.buckets, routeAfter.buckets)}`,
  );
  console.log(`  in process: LiveWindow.read of a full minute ${fmt(ring.readUs, 1)} µs; LiveWindow.record ${fmt(ring.recordNs, 0)} ns per decision = ${fmt((ring.recordNs * rate) / 1e7, 3)}% of a core at ${rate}/s (paid with or without a console)`);
  console.log(
    `  one console polling every ${CONSOLE_POLL_MS / 1000} s costs ${pct(Math.max(0, medianRead))} of a core by the CPU delta, ${pct(handlerUs / 1e6)} by the route's own time ` +
      `(target < 2%) ${Math.max(medianRead, handlerUs / 1e6) / (CONSOLE_POLL_MS / 1000) < 0.02 ? 'PASS' : 'FAIL'}`,
  );
  const o = JSON.parse(lastOverview) as { decisionsPerSecond: number; openCases: { total: number }; topRules: unknown[] };
  console.log(`  last overview: ${o.decisionsPerSecond} decisions/s, ${o.openCases.total} open cases, ${o.topRules.length} top rules; failed decision requests: ${result.non2xx + result.errors + result.timeouts + answers.filter((a) => !a.ok).length}`);
} finally {
  agent.destroy();
  if (server !== null) {
    const exited = new Promise<number | null>((r) => server!.once('exit', (c) => r(c)));
    server.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) process.stderr.write(`fengkong serve exited ${code}\n`);
  }
  rmSync(data, { recursive: true, force: true });
}
