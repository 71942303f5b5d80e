/**
 * Publishing a 1,000-rule policy under load. A real `fengkong serve` (default policy, fresh data
 * folder, 20,000 registered accounts) takes steady decision traffic from autocannon at a fixed rate;
 * meanwhile a 1,000-rule version (the default pack plus generated rules over its existing features)
 * is drafted, proposed by one admin key and approved by another. Latencies are bucketed by the
 * time each answer arrived: the p99 of a steady window before any policy work is the baseline, the
 * p99 of the window around the approval (the swap) is compared with it — target ≤ 2× — and every
 * failed request over the whole run is counted (target 0). The draft's compile (~90 ms on the event
 * loop) happens in its own window, reported beside.
 *
 * Second scenario, same server: a version that also adds a window is published; its windows are
 * warmed from the journal in slices while traffic goes on — reported as the p99 during warming
 * and how long it took.
 *
 * usage: node dist/bench/policy-swap.js [--rate 1500] [--connections 16] [--rules 1000] [--journal auto|thread|inline]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEFAULT_POLICY_DIR, PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { referenceEvents, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/policy-swap.js [--rate 1500] [--connections 16] [--rules 1000] [--journal auto|thread|inline]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const rate = Number(flag('rate') ?? '1500');
const connections = Number(flag('connections') ?? '16');
const totalRules = Number(flag('rules') ?? '1000');
const journal = flag('journal') ?? 'auto';

/** The default pack's files. */
function defaultFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(DEFAULT_POLICY_DIR).filter((f) => f.endsWith('.fk')).sort()) out[n] = readFileSync(join(DEFAULT_POLICY_DIR, n), 'utf8');
  return out;
}

const MCCS = ['5411', '5812', '5814', '5732', '5311', '5541', '5999', '5944'];

/** `count` generated rules over builtins and the default pack's windows, varied like a real pack. */
function generatedRules(count: number, prefix: string): string {
  const lines: string[] = [`# ${count} generated rules over existing features (benchmark)`];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}_${String(i).padStart(4, '0')}`;
    const a = 500 + ((i * 37) % 5000);
    let when: string;
    switch (i % 8) {
      case 0:
        when = `amount >= ¥${a} and hour == ${i % 24}`;
        break;
      case 1:
        when = `tx_1h >= ${3 + (i % 9)} and amount_to_limit >= 0.${1 + (i % 8)}`;
        break;
      case 2:
        when = `spend_24h > ¥${a * 3} and is_night`;
        break;
      case 3:
        when = `channel == "card" and mcc == "${MCCS[i % MCCS.length]}" and amount > ¥${a}`;
        break;
      case 4:
        when = `distance_from_home_km > ${100 + (i % 900)} and device_is_new`;
        break;
      case 5:
        when = `devices_24h >= ${2 + (i % 4)} and utilisation > 0.${5 + (i % 4)}`;
        break;
      case 6:
        when = `acct_merchant_1h >= ${2 + (i % 5)} and acct_merchant_spend_1h > ¥${a}`;
        break;
      default:
        when = `merchant_age_days < ${1 + (i % 60)} and amount > ¥${a} and not is_round_amount`;
    }
    lines.push(`rule ${name}`, `  when ${when}`, `  score ${1 + (i % 5)}`, '');
  }
  return lines.join('\n');
}

interface Server {
  readonly url: string;
  readonly proc: ChildProcess;
}

function start(args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ url: m[1], proc });
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code} before listening`)));
  });
}

/** The fields of the API's answers this script reads. */
interface Answer {
  version?: number;
  compile?: { rules: number };
  policy?: string;
  publishing?: unknown;
  publication?: { journalSeq: number };
  lastFailure?: unknown;
}

async function api(url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as Answer;
  return { status: r.status, json, ms: performance.now() - t0 };
}

