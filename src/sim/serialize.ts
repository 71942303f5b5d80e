/**
 * Turns generated events into contract JSON lines (and truth lines for payments), giving payments
 * their `tx-…` ids in time order and counting what was written for the summary.
 */
import { formatShanghai } from '../contract/time.js';
import type { ByteSink } from './bytes.js';
import type { LatLon } from './geo.js';
import { TYPOLOGIES, type SimEvent, type SimTransaction, type Typology } from './model.js';

/** Counts of what was written, the body of summary.json. */
export interface SimCounts {
  events: Record<string, number>;
  transactions: number;
  fraudTransactions: number;
  fraudByTypology: Record<Typology, number>;
  labels: { transaction: number; account: number; merchant: number; terminal: number; legit: number };
  firstTs: string | null;
  lastTs: string | null;
}

/** Empty counts. */
export function emptyCounts(): SimCounts {
  const byTypology = {} as Record<Typology, number>;
  for (const t of TYPOLOGIES) byTypology[t] = 0;
  return {
    events: { acquirer: 0, merchant: 0, terminal: 0, account: 0, account_event: 0, transaction: 0, label: 0 },
    transactions: 0,
    fraudTransactions: 0,
    fraudByTypology: byTypology,
    labels: { transaction: 0, account: 0, merchant: 0, terminal: 0, legit: 0 },
    firstTs: null,
    lastTs: null,
  };
}

function geo(p: LatLon): { lat: number; lon: number } {
  return { lat: p.lat, lon: p.lon };
}

const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 3_600_000;

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * The same text as formatShanghai (contract/time.ts), about ten times faster: the date part is
 * computed once per local day and the clock part by arithmetic. Payments are most of the output.
 */
export class TsFormatter {
  private dayIndex = NaN;
  private prefix = '';

  format(t: number): string {
    const local = t + OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      this.prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    const inDay = local - day * DAY_MS;
    const ms = inDay % 1000;
    const secs = (inDay - ms) / 1000;
    const clock = pad2(Math.floor(secs / 3600)) + ':' + pad2(Math.floor(secs / 60) % 60) + ':' + pad2(secs % 60);
    const frac = ms === 0 ? '' : '.' + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms;
    return this.prefix + clock + frac + '+08:00';
  }
}

/**
 * How the simulated issuer's stream reaches the risk system. Defaults keep the world's stream as it
 * always was: no open-to-buy on payments, every repayment carried.
 */
export interface StreamOptions {
  /**
   * Which payments carry the issuer's open-to-buy at authorisation (`availableCredit`, as ISO 8583
   * field 54 does on card authorisations): none (default), card payments, or all.
   */
  readonly availableCredit?: 'none' | 'card' | 'all';
  /**
   * The share of repayments (0–1) the stream leaves out — paid by bank transfer, never reported to
   * the risk system — while the issuer's books (and its open-to-buy) still have them. Which ones is a
   * fixed hash of account and time, so a world is the same at every run.
   */
  readonly missingRepayments?: number;
}

