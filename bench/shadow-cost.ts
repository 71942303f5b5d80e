/**
 * What a shadow policy costs the live answer. A real `fengkong serve` (default policy, fresh data
 * folder, 20,000 registered accounts) takes decision traffic from autocannon at a fixed rate for the
 * whole run; a 200-rule draft (the default pack plus generated rules over its features) is shadowed
 * and stopped in turn, so windows of `--window` seconds without and with an active shadow alternate
 * in the same run (the shadow's warm-up, which replays the journal, is between them and reported
 * apart). Answers are bucketed by arrival time; the verdict compares the p99 of the live answers
 * with the shadow against without (target ≤ 1.10×), pooled over all windows and per pair, beside
 * the same ratio between two windows without a shadow (the machine's own noise). Beside it, the
 * server's CPU per answer from /proc (its event-loop thread, and the whole process with the shadow's
 * worker thread), which a noisy machine blurs far less than a p99. The shadow's lag (events the live
 * engine applied that the shadow has not) is sampled every 200 ms while it runs.
 *
 * usage: node dist/bench/shadow-cost.js [--rate 2000] [--connections 10] [--window 10] [--cycles 4]
 *        [--rules 200] [--journal auto|thread|inline|walsync]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEFAULT_POLICY_DIR, PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { referenceEvents, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/shadow-cost.js [--rate 2000] [--connections 10] [--window 10] [--cycles 4]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const rate = Number(flag('rate') ?? '2000');
const connections = Number(flag('connections') ?? '10');
const windowS = Number(flag('window') ?? '10');
const cycles = Number(flag('cycles') ?? '4');
const totalRules = Number(flag('rules') ?? '200');
const journal = flag('journal') ?? 'auto';

const MCCS = ['5411', '5812', '5814', '5732', '5311', '5541', '5999', '5944'];

/** `count` generated rules over builtins and the default pack's windows, varied like a real pack. */
function generatedRules(count: number): string {
  const lines: string[] = [`# ${count} generated rules over existing features (benchmark)`];
  for (let i = 0; i < count; i++) {
    const a = 500 + ((i * 37) % 5000);
    const when = [
      `amount >= ¥${a} and hour == ${i % 24}`,
      `tx_1h >= ${3 + (i % 9)} and amount_to_limit >= 0.${1 + (i % 8)}`,
      `spend_24h > ¥${a * 3} and is_night`,
      `channel == "card" and mcc == "${MCCS[i % MCCS.length]}" and amount > ¥${a}`,
      `distance_from_home_km > ${100 + (i % 900)} and device_is_new`,
      `devices_24h >= ${2 + (i % 4)} and utilisation > 0.${5 + (i % 4)}`,
      `acct_merchant_1h >= ${2 + (i % 5)} and acct_merchant_spend_1h > ¥${a}`,
      `merchant_age_days < ${1 + (i % 60)} and amount > ¥${a} and not is_round_amount`,
    ][i % 8];
    lines.push(`rule SHD_${String(i).padStart(4, '0')}`, `  when ${when}`, `  score ${1 + (i % 5)}`, '');
  }
  return lines.join('\n');
}

function defaultFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(DEFAULT_POLICY_DIR).filter((f) => f.endsWith('.fk')).sort()) out[n] = readFileSync(join(DEFAULT_POLICY_DIR, n), 'utf8');
  return out;
}

function start(args: string[]): Promise<ChildProcess & { url?: string }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

interface Status {
  state?: string;
  transactions?: number;
  changed?: number;
  agreementRate?: number | null;
  lag?: { events: number; queued: number } | null;
  warmup?: { seq: number; replayTo: number } | null;
  compile?: { rules: number };
  version?: number;
  error?: unknown;
}

async function api(url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Status }> {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Status };
}