function key(data: string): string {
  return execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

let counter = 0;

/** One fixed-rate run of `seconds`, with `during(t0)` running beside it; answers bucketed by arrival time. */
async function loadRun(url: string, k: string, seconds: number, during: (t0: number) => Promise<void>) {
  const answers: { at: number; ms: number; ok: boolean }[] = [];
  let finish: (r: autocannon.Result) => void = () => {};
  const done = new Promise<autocannon.Result>((r) => (finish = r));
  const t0 = performance.now();
  const instance = autocannon(
    {
      url,
      connections,
      pipelining: 1,
      duration: seconds,
      overallRate: rate,
      requests: [
        {
          method: 'POST',
          path: '/v1/decisions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
          setupRequest: (req) => ({ ...req, body: transactionText('swap', counter++) }),
        },
      ],
    },
    (err: Error | null, r: autocannon.Result) => {
      if (err) throw err;
      finish(r);
    },
  );
  instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => answers.push({ at: (performance.now() - t0) / 1000, ms, ok: status === 200 }));
  await during(t0);
  const result = await done;
  const p99 = (from: number, to: number): { p99: number; n: number } => {
    const l = answers.filter((a) => a.at >= from && a.at < to).map((a) => a.ms).sort((x, y) => x - y);
    return { p99: quantile(l, 0.99), n: l.length };
  };
  const failed = result.non2xx + result.errors + result.timeouts + answers.filter((a) => !a.ok).length;
  return { p99, failed, result };
}

const sleepUntil = (t0: number, s: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t0 + s * 1000 - performance.now())));
const fmt = (x: number): string => x.toFixed(2);

