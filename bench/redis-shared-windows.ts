/**
 * The Redis cost of shared-key windows (docs/scale-out.md, "Capacity model", build plan step 4):
 * per payment four keys — merchant, terminal, device, IP — each with a realistic window group
 * (count and sum over 1 h in 24 buckets, count over 24 h, distinct accounts over 24 h), one script
 * per key, the four pipelined, `--concurrency` payments in flight on one connection. Measured:
 * payments/s, round trip of one payment's four scripts (p50/p99, under that load and alone), Redis
 * server CPU, commands and network bytes per payment (INFO deltas), and memory per key (MEMORY USAGE).
 *
 * The floor, in the same run and the same way (same connection, concurrency and keys): four plain
 * pipelined HINCRBY per payment, what a script-less design would send at the least. Phases alternate
 * round by round so both see the machine's conditions; the ratios are printed.
 *
 * usage: node dist/bench/redis-shared-windows.js [--url redis://127.0.0.1:6379] [--payments 20000]
 *        [--concurrency 64] [--rounds 3] [--serial 2000]
 * Writes under a cluster prefix `fk:bench_<random>:` and deletes every key of it at the end. The INFO
 * counters are the server's: run it when nothing else uses that server.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Keyring } from '../src/crypto/index.js';
import { openRedisCluster } from '../src/store/redis/client.js';
import { SharedWindowGroup, type SharedKeyKind } from '../src/store/redis/shared-window-group.js';
import { SharedWindowStore, type SharedKeyUpdate } from '../src/store/redis/shared-windows.js';
import { delta, readCounters, type RedisDelta } from './redis-info.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp(
  'usage: node dist/bench/redis-shared-windows.js [--url redis://127.0.0.1:6379] [--payments 20000] [--concurrency 64] [--rounds 3] [--serial 2000]\n' +
    'Redis cost of shared-key windows (4 scripts a payment, pipelined) against 4 plain pipelined HINCRBY a payment.',
);

const URL = flag('url') ?? 'redis://127.0.0.1:6379';
const PAYMENTS = Number(flag('payments') ?? '20000');
const CONCURRENCY = Number(flag('concurrency') ?? '64');
const ROUNDS = Number(flag('rounds') ?? '3');
const SERIAL = Number(flag('serial') ?? '2000');
const HOUR = 3_600_000;

const GROUP = new SharedWindowGroup('bench', [
  { agg: 'count', lengthMs: HOUR, buckets: 24 },
  { agg: 'sum', lengthMs: HOUR, buckets: 24 },
  { agg: 'count', lengthMs: 24 * HOUR, buckets: 24 },
  { agg: 'distinct', lengthMs: 24 * HOUR, buckets: 24 },
]);

/** Population: merchants skewed (a few busy ones), 5 terminals each, devices and IPs mostly seen a few times. */
const MERCHANTS = 300, DEVICES = 50_000, IPS = 30_000, ACCOUNTS = 100_000;
const TOTAL = (ROUNDS + 1) * PAYMENTS + SERIAL;
/** The run covers 26 h of event time, so every window fills and buckets are trimmed. */
const STEP_MS = Math.max(1, Math.floor((26 * HOUR) / TOTAL));
const T0 = 1_750_000_000_000;

let seed = 0x5eed;
function rnd(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Payment {
  readonly ts: number;
  readonly keys: readonly (readonly [SharedKeyKind, string])[];
  readonly amount: number;
  readonly account: string;
}

const stream: Payment[] = [];
for (let n = 0; n < TOTAL; n++) {
  const m = Math.floor(MERCHANTS * rnd() ** 2);
  stream.push({
    ts: T0 + n * STEP_MS,
    keys: [
      ['merchant', `M${m}`],
      ['terminal', `M${m}-T${Math.floor(rnd() * 5)}`],
      ['device', `D${Math.floor(rnd() * DEVICES)}`],
      ['ip', `10.${Math.floor(rnd() * IPS)}`],
    ],
    amount: 100 + Math.floor(rnd() * 500_000),
    account: `A${Math.floor(rnd() * ACCOUNTS)}`,
  });
}

function updates(p: Payment): SharedKeyUpdate[] {
  return p.keys.map(([kind, id]) => ({ kind, id, group: GROUP, values: [1, p.amount, 1, p.account] }));
}

/** Runs payments [from, from + n) with `conc` in flight; per-payment round trips in ms and the wall time. */
async function drive(from: number, n: number, conc: number, one: (p: Payment) => Promise<unknown>): Promise<{ ms: number[]; wallMs: number }> {
  const ms = new Array<number>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await one(stream[from + i]);
      ms[i] = performance.now() - t;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(conc, n) }, worker));
  const wallMs = performance.now() - t0;
  ms.sort((a, b) => a - b);
  return { ms, wallMs };
}

