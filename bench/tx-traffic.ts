/**
 * Realistic payment traffic for the server benchmarks: 20,000 registered accounts, 2,000 merchants
 * with one terminal each in four cities, log-normal-ish amounts, a device per account, time moving
 * forward — every transaction with a unique id, generated on the fly (no memory for millions).
 */

const CITIES = [
  { lat: 22.5431, lon: 114.0579 },
  { lat: 23.1291, lon: 113.2644 },
  { lat: 31.2304, lon: 121.4737 },
  { lat: 39.9042, lon: 116.4074 },
];
const MCCS = ['5411', '5812', '5814', '5732', '5311', '5541', '5999', '5944'];
const START = Date.UTC(2026, 10, 1, 0, 0, 0);

/** Sizes of the registered world. */
export const WORLD = { accounts: 20_000, merchants: 2_000, acquirers: 5 };

function mix(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function cityOf(m: number): { lat: number; lon: number } {
  const c = CITIES[m % CITIES.length];
  return { lat: +(c.lat + ((m % 97) - 48) / 1000).toFixed(4), lon: +(c.lon + ((m % 89) - 44) / 1000).toFixed(4) };
}

/** The reference events (acquirers, merchants, terminals, accounts) to register before traffic. */
export function referenceEvents(): Record<string, unknown>[] {
  const ts = iso(START - 30 * 86_400_000);
  const out: Record<string, unknown>[] = [];
  for (let a = 0; a < WORLD.acquirers; a++) {
    out.push({ type: 'acquirer', ts, acquirerId: `4802${String(a).padStart(4, '0')}`, name: `持牌支付${a}`, licensed: true });
  }
  for (let m = 0; m < WORLD.merchants; m++) {
    const acq = `4802${String(m % WORLD.acquirers).padStart(4, '0')}`;
    const geo = cityOf(m);
    out.push({ type: 'merchant', ts, merchantId: `M${m}`, acquirerId: acq, name: `商户${m}`, mcc: MCCS[m % MCCS.length], geo, region: '440304' });
    out.push({ type: 'terminal', ts, terminalId: `T${m}`, merchantId: `M${m}`, acquirerId: acq, geo });
  }
  for (let a = 0; a < WORLD.accounts; a++) {
    out.push({
      type: 'account', ts, accountId: `acc-${a}`, creditLimit: 500_000 + (a % 10) * 500_000,
      home: cityOf(a % WORLD.merchants), kyc: 'full', openedAt: iso(START - 400 * 86_400_000),
    });
  }
  return out;
}

/**
 * How transaction ids are spelt: `ascending` (`run-n`, as a payment switch numbering its own
 * requests) or `random` (`run-` and 16 hex digits in no order, as UUIDs or a PSP's opaque ids) —
 * the second lands each id on a random leaf of whatever index the store keeps of them.
 */
export type IdOrder = 'ascending' | 'random';

/** The id of transaction `n` of run `run`: unique across runs and, within a run, for n < 2^32. */
export function transactionId(run: string, n: number, ids: IdOrder = 'ascending'): string {
  if (ids === 'ascending') return `${run}-${n}`;
  // mix is a bijection of 32-bit words, so the first 8 digits alone keep ids unique
  const hex = (x: number): string => x.toString(16).padStart(8, '0');
  return `${run}-${hex(mix(n ^ 0x5bd1e995))}${hex(mix(n + 0x27d4eb2f))}`;
}

/** Transaction number `n` of run `run` (ids unique across runs) as JSON text. */
export function transactionText(run: string, n: number, ids: IdOrder = 'ascending'): string {
  const h = mix(n);
  const account = h % WORLD.accounts;
  const merchant = (account * 7 + (h >>> 20)) % WORLD.merchants;
  const r = (h >>> 8) & 0xffff;
  const amount = 500 + Math.floor(Math.exp((r / 0xffff) * 9)) * 10; // ¥5 … ~¥800, long tail
  const geo = cityOf(merchant);
  return JSON.stringify({
    type: 'transaction', id: transactionId(run, n, ids), ts: iso(START + n * 200), accountId: `acc-${account}`,
    amount, currency: 'CNY', merchantId: `M${merchant}`, terminalId: `T${merchant}`, mcc: MCCS[merchant % MCCS.length],
    acquirerId: `4802${String(merchant % WORLD.acquirers).padStart(4, '0')}`, geo, deviceId: `dev-${account}`,
    ip: `10.${account % 250}.${(account >> 8) % 250}.${account % 7}`, channel: h & 1 ? 'qr' : 'card', merchantName: `商户${merchant}`,
  });
}

/** Posts the reference data to the server at `url` (2,000 events a request) before a run. */
export async function registerReference(url: string, key: string): Promise<void> {
  const events = referenceEvents();
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(events.slice(i, i + 2_000)),
    });
    if (r.status !== 202) throw new Error(`registering reference data failed: ${r.status} ${await r.text()}`);
  }
}
