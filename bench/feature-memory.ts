/**
 * Memory of account windows at production scale: 1M accounts, each with the usual eight account
 * windows and ~5 payments over a few days, against the budget of 1.5 GB for 1M accounts.
 *
 *   node --expose-gc dist/bench/feature-memory.js [--keys N]
 *
 * Progress goes to stderr, figures to stdout. Without --expose-gc the figures include garbage.
 */
import { WindowLayout, type WindowSpec } from '../src/features/window-layout.js';
import { KeyedWindows } from '../src/features/keyed-windows.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BUDGET_BYTES = 1.5 * 1024 ** 3;
const MB = 1024 * 1024;

/** The default account windows of the shipped policy, plus max and 30-day devices. */
const ACCOUNT_WINDOWS: readonly WindowSpec[] = [
  { agg: 'count', lengthMs: 10 * MIN, buckets: 12 },
  { agg: 'count', lengthMs: HOUR, buckets: 12 },
  { agg: 'count', lengthMs: DAY, buckets: 24 },
  { agg: 'sum', lengthMs: DAY, buckets: 24 },
  { agg: 'mean', lengthMs: 30 * DAY, buckets: 30 },
  { agg: 'max', lengthMs: 30 * DAY, buckets: 30 },
  { agg: 'distinct', lengthMs: DAY, buckets: 24 }, // merchants
  { agg: 'distinct', lengthMs: 30 * DAY, buckets: 30 }, // devices
];

function argKeys(argv: readonly string[]): number {
  const i = argv.indexOf('--keys');
  const n = i >= 0 ? Number(argv[i + 1]) : 1_000_000;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('--keys wants a positive integer');
  return n;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function settle(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
}

function main(): void {
  const keys = argKeys(process.argv.slice(2));
  const r = prng(20240601);
  const merchants = Array.from({ length: 50_000 }, (_, i) => 'M' + String(i).padStart(12, '0'));
  const devices = Array.from({ length: 200_000 }, (_, i) => 'D' + i.toString(36).padStart(16, '0'));
  const base = settle();

  const layout = new WindowLayout(ACCOUNT_WINDOWS);
  const kw = new KeyedWindows(layout);
  const t0 = 1_717_200_000_000;
  const ts = new Float64Array(5);
  let events = 0;
  const started = process.hrtime.bigint();
  for (let k = 0; k < keys; k++) {
    const key = 'A' + String(k).padStart(10, '0');
    const n = 3 + Math.floor(r() * 5); // 3..7 payments, ~5 on average, over three days
    for (let e = 0; e < n; e++) ts[e] = t0 + Math.floor(r() * 3 * DAY);
    ts.subarray(0, n).sort();
    const device = devices[Math.floor(r() * devices.length)];
    const st = kw.getOrCreate(key);
    for (let e = 0; e < n; e++) {
      const t = ts[e], amount = Math.floor(r() * 200_000) / 100;
      for (let i = 0; i < 6; i++) layout.add(st, i, t, amount);
      layout.addDistinct(st, 6, t, merchants[Math.floor(r() * merchants.length)]);
      layout.addDistinct(st, 7, t, r() < 0.9 ? device : devices[Math.floor(r() * devices.length)]);
    }
    events += n;
    if ((k + 1) % 100_000 === 0) process.stderr.write(`${k + 1} keys, rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB\n`);
  }
  const buildNs = Number(process.hrtime.bigint() - started);
  // every window of every key, read at the end of the feed
  const now = t0 + 3 * DAY;
  let sink = 0;
  const readStart = process.hrtime.bigint();
  for (let k = 0; k < keys; k++) {
    const st = kw.get('A' + String(k).padStart(10, '0'));
    if (st) for (let i = 0; i < ACCOUNT_WINDOWS.length; i++) sink += layout.read(st, i, now) || 0;
  }
  const readNs = Number(process.hrtime.bigint() - readStart);
  const m = settle();
  const perKeyRss = (m.rss - base.rss) / keys;
  const perKeyHeap = (m.heapUsed - base.heapUsed) / keys;
  const perKeyBuffers = (m.arrayBuffers - base.arrayBuffers) / keys;
  const out = {
    keys,
    events,
    windowsPerKey: ACCOUNT_WINDOWS.length,
    f64PerKey: layout.f64PerKey,
    u32PerKey: layout.u32PerKey,
    rssMB: +(m.rss / MB).toFixed(1),
    heapUsedMB: +(m.heapUsed / MB).toFixed(1),
    arrayBuffersMB: +(m.arrayBuffers / MB).toFixed(1),
    baselineRssMB: +(base.rss / MB).toFixed(1),
    bytesPerKeyRss: Math.round(perKeyRss),
    bytesPerKeyHeap: Math.round(perKeyHeap),
    bytesPerKeyTypedArrays: Math.round(perKeyBuffers),
    approxBytesPerKey: Math.round(kw.approxBytes() / keys),
    rssOverBudget: +(m.rss / BUDGET_BYTES).toFixed(3),
    rssOverBudgetScaledTo1M: +(((perKeyRss * 1_000_000 + base.rss) / BUDGET_BYTES)).toFixed(3),
    // feeding includes the PRNG, the key string and the Map; reading includes the key string and Map lookup
    nsPerEventFeedingAllWindows: Math.round(buildNs / events),
    nsPerKeyReadingAllWindows: Math.round(readNs / keys),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
  // keeps the reads, and the pools counted in the baseline, from being optimised away
  if (sink === -1 || merchants.length + devices.length === 0) out.keys = -1;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main();