interface Phase {
  readonly perS: number;
  readonly p50: number;
  readonly p99: number;
  readonly d: RedisDelta;
  readonly clientMs: number;
  readonly n: number;
}

async function phase(admin: Redis, from: number, n: number, conc: number, one: (p: Payment) => Promise<unknown>): Promise<Phase> {
  const before = await readCounters(admin);
  const cpu0 = process.cpuUsage();
  const { ms, wallMs } = await drive(from, n, conc, one);
  const cpu = process.cpuUsage(cpu0);
  const after = await readCounters(admin);
  return { perS: (n / wallMs) * 1000, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), d: delta(before, after), clientMs: (cpu.user + cpu.system) / 1000, n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function describe(name: string, ps: Phase[], floor?: Phase[]): string[] {
  const per = (f: (p: Phase) => number): number => median(ps.map(f));
  const ratio = (f: (p: Phase) => number): string => (floor ? `  ×floor ${(per(f) / median(floor.map(f))).toFixed(2)}` : '');
  const perS = per((p) => p.perS), p50 = per((p) => p.p50), p99 = per((p) => p.p99);
  const cpuUs = per((p) => (p.d.cpuS * 1e6) / p.n), cmds = per((p) => p.d.totalCalls / p.n);
  const bytesIn = per((p) => p.d.netIn / p.n), bytesOut = per((p) => p.d.netOut / p.n), clientUs = per((p) => (p.clientMs * 1000) / p.n);
  const span = (f: (p: Phase) => number, d: number): string => (ps.length > 1 ? ` (${Math.min(...ps.map(f)).toFixed(d)}–${Math.max(...ps.map(f)).toFixed(d)})` : '');
  return [
    `${name}`,
    `  payments/s           ${perS.toFixed(0).padStart(9)}${span((p) => p.perS, 0)}${ratio((p) => p.perS)}`,
    `  round trip p50/p99   ${p50.toFixed(3)} / ${p99.toFixed(3)} ms${ratio((p) => p.p50)} (p50)`,
    `  Redis CPU / payment  ${cpuUs.toFixed(1).padStart(9)} µs${span((p) => (p.d.cpuS * 1e6) / p.n, 1)}${ratio((p) => p.d.cpuS / p.n)}  → one Redis core: ${(1e6 / cpuUs).toFixed(0)} payments/s`,
    `  commands / payment   ${cmds.toFixed(1).padStart(9)}${ratio((p) => p.d.totalCalls / p.n)}  (${[...ps[0].d.calls].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / ps[0].n).toFixed(2)}`).join(', ')})`,
 `  server time / payment by command (commandstats; a script's includes its commands): ${[...ps[0].d.usec].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / ps[0].n).toFixed(1)} µs`).join(', ')}`,
    `  bytes / payment      ${bytesIn.toFixed(0).padStart(9)} in, ${bytesOut.toFixed(0)} out${ratio((p) => (p.d.netIn + p.d.netOut) / p.n)} (in+out)`,
    `  client CPU / payment ${clientUs.toFixed(1).padStart(9)} µs${ratio((p) => p.clientMs / p.n)}`,
  ];
}

