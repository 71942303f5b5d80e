/**
 * Decisions over HTTP on one and on two cluster nodes (`fengkong serve --nats … --postgres …`) beside
 * the embedded server (`fengkong serve --data …`), same client, same run (docs/scale-out.md,
 * "Measured"). Each configuration gets the same reference data, then, per round and in turns:
 *   - throughput: autocannon, `--connections` keep-alive connections, pipelining 1 (two nodes: half
 *     the connections on each) → decisions/s and p99;
 *   - latency at a rate: an open-loop load of `--rate` requests/s (bench/open-loop.ts: requests leave
 *     on schedule, latency from the scheduled time; two nodes fed alternately) → p50, p99.
 * And the cost per decision: CPU of the serving processes and of the services (nats-server, postgres;
 * from /proc — the embedded row's service CPU is whatever else those did meanwhile), JetStream messages and bytes
 * appended per decision (from the stream), Redis operations (none with one partition: shared-key
 * windows in Redis come with P > 1).
 *
 * usage: node dist/bench/cluster-vs-embedded.js [--connections 32] [--duration 8] [--rate 1000] [--rounds 2] [--setups embedded,1,2,2p2]
 * (`2p2`: two nodes of a cluster of two partitions, one owned by each)
 * Needs PostgreSQL, NATS (JetStream) on loopback (.ci/services starts them).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { connectCluster } from '../src/store/nats/connect.js';
import { benchCluster, NATS } from './cluster-place.js';
import { openLoop } from './open-loop.js';
import { FENGKONG, spawnServe, stopServe } from './serve-child.js';
import { registerReference, transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/cluster-vs-embedded.js [--connections 32] [--duration 8] [--rate 1000] [--rounds 2] [--setups embedded,1,2,2p2]');

const connections = Number(flag('connections') ?? '32');
const duration = Number(flag('duration') ?? '8');
const rate = Number(flag('rate') ?? '1000');
const rounds = Number(flag('rounds') ?? '2');

interface Proc {
  readonly url: string;
  readonly proc: ChildProcess;
}

const serve = spawnServe;
const stop = stopServe;

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** PIDs of the services' processes (NATS server, every PostgreSQL backend), for their CPU per decision. */
function servicePids(): number[] {
  const out: number[] = [];
  for (const name of ['nats-server', 'postgres']) {
    try {
      out.push(...execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter((x) => x !== '').map(Number));
    } catch {
      // none running under that name
    }
  }
  return out;
}

/** CPU seconds of each of `pids` still running. */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const t = new Map<number, number>();
  for (const pid of pids) {
    try {
      t.set(pid, cpuSeconds(pid));
    } catch {
      // gone (a PostgreSQL backend whose connection closed)
    }
  }
  return t;
}

/** CPU seconds used between two readings, by the processes present in both. */
function cpuBetween(a: Map<number, number>, b: Map<number, number>): number {
  let t = 0;
  for (const [pid, after] of b) {
    const before = a.get(pid);
    if (before !== undefined) t += after - before;
  }
  return t;
}

/** One setup under test: its URLs (one or two), its key, and its processes. */
interface Setup {
  readonly name: string;
  readonly urls: readonly string[];
  readonly key: string;
  readonly procs: readonly Proc[];
  /** JetStream messages and bytes in the cluster's stream (null: embedded). */
  stream(): Promise<{ messages: number; bytes: number } | null>;
  close(): Promise<void>;
}

let counter = 0;

