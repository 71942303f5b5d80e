/**
 * The HTTP answer path's tail, as issue 15 asks it to be measured: a steady open-loop 2,000
 * requests/s (32 keep-alive sockets; each request leaves at its scheduled time whatever the answers
 * do, latency counted from that time) on a fresh server, then full speed (autocannon, 64
 * connections), then the same steady load right after it — for our server (default policy, a fresh
 * data folder, every decision durable before its answer) and for bare Fastify answering the same
 * bodies, side by side in each round. Prints p50 / p90 / p99 and the ratios to Fastify, and at full
 * speed the CPU each answer cost — each server (all threads, and its main thread) and this process,
 * the load generator — so the throughput goal can be checked against what two shared cores hold; and
 * our server's event-loop stalls of 20 ms or more in each steady run (its /metrics), a count the
 * machine's noise moves less than a p99; and each steady run's p99 over its first 2.5 s and over the
 * rest apart.
 *
 * usage: node dist/bench/answer-tail.js [--rate 2000] [--seconds 10] [--burst 15] [--rounds 2] [--ids ascending|random] [--serve-args "--durability process"]
 * `--ids random` sends ids in no order (UUID-like), as many switches and PSPs do; the default ascends.
 * Goal (issue 15): p99 < 5 ms fresh and after full speed (on a noisy machine: within 2× Fastify's
 * p99 in the same run); full speed ≥ 50 % of Fastify's.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openLoop } from './open-loop.js';
import { cpuOf, ownCpuMs, writtenOf } from './proc-cpu.js';
import { FASTIFY_PEER, FENGKONG, spawnListening, spawnServe, stopServe } from './serve-child.js';
import { registerReference, transactionText, type IdOrder } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/answer-tail.js [--rate 2000] [--seconds 10] [--burst 15] [--rounds 2] [--ids ascending|random] [--serve-args "…"]');
const rate = Number(flag('rate') ?? '2000');
const seconds = Number(flag('seconds') ?? '10');
const burst = Number(flag('burst') ?? '15');
const rounds = Number(flag('rounds') ?? '2');
const serveArgs = (flag('serve-args') ?? '').split(' ').filter((x) => x !== '');
const idsFlag = flag('ids') ?? 'ascending';
if (idsFlag !== 'ascending' && idsFlag !== 'random') {
  process.stderr.write(`answer-tail: --ids: expected ascending or random, got ${JSON.stringify(idsFlag)}\n`);
  process.exit(1);
}
const ids: IdOrder = idsFlag;

interface Peer {
  readonly name: string;
  readonly url: string;
  readonly proc: ChildProcess;
  readonly headers: Record<string, string>;
}

let counter = 0;
/**
 * Each steady run's p99 is also given for its first 2.5 s and the rest apart: in some runs most slow
 * answers come in the first seconds after the reference data or after full speed, in others later
 * (docs/server.md, "Seventh pass"); the split says which a run was.
 */
const SPLIT_MS = 2_500;

async function startFastify(): Promise<Peer> {
  const p = await spawnListening([FASTIFY_PEER]);
  return { name: 'fastify', url: p.url, proc: p.proc, headers: {} };
}

/** A fresh server of ours on a fresh data folder. */
async function startOurs(): Promise<Peer & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-bench-tail-'));
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const p = await spawnServe(['--data', dir, ...serveArgs]);
  await registerReference(p.url, key);
  return { name: 'fengkong', url: p.url, proc: p.proc, headers: { authorization: `Bearer ${key}` }, dir };
}

interface Tail {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** p99 of the requests scheduled in the first SPLIT_MS, and of those after. */
  readonly p99Early: number;
  readonly p99Late: number;
  readonly failed: number;
  /** Our server's event-loop stalls of 20 ms or more during the run (its /metrics); null for Fastify. */
  readonly stalls: number | null;
  /** KB the server (and its children) wrote to storage per answer during the run; null off Linux. */
  readonly writtenKb: number | null;
}

/** fengkong_event_loop_stalls_total of 20 ms or more, from our server's /metrics (null for a peer without it). */
async function stallsOf(p: Peer): Promise<number | null> {
  if (p.name !== 'fengkong') return null;
  const text = await (await fetch(`${p.url}/metrics`, { headers: p.headers })).text();
  const line = text.split('\n').find((l) => l.startsWith('fengkong_event_loop_stalls_total{at_least_seconds="0.02"} '));
  return line === undefined ? null : Number(line.split(' ')[1]);
}

async function steady(p: Peer): Promise<Tail> {
  const s0 = await stallsOf(p);
  const w0 = writtenOf(p.proc.pid);
  const r = await openLoop({ urls: [p.url], path: '/v1/decisions', headers: p.headers, rate, seconds, sockets: 32, splitMs: SPLIT_MS, body: () => transactionText('t', counter++, ids) });
  const s1 = await stallsOf(p);
  const w1 = writtenOf(p.proc.pid);
  return {
    p50: quantile(r.latencies, 0.5), p90: quantile(r.latencies, 0.9), p99: quantile(r.latencies, 0.99), max: r.latencies[r.latencies.length - 1] ?? NaN, failed: r.failed,
    p99Early: quantile(r.early ?? new Float64Array(0), 0.99), p99Late: quantile(r.late ?? new Float64Array(0), 0.99),
    stalls: s0 === null || s1 === null ? null : s1 - s0,
    writtenKb: w0 === null || w1 === null ? null : (w1 - w0) / 1024 / Math.max(1, r.ok),
  };
}