/** MEMORY USAGE of every key of the run, per kind: bytes per key (its hash and its distinct set). */
async function memoryPerKey(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}w:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const bytes = new Map<string, { keys: number; bytes: number; max: number; fields: number }>();
  const perKey = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 1000) {
    const p = admin.pipeline();
    const chunk = keys.slice(i, i + 1000);
    for (const k of chunk) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    for (const k of chunk) if (!/:d\d+$/.test(k)) p.hlen(k);
    const r = (await p.exec()) ?? [];
    let h = chunk.length;
    chunk.forEach((k, j) => {
      const tag = /\{(.):/.exec(k)?.[1] ?? '?';
      const s = bytes.get(tag) ?? { keys: 0, bytes: 0, max: 0, fields: 0 };
      const b = Number(r[j][1]);
      s.bytes += b;
      const base = k.replace(/:d\d+$/, '');
      perKey.set(base, (perKey.get(base) ?? 0) + b);
      if (!/:d\d+$/.test(k)) {
        s.keys++;
        s.fields += Number(r[h++][1]);
      }
      bytes.set(tag, s);
    });
  }
  for (const [base, b] of perKey) {
    const s = bytes.get(/\{(.):/.exec(base)?.[1] ?? '?');
    if (s && b > s.max) s.max = b;
  }
  const names: Record<string, string> = { m: 'merchant', t: 'terminal', d: 'device', i: 'ip' };
  return [...bytes].map(([tag, s]) =>
    `  ${(names[tag] ?? tag).padEnd(9)} ${String(s.keys).padStart(6)} keys  ${(s.bytes / s.keys).toFixed(0).padStart(6)} bytes/key (hash + distinct set)  largest ${s.max} bytes  ${(s.fields / s.keys).toFixed(1)} hash fields/key`,
  );
}

const cluster = `bench_${randomBytes(4).toString('hex')}`;
const rc = await openRedisCluster(URL, cluster);
const admin = rc.redis.duplicate({ keyPrefix: '' });
try {
  const store = new SharedWindowStore(rc.redis, new Keyring(randomBytes(32), [], cluster));
  await store.load();
  const script = (p: Payment): Promise<unknown> => store.apply(p.ts, updates(p));
  const tags: Record<SharedKeyKind, string> = { merchant: 'm', terminal: 't', device: 'd', ip: 'i' };
  const floorOne = (p: Payment): Promise<unknown> => {
    const pl = rc.redis.pipeline();
    const field = String(Math.floor(p.ts / 150_000));
    for (const [kind, id] of p.keys) pl.hincrby(`f:{${tags[kind]}:${id}}`, field, p.amount);
    return pl.exec();
  };
  const mem0 = (await readCounters(admin)).usedMemory;
  // warm-up: the first round's worth of payments fills the windows before anything is measured
  await drive(0, PAYMENTS, CONCURRENCY, script);
  const scripts: Phase[] = [];
  const floors: Phase[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    scripts.push(await phase(admin, r * PAYMENTS, PAYMENTS, CONCURRENCY, script));
    floors.push(await phase(admin, r * PAYMENTS, PAYMENTS, CONCURRENCY, floorOne));
  }
  const from = (ROUNDS + 1) * PAYMENTS;
  const serialScript = await phase(admin, from, SERIAL, 1, script);
  const serialFloor = await phase(admin, from, SERIAL, 1, floorOne);
  const mem1 = (await readCounters(admin)).usedMemory;
  const info = await admin.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  const out = [
    `Redis ${version} at ${URL}: ${PAYMENTS} payments × ${ROUNDS} rounds at ${CONCURRENCY} in flight on one connection (after ${PAYMENTS} warm-up), event time ${(TOTAL * STEP_MS / HOUR).toFixed(1)} h`,
    `4 keys a payment (merchant, terminal, device, IP) × group [count 1h/24, sum 1h/24, count 24h/24, distinct accounts 24h/24]; medians of rounds (span)`,
    ...describe('floor: 4 plain HINCRBY a payment, pipelined', floors),
    ...describe('shared windows: 4 scripts a payment, pipelined (EVALSHA)', scripts, floors),
    `alone (1 payment in flight, ${SERIAL} payments): scripts p50 ${serialScript.p50.toFixed(3)} / p99 ${serialScript.p99.toFixed(3)} ms, floor p50 ${serialFloor.p50.toFixed(3)} / p99 ${serialFloor.p99.toFixed(3)} ms, ×floor p50 ${(serialScript.p50 / serialFloor.p50).toFixed(2)} p99 ${(serialScript.p99 / serialFloor.p99).toFixed(2)}`,
    `memory per key after the run (MEMORY USAGE ... SAMPLES 0; used_memory grew ${((mem1 - mem0) / 1048576).toFixed(1)} MiB, floor keys included):`,
    ...(await memoryPerKey(admin, rc.prefix)),
  ];
  process.stdout.write(out.join('\n') + '\n');
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${rc.prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  admin.disconnect();
  await rc.close();
}