async function throughput(s: Setup): Promise<{ rps: number; p99: number }> {
  const per = Math.max(1, Math.floor(connections / s.urls.length));
  const results = await Promise.all(
    s.urls.map(
      (url) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          autocannon(
            {
              url,
              connections: per,
              pipelining: 1,
              duration,
              requests: [{ method: 'POST', path: '/v1/decisions', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` }, setupRequest: (req) => ({ ...req, body: transactionText('c', counter++) }) }],
            },
            (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)),
          );
        }),
    ),
  );
  for (const r of results) if (r.non2xx > 0 || r.errors > 0) process.stderr.write(`  ${s.name}: ${r.non2xx} non-2xx, ${r.errors} errors\n`);
  return { rps: results.reduce((a, r) => a + r['2xx'] / r.duration, 0), p99: Math.max(...results.map((r) => r.latency.p99)) };
}

async function atRate(s: Setup): Promise<{ p50: number; p99: number; failed: number }> {
  const r = await openLoop({ urls: s.urls, path: '/v1/decisions', headers: { authorization: `Bearer ${s.key}` }, rate, seconds: duration, body: () => transactionText('o', counter++) });
  return { p50: quantile(r.latencies, 0.5), p99: quantile(r.latencies, 0.99), failed: r.failed };
}

async function embedded(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-bench-emb-'));
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const p = await serve(['--data', dir]);
  await registerReference(p.url, key);
  return {
    name: 'embedded',
    urls: [p.url],
    key,
    procs: [p],
    stream: async () => null,
    close: async () => {
      await stop(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function cluster(nodes: number, partitions = 1): Promise<Setup> {
  const place = await benchCluster('b');
  const { base, key } = place;
  const procs: Proc[] = [];
  for (let i = 0; i < nodes; i++) {
    procs.push(await serve(['--nats', NATS, ...base, '--node-id', `n${i}`, ...(i === 0 && partitions > 1 ? ['--partitions', String(partitions)] : [])]));
    // the first node takes the partition before the next starts, so the roles are known
    if (i === 0) await waitOwner(procs[0].url, key);
  }
  // several partitions: each node owns its share before the runs
  if (partitions > 1) for (const p of procs) await waitOwner(p.url, key);
  await registerReference(procs[0].url, key);
  const nc = await connectCluster({ url: NATS, cluster: place.name });
  return {
    name: `cluster, ${nodes} node${nodes > 1 ? 's' : ''}${partitions > 1 ? `, P = ${partitions}` : ''}`,
    urls: procs.map((p) => p.url),
    key,
    procs,
    stream: async () => {
      const info = await nc.jsm.streams.info(nc.names.stream);
      return { messages: info.state.messages, bytes: info.state.bytes };
    },
    close: async () => {
      for (const p of procs) await stop(p);
      await nc.close();
      await place.drop();
    },
  };
}

async function waitOwner(url: string, key: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const h = (await (await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${key}` } })).json()) as { partitions?: { role: string }[] };
    if (h.partitions?.some((p) => p.role === 'owning') === true) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the first node did not take the partition');
}

interface Row {
  rps: number[];
  p99: number[];
  rateP50: number[];
  rateP99: number[];
  cpuMsPerDecision: number[];
  serviceCpuMsPerDecision: number[];
  messagesPerDecision: number[];
  bytesPerDecision: number[];
}

const setups: Setup[] = [];
try {
  const which = (flag('setups') ?? 'embedded,1,2,2p2').split(',');
  if (which.includes('embedded')) setups.push(await embedded());
  if (which.includes('1')) setups.push(await cluster(1));
  if (which.includes('2')) setups.push(await cluster(2));
  if (which.includes('2p2')) setups.push(await cluster(2, 2));
  process.stderr.write(`setups up (load average ${loadavg()[0].toFixed(1)}); ${connections} connections, ${duration} s per run, open loop ${rate}/s, ${rounds} rounds\n`);
  for (const s of setups) await throughput({ ...s }); // warm-up
  const rows = new Map<string, Row>(setups.map((s) => [s.name, { rps: [], p99: [], rateP50: [], rateP99: [], cpuMsPerDecision: [], serviceCpuMsPerDecision: [], messagesPerDecision: [], bytesPerDecision: [] }]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? setups : [...setups].reverse();
    for (const s of order) {
      const row = rows.get(s.name)!;
      const cpu0 = s.procs.reduce((a, p) => a + cpuSeconds(p.proc.pid!), 0);
      const services = servicePids();
      const svc0 = cpuOf(services);
      const st0 = await s.stream();
      const before = counter;
      const t = await throughput(s);
      const decided = counter - before;
      const cpu1 = s.procs.reduce((a, p) => a + cpuSeconds(p.proc.pid!), 0);
      const svc1 = cpuOf(services);
      const st1 = await s.stream();
      const o = await atRate(s);
      row.rps.push(t.rps);
      row.p99.push(t.p99);
      row.rateP50.push(o.p50);
      row.rateP99.push(o.p99);
      row.cpuMsPerDecision.push(((cpu1 - cpu0) * 1000) / decided);
      row.serviceCpuMsPerDecision.push((cpuBetween(svc0, svc1) * 1000) / decided);
      if (st0 !== null && st1 !== null) {
        row.messagesPerDecision.push((st1.messages - st0.messages) / decided);
        row.bytesPerDecision.push((st1.bytes - st0.bytes) / decided);
      }
      process.stderr.write(`round ${r + 1} ${s.name}: ${Math.round(t.rps)} decisions/s (p99 ${t.p99} ms); at ${rate}/s p50 ${o.p50.toFixed(2)} ms p99 ${o.p99.toFixed(2)} ms${o.failed > 0 ? `, ${o.failed} failed` : ''}\n`);
    }
  }
  // the median of the rounds (of an even count, the mean of the middle two)
  const med = (xs: number[]): number => {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const span = (xs: number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
  const base = med(rows.get('embedded')?.rps ?? [NaN]);
  console.log(`cluster-vs-embedded: ${connections} connections × ${duration} s (throughput), open loop ${rate}/s × ${duration} s (latency), medians of ${rounds} rounds; load average ${loadavg()[0].toFixed(1)}`);
  for (const s of setups) {
    const row = rows.get(s.name)!;
    const js = row.messagesPerDecision.length > 0 ? `; JetStream ${med(row.messagesPerDecision).toFixed(3)} messages and ${Math.round(med(row.bytesPerDecision))} bytes per decision; Redis 0 operations` : '';
    console.log(
      `  ${s.name.padEnd(18)} ${String(Math.round(med(row.rps))).padStart(6)} decisions/s (rounds ${span(row.rps)}; ${(med(row.rps) / base).toFixed(2)}× embedded), p99 ${med(row.p99)} ms; ` +
        `at ${rate}/s p50 ${med(row.rateP50).toFixed(2)} ms (${span(row.rateP50, 2)}), p99 ${med(row.rateP99).toFixed(1)} ms (${span(row.rateP99, 1)}); CPU ${med(row.cpuMsPerDecision).toFixed(3)} ms per decision on the node(s), ${med(row.serviceCpuMsPerDecision).toFixed(3)} ms in NATS + PostgreSQL${js}`,
    );
  }
} finally {
  for (const s of setups) await s.close().catch((e: unknown) => process.stderr.write(`cleanup of ${s.name} failed: ${(e as Error).message}\n`));
}