/** CPU seconds (user + system) the process (or its main thread) has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const f = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number): string => x.toFixed(2);

const data = mkdtempSync(join(tmpdir(), 'shadow-bench-'));
let server: (ChildProcess & { url?: string }) | null = null;
try {
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  server = await start([FENGKONG, 'serve', '--port', '0', '--data', data, '--journal', journal]);
  const url = server.url!;
  const events = referenceEvents();
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await api(url, key, 'POST', '/v1/events', events.slice(i, i + 2_000));
    if (r.status !== 202) throw new Error(`registering reference data failed: ${JSON.stringify(r.json)}`);
  }
  const baseRules = (await api(url, key, 'GET', '/v1/policies/1')).json.compile!.rules;
  const files = { ...defaultFiles(), '90-generated.fk': generatedRules(totalRules - baseRules) };
  const d = await api(url, key, 'POST', '/v1/policies', { description: `${totalRules} rules`, files });
  if (d.status !== 201) throw new Error(`draft refused: ${JSON.stringify(d.json).slice(0, 400)}`);
  const version = d.json.version!;
  process.stderr.write(`server up; ${rate} req/s over ${connections} connections; shadowing version ${version} (${totalRules} rules)\n`);

  // one fixed-rate run for everything; answers bucketed by arrival
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
          setupRequest: (req) => ({ ...req, body: transactionText('shadow', counter++) }),
        },
      ],
    },
    (err: Error | null, r: autocannon.Result) => {
      if (err) throw err;
      finish(r);
    },
  );
  instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => answers.push({ at: now(), ms, ok: status === 200 }));

  // the status of the shadow is polled in every window alike (so the reads cost both sides the same)
  const windows: { kind: 'with' | 'without'; from: number; to: number; lags: number[]; compared: number; cpu: number; mainCpu: number }[] = [];
  const warmups: { from: number; to: number }[] = [];
  const measure = async (kind: 'with' | 'without'): Promise<void> => {
    const w = { kind, from: now(), to: 0, lags: [] as number[], compared: 0, cpu: cpuSeconds(server!.pid), mainCpu: cpuSeconds(server!.pid, true) };
    const first = (await api(url, key, 'GET', `/v1/policies/${version}/shadow`)).json.transactions ?? 0;
    let last: Status = {};
    while (now() < w.from + windowS) {
      await sleep(200);
      last = (await api(url, key, 'GET', `/v1/policies/${version}/shadow`)).json;
      if (kind === 'with' && last.lag) w.lags.push(last.lag.events);
    }
    w.to = now();
    w.cpu = cpuSeconds(server!.pid) - w.cpu;
    w.mainCpu = cpuSeconds(server!.pid, true) - w.mainCpu;
    w.compared = (last.transactions ?? 0) - first;
    windows.push(w);
  };

  await sleep(5_000); // JIT and connections warm
  let lastStatus: Status = {};
  for (let c = 0; c < cycles; c++) {
    await measure('without');
    const from = now();
    const s = await api(url, key, 'POST', `/v1/policies/${version}/shadow`);
    if (s.status !== 202) throw new Error(`shadow refused: ${s.status} ${JSON.stringify(s.json)}`);
    for (;;) {
      const st = (await api(url, key, 'GET', `/v1/policies/${version}/shadow`)).json;
      if (st.state === 'running') break;
      if (st.state !== 'warming') throw new Error(`shadow ended while warming: ${JSON.stringify(st)}`);
      await sleep(100);
    }
    warmups.push({ from, to: now() });
    await sleep(2_000); // let the traffic delayed by the warm-up drain before measuring
    await measure('with');
    const stopped = await api(url, key, 'DELETE', `/v1/policies/${version}/shadow`);
    if (stopped.status !== 200) throw new Error(`stop refused: ${JSON.stringify(stopped.json)}`);
    lastStatus = stopped.json;
    await sleep(1_000);
  }
  await measure('without');
  instance.stop();
  const result = await done;

  const p99 = (from: number, to: number): { p99: number; n: number } => {
    const l = answers.filter((a) => a.at >= from && a.at < to).map((a) => a.ms).sort((x, y) => x - y);
    return { p99: quantile(l, 0.99), n: l.length };
  };
  const pooled = (kind: 'with' | 'without'): { p99: number; n: number } => {
    const l = windows
      .filter((w) => w.kind === kind)
      .flatMap((w) => answers.filter((a) => a.at >= w.from && a.at < w.to).map((a) => a.ms))
      .sort((x, y) => x - y);
    return { p99: quantile(l, 0.99), n: l.length };
  };
  const failed = result.non2xx + result.errors + result.timeouts + answers.filter((a) => !a.ok).length;
  console.log(`shadow-cost: ${rate} req/s, ${connections} connections, journal ${journal}; a ${totalRules}-rule draft shadowed in ${cycles} windows of ${windowS} s`);
  const pairRatios: number[] = [];
  const controls: number[] = [];
  windows.forEach((w, i) => {
    const q = p99(w.from, w.to);
    const lag = w.lags.length === 0 ? '' : `; lag mean ${fmt(w.lags.reduce((a, b) => a + b, 0) / w.lags.length)} events, max ${Math.max(...w.lags)}; ${w.compared} payments compared`;
    console.log(`  ${w.kind.padEnd(7)} ${fmt(w.from).padStart(6)}–${fmt(w.to).padEnd(6)} s: p99 ${fmt(q.p99).padStart(6)} ms (${q.n} answers), CPU per answer ${fmt((w.mainCpu / q.n) * 1e6)} µs on the event loop, ${fmt((w.cpu / q.n) * 1e6)} µs in all${lag}`);
    if (w.kind === 'with') pairRatios.push(q.p99 / p99(windows[i - 1].from, windows[i - 1].to).p99);
    else if (i >= 2) controls.push(q.p99 / p99(windows[i - 2].from, windows[i - 2].to).p99);
  });
  warmups.forEach((w, i) => console.log(`  warm-up ${i + 1}: ${fmt((w.to - w.from) * 1000)} ms, p99 during it ${fmt(p99(w.from, w.to).p99)} ms`));
  const cpuPer = (kind: 'with' | 'without', main: boolean): number => {
    const ws = windows.filter((w) => w.kind === kind);
    return (ws.reduce((a, w) => a + (main ? w.mainCpu : w.cpu), 0) / ws.reduce((a, w) => a + p99(w.from, w.to).n, 0)) * 1e6;
  };
  console.log(
    `  server CPU per answer: event loop ${fmt(cpuPer('with', true))} µs with a shadow vs ${fmt(cpuPer('without', true))} µs without; ` +
      `whole process (the shadow's worker included) ${fmt(cpuPer('with', false))} vs ${fmt(cpuPer('without', false))} µs`,
  );
  const withP = pooled('with');
  const withoutP = pooled('without');
  const ratio = withP.p99 / withoutP.p99;
  const sorted = [...pairRatios].sort((a, b) => a - b);
  console.log(
    `  pooled p99 with a shadow ${fmt(withP.p99)} ms (${withP.n} answers) vs without ${fmt(withoutP.p99)} ms (${withoutP.n}): ${fmt(ratio)}× ` +
      `(target ≤ 1.10×) ${ratio <= 1.1 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  per pair (with / the window before): ${pairRatios.map(fmt).join(', ')} — median ${fmt(sorted[Math.floor(sorted.length / 2)])}×; ` +
      `control (without / the without window before): ${controls.map(fmt).join(', ')}`,
  );
  console.log(`  failed requests: ${failed}; last run compared ${lastStatus.transactions} payments, ${lastStatus.changed} changed (agreement ${fmt((lastStatus.agreementRate ?? 0) * 100)}%)`);
} finally {
  if (server !== null) {
    const exited = new Promise<number | null>((r) => server!.once('exit', (c) => r(c)));
    server.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) process.stderr.write(`fengkong serve exited ${code}\n`);
  }
  rmSync(data, { recursive: true, force: true });
}