/** FNV-1a of `s`, as a share in [0, 1): picks the repayments a stream misses, the same at every run. */
function share(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** Serialises events into JSON lines, keeping the running tx counter and counts. */
export class Serializer {
  private txCounter = 0;
  /** The issuer's books as the events pass in time order: limit and credit used per account. */
  private readonly books = new Map<string, { limit: number; used: number }>();
  private readonly availableCredit: 'none' | 'card' | 'all';
  private readonly missingRepayments: number;

  constructor(stream: StreamOptions = {}) {
    this.availableCredit = stream.availableCredit ?? 'none';
    this.missingRepayments = stream.missingRepayments ?? 0;
  }
  private readonly ts = new TsFormatter();
  /** `,"merchantName":"…"}` + newline as UTF-8, per name: names repeat endlessly. */
  private readonly names = new Map<string, Buffer>();
  readonly counts = emptyCounts();

  /** Appends the JSON lines of `events` (already in time order) to `out`, truth lines to `truth`. */
  write(events: readonly SimEvent[], out: ByteSink, truth: ByteSink): void {
    for (const e of events) {
      if (!this.book(e)) continue; // a repayment the stream misses: in the issuer's books only
      const ts = this.ts.format(e.t);
      if (this.counts.firstTs === null) this.counts.firstTs = ts;
      this.counts.lastTs = ts;
      this.counts.events[e.type]++;
      if (e.type === 'transaction') {
        this.transactionLine(e, ts, out);
        truth.ascii(this.truthLine(e) + '\n');
      } else out.utf8(JSON.stringify(this.toJson(e, ts)) + '\n');
    }
  }

  /**
   * Keeps the issuer's books for `e` — the open-to-buy a payment carries is what they say before it
   * — and answers whether the stream carries the event (false: a repayment it misses).
   */
  private book(e: SimEvent): boolean {
    if (e.type === 'account') {
      const b = this.books.get(e.account.id);
      if (b === undefined) this.books.set(e.account.id, { limit: e.creditLimit, used: 0 });
      else b.limit = e.creditLimit;
    } else if (e.type === 'account_event') {
      const b = this.books.get(e.accountId);
      if (e.kind === 'limit_changed' && b !== undefined && e.creditLimit !== undefined) b.limit = e.creditLimit;
      if (e.kind === 'repayment') {
        if (b !== undefined) b.used -= e.amount ?? 0;
        if (this.missingRepayments > 0 && share(`${e.accountId}|${e.t}`) < this.missingRepayments) return false;
      }
    } else if (e.type === 'transaction') {
      const b = this.books.get(e.accountId);
      const carry = this.availableCredit === 'all' || (this.availableCredit === 'card' && e.channel === 'card');
      e.availableCredit = carry && b !== undefined ? Math.max(0, b.limit - b.used) : undefined;
      if (b !== undefined) b.used += e.amount;
    }
    return true;
  }

  private nameTail(name: string): Buffer {
    let b = this.names.get(name);
    if (b === undefined) {
      b = Buffer.from(',"merchantName":' + JSON.stringify(name) + '}\n', 'utf8');
      this.names.set(name, b);
    }
    return b;
  }

  /**
   * A payment line built by hand (same keys and order as JSON.stringify of the object would give):
   * ids, codes and timestamps are our own ASCII text without characters JSON must escape, and the
   * names go through JSON.stringify once each.
   */
  private transactionLine(e: SimTransaction, ts: string, out: ByteSink): void {
    e.id = 'tx-' + (++this.txCounter).toString().padStart(8, '0');
    let s =
      '{"type":"transaction","id":"' + e.id + '","ts":"' + ts + '","accountId":"' + e.accountId +
      '","amount":' + e.amount + ',"currency":"CNY","merchantId":"' + e.merchantId +
      '","terminalId":"' + e.terminalId + '"';
    if (e.mcc !== undefined) s += ',"mcc":"' + e.mcc + '"';
    if (e.acquirerId !== undefined) s += ',"acquirerId":"' + e.acquirerId + '"';
    if (e.geo !== undefined) s += ',"geo":{"lat":' + e.geo.lat + ',"lon":' + e.geo.lon + '}';
    if (e.deviceId !== undefined) s += ',"deviceId":"' + e.deviceId + '"';
    if (e.ip !== undefined) s += ',"ip":"' + e.ip + '"';
    if (e.channel !== undefined) s += ',"channel":"' + e.channel + '"';
    if (e.availableCredit !== undefined) s += ',"availableCredit":' + e.availableCredit;
    out.ascii(s);
    if (e.merchantName !== undefined) out.bytes(this.nameTail(e.merchantName));
    else out.ascii('}\n');
  }

  private truthLine(tx: SimTransaction): string {
    this.counts.transactions++;
    if (!tx.fraud) return '{"txId":"' + tx.id + '","fraud":false}';
    this.counts.fraudTransactions++;
    this.counts.fraudByTypology[tx.typology as Typology]++;
    return '{"txId":"' + tx.id + '","fraud":true,"typology":"' + tx.typology + '"}';
  }

  private toJson(e: Exclude<SimEvent, SimTransaction>, ts: string): object {
    switch (e.type) {
      case 'account_event':
        return {
          type: 'account_event',
          ts,
          accountId: e.accountId,
          kind: e.kind,
          deviceId: e.deviceId,
          ip: e.ip,
          geo: e.geo === undefined ? undefined : geo(e.geo),
          amount: e.amount,
          creditLimit: e.creditLimit,
        };
      case 'account':
        return {
          type: 'account',
          ts,
          accountId: e.account.id,
          creditLimit: e.creditLimit,
          home: geo(e.account.home),
          kyc: e.account.kyc,
          openedAt: formatShanghai(e.account.openedAt),
        };
      case 'acquirer': {
        const a = e.acquirer!;
        return { type: 'acquirer', ts, acquirerId: a.id, name: a.name, licensed: a.licensed };
      }
      case 'merchant': {
        const m = e.merchant!;
        return {
          type: 'merchant',
          ts,
          merchantId: m.id,
          name: m.name,
          mcc: m.profile.mcc,
          acquirerId: m.acquirer.id,
          geo: geo(m.geo),
          region: m.district.region,
        };
      }
      case 'terminal': {
        const t = e.terminal!;
        return {
          type: 'terminal',
          ts,
          terminalId: t.id,
          merchantId: t.merchant.id,
          acquirerId: t.merchant.acquirer.id,
          geo: geo(t.geo),
        };
      }
      case 'label': {
        const target = e.target;
        const out: Record<string, string | boolean> = { type: 'label', ts };
        if ('tx' in target) {
          if (target.tx.id === '') throw new Error('simulator bug: label written before its transaction');
          out.txId = target.tx.id;
          this.counts.labels.transaction++;
        } else if ('accountId' in target) {
          out.accountId = target.accountId;
          this.counts.labels.account++;
        } else if ('merchantId' in target) {
          out.merchantId = target.merchantId;
          this.counts.labels.merchant++;
        } else {
          out.terminalId = target.terminalId;
          this.counts.labels.terminal++;
        }
        if (!e.fraud) this.counts.labels.legit++;
        out.fraud = e.fraud;
        if (e.typology !== undefined) out.typology = e.typology;
        out.source = e.source;
        return out;
      }
    }
  }
}