/** Full speed: answers/s, and the CPU µs per answer of the server (all threads, main thread) and of the load generator (null off Linux). */
interface Full {
  readonly rps: number;
  readonly serverUs: number | null;
  readonly mainUs: number | null;
  readonly generatorUs: number;
}

async function fullSpeed(p: Peer): Promise<Full> {
  const server0 = cpuOf(p.proc.pid);
  const own0 = ownCpuMs();
  const r = await autocannonRun(p);
  const server1 = cpuOf(p.proc.pid);
  const answers = Math.max(1, r['2xx']);
  const per = (ms: number): number => (ms * 1000) / answers;
  return {
    rps: r['2xx'] / r.duration,
    serverUs: server0 === null || server1 === null ? null : per(server1.processMs - server0.processMs),
    mainUs: server0 === null || server1 === null ? null : per(server1.mainMs - server0.mainMs),
    generatorUs: per(ownCpuMs() - own0),
  };
}

function autocannonRun(p: Peer): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: p.url,
        connections: 64,
        pipelining: 1,
        duration: burst,
        requests: [{ method: 'POST', path: '/v1/decisions', headers: { 'content-type': 'application/json', ...p.headers }, setupRequest: (req) => ({ ...req, body: transactionText('f', counter++) }) }],
      },
      (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
    );
  });
}

const us = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(0)} µs`);
const fmtCpu = (f: Full): string => `server ${us(f.serverUs)} (main thread ${us(f.mainUs)}), load generator ${us(f.generatorUs)}`;

const fmt = (t: Tail): string =>
  `p50 ${t.p50.toFixed(2)} / p90 ${t.p90.toFixed(2)} / p99 ${t.p99.toFixed(2)} ms (first ${SPLIT_MS / 1000} s ${t.p99Early.toFixed(1)}, rest ${t.p99Late.toFixed(1)}; max ${t.max.toFixed(1)})${t.stalls === null ? '' : `, ${t.stalls} event-loop stalls ≥ 20 ms`}${t.writtenKb === null ? '' : `, ${t.writtenKb.toFixed(1)} KB written per answer`}${t.failed > 0 ? `, ${t.failed} failed` : ''}`;

const fastify = await startFastify();
try {
  process.stderr.write(`open loop ${rate}/s × ${seconds} s, full speed 64 connections × ${burst} s, ${rounds} rounds; load average ${loadavg()[0].toFixed(1)}; ids ${ids}${serveArgs.length > 0 ? `; serve ${serveArgs.join(' ')}` : ''}\n`);
  await steady(fastify); // warm-up
  for (let r = 0; r < rounds; r++) {
    const ours = await startOurs();
    try {
      const fFresh = await steady(fastify);
      const oFresh = await steady(ours);
      const fFull = await fullSpeed(fastify);
      const fAfter = await steady(fastify);
      const oFull = await fullSpeed(ours);
      const oAfter = await steady(ours);
      console.log(`round ${r + 1} (load average ${loadavg()[0].toFixed(1)}):`);
      console.log(`  fresh      ours ${fmt(oFresh)}; fastify ${fmt(fFresh)}; p99 ${(oFresh.p99 / fFresh.p99).toFixed(2)}× fastify's`);
      console.log(`  full speed ours ${Math.round(oFull.rps)}/s, fastify ${Math.round(fFull.rps)}/s: ${((100 * oFull.rps) / fFull.rps).toFixed(0)} %`);
      console.log(`  CPU per answer at full speed: ours ${fmtCpu(oFull)}; fastify ${fmtCpu(fFull)}`);
      // Half of Fastify's rate leaves our event loop (one core at most) 1e6 / (rate / 2) µs per answer,
      // and the whole server two cores' worth less what the load generator takes at that rate.
      const half = fFull.rps / 2;
      console.log(
        `  50 % of fastify (${Math.round(half)}/s) allows our main thread ≤ ${(1e6 / half).toFixed(0)} µs per answer ` +
          `and the whole server ≤ ${((2e6 / half) - oFull.generatorUs).toFixed(0)} µs (two cores less the load generator's)`,
      );
      console.log(`  after it   ours ${fmt(oAfter)}; fastify ${fmt(fAfter)}; p99 ${(oAfter.p99 / fAfter.p99).toFixed(2)}× fastify's`);
    } finally {
      await stopServe(ours);
      rmSync(ours.dir, { recursive: true, force: true });
    }
  }
} finally {
  fastify.proc.kill('SIGTERM');
}
