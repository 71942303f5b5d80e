/**
 * Resident memory of the engine's feature state for N active accounts (default 1,000,000) with
 * the default policy's windows — account, account×merchant, device, IP, merchant and terminal
 * windows plus each account's memory (devices, last payment, limits) and the registry — against
 * the budget of 1.5 GB for 1M accounts. Each account is registered and makes 3 payments over
 * 3 days at a merchant from a pool, with its own phone and IP, through the real Engine. The txId
 * index that lets labels name a payment (LabelKnowledge, ~60 B a payment for 30 days) is journal-like
 * data, not feature state, and is left out here.
 *
 *   node --expose-gc dist/bench/feature-memory.js [--accounts N]
 *
 * Progress goes to stderr, figures to stdout. Without --expose-gc the figures include garbage.
 */
import type { AccountEvent, TransactionEvent } from '../src/contract/events.js';
import { formatShanghai } from '../src/contract/time.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node --expose-gc dist/bench/feature-memory.js [--accounts N]');

const MB = 1024 * 1024;
const BUDGET_BYTES = 1.5 * 1024 ** 3;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 1, 0, 0, 0);
const PAYMENTS = 3;
const SPAN = 72 * HOUR;
const MERCHANTS = 20_000;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

const accounts = Number(flag('accounts') ?? '1000000');
gc();
const base = process.memoryUsage();
const engine = new Engine(loadPolicy(), { indexPayments: false });
const ts = formatShanghai(START - HOUR);
for (let a = 0; a < accounts; a++) {
  const e: AccountEvent = {
    type: 'account', ts, t: START - HOUR, accountId: `acc-${a}`, creditLimit: 1_000_000 + (a % 40) * 50_000,
    home: { lat: 22.5 + (a % 100) / 1000, lon: 114 + (a % 97) / 1000 }, kyc: 'full', openedAt: undefined, openedAtT: undefined,
  };
  engine.apply(e);
}
process.stderr.write(`registered ${accounts} accounts\n`);

// Payment i (account i / PAYMENTS) happens at a pseudo-random minute of the span; payments are
// replayed minute by minute (a counting sort: no comparator sort, whose garbage would be measured too).
const n = accounts * PAYMENTS;
const MINUTES = SPAN / 60_000;
const minuteOf = (i: number): number => (Math.imul(i, 2654435761) >>> 0) % MINUTES;
const starts = new Uint32Array(MINUTES + 1);
for (let i = 0; i < n; i++) starts[minuteOf(i) + 1]++;
for (let m = 0; m < MINUTES; m++) starts[m + 1] += starts[m];
const order = new Uint32Array(n);
const fill = starts.slice(0, MINUTES);
for (let i = 0; i < n; i++) order[fill[minuteOf(i)]++] = i;
const when = (i: number): number => START + minuteOf(i) * 60_000 + (i % 60) * 1000;
for (let j = 0; j < n; j++) {
  const i = order[j];
  const a = Math.floor(i / PAYMENTS);
  const m = (a * 31 + (i % PAYMENTS) * 7) % MERCHANTS;
  const tx: TransactionEvent = {
    type: 'transaction', id: `tx-${i}`, ts: '', t: when(i), accountId: `acc-${a}`, amount: 1_000 + ((i * 37) % 50_000),
    currency: 'CNY', merchantId: `M${m}`, terminalId: `T${m}`, mcc: '5411', acquirerId: '48021000',
    geo: { lat: 22.5 + (m % 100) / 1000, lon: 114 + (m % 97) / 1000 }, deviceId: `dev-${a}`, ip: `10.${a >> 16 & 255}.${a >> 8 & 255}.${a & 255}`,
    channel: 'qr', merchantName: undefined,
  };
  engine.decide(tx);
  if ((j + 1) % 500_000 === 0) process.stderr.write(`${j + 1} / ${n} payments\n`);
}
// Steady state: collect, then idle a moment so V8's memory reducer can hand free pages back, as a
// server between bursts would.
for (let i = 0; i < 3; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 500));
}
const mem = process.memoryUsage();
const rss = mem.rss - base.rss;
console.log(`feature-memory: ${accounts} active accounts, ${n} payments, default policy windows`);
console.log(`  live window keys: ${JSON.stringify(engine.windowSizes())}`);
console.log(`  rss ${(mem.rss / MB).toFixed(0)} MB (baseline ${(base.rss / MB).toFixed(0)} MB), heapUsed ${(mem.heapUsed / MB).toFixed(0)} MB of heapTotal ${(mem.heapTotal / MB).toFixed(0)} MB, arrayBuffers ${(mem.arrayBuffers / MB).toFixed(0)} MB`);
console.log(`  bytes per account (rss above baseline): ${Math.round(rss / accounts)}`);
const scaled = (mem.rss * 1_000_000) / accounts;
console.log(`  rss scaled to 1M accounts / 1.5 GB budget: ${(scaled / BUDGET_BYTES).toFixed(2)} ${scaled < BUDGET_BYTES ? 'PASS' : 'FAIL'}`);