const data = mkdtempSync(join(tmpdir(), 'fk-bench-swap-'));
let server: Server | null = null;
try {
  const proposer = key(data);
  const approver = key(data);
  server = await start([FENGKONG, 'serve', '--port', '0', '--data', data, '--journal', journal]);
  const url = server.url;
  const events = referenceEvents();
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await api(url, proposer, 'POST', '/v1/events', events.slice(i, i + 2_000));
    if (r.status !== 202) throw new Error(`registering reference data failed: ${JSON.stringify(r.json)}`);
  }
  const base = defaultFiles();
  const baseRules = (await api(url, proposer, 'GET', '/v1/policies/1')).json.compile!.rules;
  const files = { ...base, '90-generated.fk': generatedRules(totalRules - baseRules, 'GEN') };
  process.stderr.write(`server up; ${rate} req/s over ${connections} connections; publishing ${totalRules} rules (${baseRules} default + ${totalRules - baseRules} generated)\n`);
  await loadRun(url, proposer, 3, async () => {}); // warm the JIT and the connections

  // Scenario 1: same windows, swapped at approval. Four swaps in one run (publish the 1,000-rule
  // version, roll back, publish it again, roll back), 8 s apart, each compared with the two seconds
  // before it; halfway between swaps the same ratio without a swap is the control (the machine's own
  // window-to-window noise).
  let version = 0;
  let draftMs = 0;
  let draftAt = 0;
  const swaps: { at: number; what: string; ms: number }[] = [];
  const a = await loadRun(url, proposer, 35, async (t0) => {
    await sleepUntil(t0, 2);
    draftAt = (performance.now() - t0) / 1000;
    const d = await api(url, proposer, 'POST', '/v1/policies', { description: `${totalRules} rules`, files });
    if (d.status !== 201) throw new Error(`draft refused: ${JSON.stringify(d.json).slice(0, 500)}`);
    version = d.json.version!;
    draftMs = d.ms;
    for (let k = 0; k < 4; k++) {
      const publishing = k % 2 === 0;
      if (publishing) {
        const p = await api(url, proposer, 'POST', `/v1/policies/${version}/publish`, {});
        if (p.status !== 200) throw new Error(`proposal refused: ${JSON.stringify(p.json)}`);
      }
      await sleepUntil(t0, 7 + 8 * k);
      const at = (performance.now() - t0) / 1000;
      const r = publishing
        ? await api(url, approver, 'POST', `/v1/policies/${version}/approve`)
        : await api(url, proposer, 'POST', '/v1/policies/rollback', { version: 1, reason: 'benchmark' });
      if (r.status !== 200) throw new Error(`swap refused: ${r.status} ${JSON.stringify(r.json)}`);
      swaps.push({ at, what: publishing ? `approve v${version} (${totalRules} rules)` : 'rollback to v1 (50 rules)', ms: r.ms });
    }
  });
  const live = (await api(url, proposer, 'GET', '/v1/policies/live')).json;
  console.log(`policy-swap: ${rate} req/s, ${connections} connections, journal ${journal}; ${totalRules}-rule version ${version}, four swaps under load`);
  const ratios: number[] = [];
  const controls: number[] = [];
  for (const sw of swaps) {
    const before = a.p99(sw.at - 3, sw.at - 1);
    const during = a.p99(sw.at - 1, sw.at + 1);
    const ratio = during.p99 / before.p99;
    ratios.push(ratio);
    const c = sw.at + 4;
    const control = a.p99(c - 1, c + 1).p99 / a.p99(c - 3, c - 1).p99;
    controls.push(control);
    console.log(
      `  ${sw.what.padEnd(30)} call ${fmt(sw.ms).padStart(6)} ms; p99 2 s before ${fmt(before.p99).padStart(6)} ms, ` +
        `±1 s around it ${fmt(during.p99).padStart(6)} ms (${during.n} answers): ${fmt(ratio)}× (control 4 s later, no swap: ${fmt(control)}×)`,
    );
  }
  const worst = Math.max(...ratios);
  const median = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)];
  const controlWorst = Math.max(...controls);
  console.log(
    `  ratio swap/before: median ${fmt(median)}×, worst ${fmt(worst)}× (target ≤ 2×) ${worst <= 2 ? 'PASS' : median <= 2 ? 'PASS on the median, not on the worst' : 'FAIL'}; ` +
      `controls without a swap: worst ${fmt(controlWorst)}×`,
  );
  console.log(`  failed requests over the run: ${a.failed} (target 0) ${a.failed === 0 ? 'PASS' : 'FAIL'}; live now: ${live.policy}`);
  const drafting = a.p99(draftAt - 0.5, draftAt + 1.5);
  const quiet = a.p99(0.5, draftAt - 0.5);
  console.log(
    `  draft (compile ${totalRules} rules, diff, store) ${fmt(draftMs)} ms; p99 of its window ${fmt(drafting.p99)} ms vs ${fmt(quiet.p99)} ms before ` +
      `(${fmt(drafting.p99 / quiet.p99)}×; drafting happens ahead of publishing)`,
  );

  // Scenario 2: a version that adds a window, warmed from the journal under load
  const warmFiles = { ...files, '95-new-window.fk': 'feature qr_30m = count by account over 30m where channel == "qr"\n\nrule QR_STORM\n  when qr_30m >= 8\n  score 20\n' };
  let warmStart = 0;
  let warmEnd = 0;
  let journalSeq = 0;
  const b = await loadRun(url, proposer, 16, async (t0) => {
    const d = await api(url, proposer, 'POST', '/v1/policies', { description: 'adds a window', files: warmFiles });
    if (d.status !== 201) throw new Error(`draft refused: ${JSON.stringify(d.json).slice(0, 500)}`);
    const v = d.json.version!;
    await api(url, proposer, 'POST', `/v1/policies/${v}/publish`, {});
    await sleepUntil(t0, 6);
    warmStart = (performance.now() - t0) / 1000;
    const ap = await api(url, approver, 'POST', `/v1/policies/${v}/approve`);
    if (ap.status !== 202) throw new Error(`expected warming, got ${ap.status} ${JSON.stringify(ap.json)}`);
    for (;;) {
      const l = (await api(url, proposer, 'GET', '/v1/policies/live')).json;
      if (l.version === v && l.publishing === null) {
        journalSeq = l.publication!.journalSeq;
        break;
      }
      if (l.publishing === null) throw new Error(`warming failed: ${JSON.stringify(l.lastFailure)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    warmEnd = (performance.now() - t0) / 1000;
  });
  const warmBefore = b.p99(1, Math.max(2, warmStart - 1));
  const warming = b.p99(warmStart, Math.max(warmEnd, warmStart + 0.5));
  console.log(
    `  warming a new window: ${journalSeq} journal entries replayed + caught up in ${fmt((warmEnd - warmStart) * 1000)} ms under load; ` +
      `p99 during it ${fmt(warming.p99)} ms (${warming.n} answers) vs ${fmt(warmBefore.p99)} ms before — ${fmt(warming.p99 / warmBefore.p99)}×; failed requests ${b.failed}`,
  );
} finally {
  if (server !== null) {
    const exited = new Promise<number | null>((r) => server!.proc.once('exit', (c) => r(c)));
    server.proc.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) process.stderr.write(`fengkong serve exited ${code}\n`);
  }
  rmSync(data, { recursive: true, force: true });
}
