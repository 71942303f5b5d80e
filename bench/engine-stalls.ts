/**
 * The engine's longest single decisions at a credit provider's scale: hundreds of thousands of
 * accounts paying across thousands of merchants, in process, default policy. A p99 hides what a
 * payment at the till feels once in a while: a decision that holds the thread for 100 ms or more
 * while the engine does housekeeping all at once (a sweep of every expired key, a hash table
 * doubling, a major garbage collection). Each decision over 20 ms is printed with what overlapped
 * it — a garbage collection the runtime reported, or the engine's own work — beside a floor run in
 * the same process: the same loop parsing the same payments without deciding them.
 *
 * usage: node --max-old-space-size=8000 dist/bench/engine-stalls.js [--accounts 300000] [--payments 600000] [--merchants 20000]
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseEvent } from '../src/contract/parse.js';
import type { FkEvent } from '../src/contract/events.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node --max-old-space-size=8000 dist/bench/engine-stalls.js [--accounts 300000] [--payments 600000] [--merchants 20000]');

function count(name: string, fallback: number): number {
  const v = Number(flag(name) ?? fallback);
  if (!Number.isSafeInteger(v) || v < 1) {
    process.stderr.write(`engine-stalls: --${name}: expected a positive whole number, got ${JSON.stringify(flag(name))}\n`);
    process.exit(1);
  }
  return v;
}
const accounts = count('accounts', 300_000);
const payments = count('payments', 600_000);
const merchants = count('merchants', 20_000);
const SLOW_MS = 20;
const START = Date.UTC(2026, 10, 1);
const iso = (t: number): string => new Date(t).toISOString();

/** Deterministic uniform [0, 1). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296;
}

function reference(): FkEvent[] {
  const ts = iso(START - 86_400_000);
  const out: FkEvent[] = [parseEvent({ type: 'acquirer', ts, acquirerId: '48020000', name: '持牌支付', licensed: true })];
  for (let m = 0; m < merchants; m++) {
    const geo = { lat: 22.5 + (m % 100) / 1000, lon: 114 + (m % 90) / 1000 };
    out.push(parseEvent({ type: 'merchant', ts, merchantId: `M${m}`, acquirerId: '48020000', name: `商户${m}`, mcc: '5411', geo, region: '440304' }));
    out.push(parseEvent({ type: 'terminal', ts, terminalId: `T${m}`, merchantId: `M${m}`, acquirerId: '48020000', geo }));
  }
  for (let a = 0; a < accounts; a++) {
    out.push(parseEvent({ type: 'account', ts, accountId: `acc-${a}`, creditLimit: 1_000_000, home: { lat: 22.5, lon: 114 }, kyc: 'full', openedAt: iso(START - 400 * 86_400_000) }));
  }
  return out;
}

/** Payment i: a random account at a random merchant, 100 ms after the one before (600,000 ≈ 17 hours). */
function payment(i: number, rnd: () => number): FkEvent {
  const a = Math.floor(rnd() * accounts);
  const m = Math.floor(rnd() * merchants);
  return parseEvent({
    type: 'transaction', id: `t${i}`, ts: iso(START + i * 100), accountId: `acc-${a}`, amount: 500 + Math.floor(rnd() * 50_000),
    currency: 'CNY', merchantId: `M${m}`, terminalId: `T${m}`, mcc: '5411', acquirerId: '48020000',
    geo: { lat: 22.5 + (m % 100) / 1000, lon: 114 + (m % 90) / 1000 }, deviceId: `dev-${a}`, ip: `10.${a % 250}.${m % 250}.1`, channel: 'qr',
  });
}

interface Slow {
  readonly at: number;
  readonly ms: number;
  readonly start: number;
}

/** Times `step(i)` for i < n; the sorted ms and the steps over SLOW_MS with their start (performance.now). */
function timed(n: number, step: (i: number) => void): { sorted: Float64Array; slow: Slow[] } {
  const ms = new Float64Array(n);
  const slow: Slow[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    step(i);
    const d = performance.now() - t;
    ms[i] = d;
    if (d > SLOW_MS) slow.push({ at: i, ms: d, start: t });
  }
  return { sorted: ms.sort(), slow };
}

const gcs: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });

process.stderr.write(`engine-stalls: ${accounts} accounts, ${merchants} merchants, ${payments} payments …\n`);
const engine = new Engine(loadPolicy());
const ref = reference();
const reg = timed(ref.length, (i) => engine.apply(ref[i]));
let rnd = lcg(7);
const floor = timed(payments, (i) => payment(i, rnd));
rnd = lcg(7);
const decide = timed(payments, (i) => engine.apply(payment(i, rnd)));
await new Promise((r) => setTimeout(r, 50)); // let the observer deliver the last entries
observer.disconnect();

const MAJOR = 4; // NODE_PERFORMANCE_GC_MAJOR
/** What overlapped a slow step: the garbage collections the runtime reported in its interval. */
function cause(s: Slow): string {
  const hit = gcs.filter((g) => g.startTime < s.start + s.ms && g.startTime + g.duration > s.start);
  if (hit.length === 0) return 'engine';
  return hit.map((g) => `${(g as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === MAJOR ? 'major GC' : 'GC'} ${g.duration.toFixed(0)} ms`).join(' + ');
}

const row = (name: string, r: { sorted: Float64Array; slow: Slow[] }): string =>
  `  ${name.padEnd(30)} p50 ${(quantile(r.sorted, 0.5) * 1000).toFixed(1).padStart(6)} µs  p99 ${(quantile(r.sorted, 0.99) * 1000).toFixed(1).padStart(7)} µs  ` +
  `max ${r.sorted[r.sorted.length - 1].toFixed(1).padStart(6)} ms  over ${SLOW_MS} ms: ${r.slow.length}`;
console.log(`engine-stalls: ${accounts} accounts, ${merchants} merchants, ${payments} payments (default policy, in process)`);
console.log(row('registration events', reg));
console.log(row('floor: build + parse a payment', floor));
console.log(row('the same + engine.apply', decide));
const engineOwn = decide.slow.filter((s) => cause(s) === 'engine');
console.log(`  decisions over ${SLOW_MS} ms: ${decide.slow.length} (${engineOwn.length} with no garbage collection in them); floor's: ${floor.slow.length}`);
for (const s of decide.slow) console.log(`    payment ${String(s.at).padStart(7)}: ${s.ms.toFixed(0).padStart(4)} ms — ${cause(s)}`);
