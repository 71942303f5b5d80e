/**
 * Warms the decision path before a server listens. V8 optimizes a function only after it has run
 * many times with the types it will see, so a server fresh from a start — on an empty data folder, or
 * from a snapshot with little journal after it — would decide its first thousands of payments in
 * the interpreter and baseline code, several times slower, while its young generation fills with the
 * first states of every account: measured, p99 of 160–590 ms over the first ten seconds at 2,000/s
 * (docs/server.md, "The answer path's tail"). A scratch engine of the same policy decides a small
 * synthetic world here instead — parsed from JSON text by the contract, as requests are — and is then
 * dropped: nothing of it reaches the live engine, the journal or any store.
 */
import { parseEvent } from '../contract/parse.js';
import type { Engine } from './engine.js';

/** Payments decided by the scratch engine: past this bench/warm-up.ts measures no further gain. */
export const WARM_PAYMENTS = 5_000;
const ACCOUNTS = 2_000;
const MERCHANTS = 200;
const CITIES = [
  { lat: 22.5431, lon: 114.0579 },
  { lat: 31.2304, lon: 121.4737 },
  { lat: 39.9042, lon: 116.4074 },
];
const MCCS = ['5411', '5812', '5732', '5311', '5541', '5999'];

/** What the warm-up did, for the start line. */
export interface WarmUpReport {
  readonly payments: number;
  readonly ms: number;
}

/** A 32-bit mix of `n`: the synthetic world is the same at every start. */
function mix(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function place(i: number): { lat: number; lon: number } {
  const c = CITIES[i % CITIES.length];
  return { lat: +(c.lat + ((i % 97) - 48) / 1000).toFixed(4), lon: +(c.lon + ((i % 89) - 44) / 1000).toFixed(4) };
}

/** The synthetic world's reference data (acquirer, merchants, terminals, accounts) as JSON texts, dated before its payments. */
export function* syntheticReference(now: number): Generator<string> {
  const start = now - 2 * 86_400_000;
  const ts = new Date(start - 86_400_000).toISOString();
  yield JSON.stringify({ type: 'acquirer', ts, acquirerId: '48029999', name: 'warm-up', licensed: true });
  for (let m = 0; m < MERCHANTS; m++) {
    const geo = place(m);
    yield JSON.stringify({ type: 'merchant', ts, merchantId: `wm${m}`, acquirerId: '48029999', name: `warm ${m}`, mcc: MCCS[m % MCCS.length], geo, region: '440304' });
    yield JSON.stringify({ type: 'terminal', ts, terminalId: `wt${m}`, merchantId: `wm${m}`, acquirerId: '48029999', geo });
  }
  for (let a = 0; a < ACCOUNTS; a++) {
    yield JSON.stringify({ type: 'account', ts, accountId: `wa${a}`, creditLimit: 500_000 + (a % 10) * 500_000, home: place(a), kyc: 'full', openedAt: new Date(start - 400 * 86_400_000).toISOString() });
  }
}

/** The synthetic world's payments as JSON texts, in time order over the two days before `now`. */
export function* syntheticPayments(payments: number, now: number): Generator<string> {
  const start = now - 2 * 86_400_000;
  const step = Math.max(1, Math.floor((2 * 86_400_000) / payments));
  for (let n = 0; n < payments; n++) {
    const h = mix(n);
    const account = h % ACCOUNTS;
    const merchant = (account * 7 + (h >>> 20)) % MERCHANTS;
    const r = (h >>> 8) & 0xffff;
    yield JSON.stringify({
      type: 'transaction', id: `warm-${n}`, ts: new Date(start + n * step).toISOString(), accountId: `wa${account}`,
      amount: 500 + Math.floor(Math.exp((r / 0xffff) * 9)) * 10, currency: 'CNY', merchantId: `wm${merchant}`, terminalId: `wt${merchant}`,
      mcc: MCCS[merchant % MCCS.length], acquirerId: '48029999', geo: place(merchant), deviceId: `wd${account + (h & 3 ? 0 : ACCOUNTS)}`,
      ip: `10.${account % 250}.${(account >> 8) % 250}.${h & 7}`, channel: h & 1 ? 'qr' : 'card', merchantName: `warm ${merchant}`,
    });
  }
}

/** Runs a scratch engine from `makeEngine` over the synthetic world, then lets it go. */
export function warmUp(makeEngine: () => Engine, payments = WARM_PAYMENTS, now = Date.now()): WarmUpReport {
  if (payments <= 0) return { payments: 0, ms: 0 };
  const started = performance.now();
  const scratch = makeEngine();
  for (const text of syntheticReference(now)) scratch.apply(parseEvent(JSON.parse(text) as unknown));
  for (const text of syntheticPayments(payments, now)) scratch.apply(parseEvent(JSON.parse(text) as unknown));
  return { payments, ms: performance.now() - started };
}
