/**
 * Decisions per second over HTTP against a bare Fastify server, side by side in one run, then the
 * latency of our server at a fixed 2,000 requests/s. Both servers run as child processes; the same
 * autocannon settings (connections, pipelining 1, duration) drive both, alternating; bodies are
 * realistic transactions with unique ids (autocannon `setupRequest`). Ours runs the default
 * policy on a fresh data folder, journaling every decision durably before answering.
 *
 * usage: node dist/bench/server-vs-fastify.js [--connections 64] [--duration 10] [--rounds 3]
 *        [--rate 2000] [--rate-connections 10] [--journal auto|walsync|thread|inline]
 * Targets: ours ≥ 70% of Fastify's req/s; p99 < 5 ms at 2,000 req/s. On a shared machine the
 * throughput of both swings between runs, so each round runs the two back to back and the
 * verdict uses the median of the per-round ratios.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { registerReference, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/server-vs-fastify.js [--connections 64] [--duration 10] [--rounds 3]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const FASTIFY = join(PACKAGE_ROOT, 'dist', 'bench', 'peers', 'fastify-decisions.js');

interface Peer {
  readonly name: string;
  readonly url: string;
  readonly proc: ChildProcess;
  readonly headers: Record<string, string>;
}

function start(name: string, args: string[], headers: Record<string, string>): Promise<Peer> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ name, url: m[1], proc, headers });
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code} before listening`)));
  });
}

async function stop(p: Peer): Promise<number | null> {
  const exited = new Promise<number | null>((r) => p.proc.once('exit', (code) => r(code)));
  p.proc.kill('SIGTERM');
  return exited;
}

let counter = 0;

/** One autocannon run; returns 2xx/s, autocannon's result and our own per-response latencies (ms). */
async function run(p: Peer, opts: { connections: number; duration: number; rate?: number }) {
  const latencies: number[] = [];
  let finish: (r: autocannon.Result) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: p.url,
    connections: opts.connections,
    pipelining: 1,
    duration: opts.duration,
    overallRate: opts.rate,
    requests: [
      {
        method: 'POST',
        path: '/v1/decisions',
        headers: { 'content-type': 'application/json', ...p.headers },
        setupRequest: (req) => ({ ...req, body: transactionText('b', counter++) }),
      },
    ],
  }, (err: Error | null, r: autocannon.Result) => (err ? fail(err) : finish(r)));
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await done;
  const ok = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0) {
    process.stderr.write(`  ${p.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts\n`);
  }
  latencies.sort((a, b) => a - b);
  return { rps: ok / result.duration, result, latencies };
}

async function metric(url: string, key: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const connections = Number(flag('connections') ?? '64');
const duration = Number(flag('duration') ?? '10');
const rounds = Number(flag('rounds') ?? '3');
const rate = Number(flag('rate') ?? '2000');
const rateConnections = Number(flag('rate-connections') ?? '10');
const journal = flag('journal') ?? 'auto';

const data = mkdtempSync(join(tmpdir(), 'fk-bench-server-'));
let ours: Peer | null = null;
let fastify: Peer | null = null;
try {
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', data], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  const serveArgs = [FENGKONG, 'serve', '--port', '0', '--data', data, '--journal', journal];
  ours = await start('fengkong', serveArgs, { authorization: `Bearer ${key}` });
  fastify = await start('fastify', [FASTIFY], {});
  await registerReference(ours.url, key);
  process.stderr.write(`servers up; ${connections} connections, pipelining 1, ${duration} s per run, ${rounds} rounds, journal ${journal}\n`);
  await run(ours, { connections, duration: 3 });
  if (rounds > 0) await run(fastify, { connections, duration: 3 });
  const oursRps: number[] = [];
  const fastifyRps: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // alternate which goes first, so neither always runs on a warmer (or busier) machine
    let f;
    let o;
    if (r % 2 === 0) {
      f = await run(fastify, { connections, duration });
      o = await run(ours, { connections, duration });
    } else {
      o = await run(ours, { connections, duration });
      f = await run(fastify, { connections, duration });
    }
    fastifyRps.push(f.rps);
    oursRps.push(o.rps);
    ratios.push(o.rps / f.rps);
    process.stderr.write(
      `round ${r + 1}: fastify ${Math.round(f.rps)} req/s (p99 ${f.result.latency.p99} ms), ` +
        `fengkong ${Math.round(o.rps)} req/s (p99 ${o.result.latency.p99} ms)\n`,
    );
  }
  const batches = await metric(ours.url, key, 'fengkong_journal_batch_size_count');
  const entries = await metric(ours.url, key, 'fengkong_journal_batch_size_sum');
  const fixed = await run(ours, { connections: rateConnections, duration, rate });
  if (rounds > 0) {
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    const perRound = (xs: number[]): string => xs.map(Math.round).join(', ');
    console.log(`server-vs-fastify: ${connections} connections, pipelining 1, ${rounds} × ${duration} s each, journal ${journal}`);
    console.log(`  fastify (parse JSON, fixed decision):            ${Math.round(mean(fastifyRps))} req/s (rounds: ${perRound(fastifyRps)})`);
    console.log(`  fengkong serve (default policy, durable journal): ${Math.round(mean(oursRps))} req/s (rounds: ${perRound(oursRps)})`);
    console.log(
      `  ratio (median of rounds ${ratios.map((x) => `${(100 * x).toFixed(0)}%`).join(', ')}): ${(100 * ratio).toFixed(0)}% ` +
        `(target ≥ 70%) ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(`  group commit: ${Math.round(entries / batches)} entries per fsync on average (${batches} commits)`);
  const l = fixed.latencies;
  const p99 = quantile(l, 0.99);
  console.log(
    `fixed rate ${rate} req/s, ${rateConnections} connections, ${duration} s: ${Math.round(fixed.rps)} req/s answered; ` +
      `p50 ${quantile(l, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${l[l.length - 1]?.toFixed(2)} ms ` +
      `(autocannon, corrected for coordinated omission: p50 ${fixed.result.latency.p50} ms, p99 ${fixed.result.latency.p99} ms) ` +
      `(target p99 < 5 ms) ${p99 < 5 ? 'PASS' : 'FAIL'}`,
  );
} finally {
  if (fastify !== null) await stop(fastify);
  if (ours !== null) {
    const code = await stop(ours);
    if (code !== 0) process.stderr.write(`fengkong serve exited ${code}\n`);
  }
  rmSync(data, { recursive: true, force: true });
}
