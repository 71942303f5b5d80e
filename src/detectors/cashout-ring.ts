/**
 * Cash-out rings (套现): many accounts paying one merchant round, just-under or near-limit sums of
 * ¥1,000+ within a day, often right after repaying, at night, from shared phones — the shop hands
 * the cash back minus a fee. Per merchant (the terminal's own merchant when the terminal is
 * registered, so a ring does not hide behind borrowed codes) the detector keeps the day's
 * cash-shaped payments; once MIN_ACCOUNTS accounts made them and they are MIN_SHARE or more of the
 * merchant's payments, it opens (or feeds) the merchant's `detector:cashout_ring` case: one finding
 * item with the ring's evidence (accounts, amounts, repayments, shared devices, the other merchants
 * the same accounts cashed out at) and one item per payment of the ring. A ring spread over colluding
 * shops — each seeing fewer than MIN_ACCOUNTS of it, linked by accounts that cashed out at two of them
 * — is found when the shops together reach MIN_ACCOUNTS: each shop's case opens with the others named
 * (`spread`).
 */
import type { TransactionEvent } from '../contract/events.js';
import { formatShanghai, shanghaiHour } from '../contract/time.js';
import type { OpenCaseRequest } from '../cases/types.js';
import type { Engine } from '../engine/engine.js';
import { isJustUnder, isRoundAmount } from '../features/amounts.js';
import type { FeedConsumer, FeedEntry, FindingListener } from './types.js';
import { HitQueues, HourlyCounts, type Hit, type HitQueue } from './window.js';
import { EventClock } from '../engine/event-clock.js';

const HOUR = 3_600_000;
/** The ring's window of event time. */
export const RING_WINDOW_MS = 24 * HOUR;
/** Accounts that must have paid cash-shaped sums at the merchant within the window. */
export const MIN_ACCOUNTS = 5;
/** Share of the merchant's payments in the window that must be cash-shaped. */
export const MIN_SHARE = 0.3;
/** Smallest cash-shaped sum (fen). */
const LARGE = 100_000;
/** A payment within this long after the account's last repayment counts as "after repayment" (以卡养卡). */
const AFTER_REPAYMENT_MS = 48 * HOUR;
/** Quiet for this long (wall clock) after a ring case of the merchant was resolved as legitimate. */
const CLEARED_MS = 7 * 24 * HOUR;

/** Shops that share a ring's accounts and how many accounts the ring holds across them. */
export interface Spread {
  readonly merchants: readonly string[];
  readonly accounts: number;
}

/** Accounts a shop must share with the ring's shop to count as one of its colluding shops. */
const MIN_SHARED_ACCOUNTS = 2;

/** Is `(kind, id, issue)`'s latest case resolved as legitimate recently? */
export type ClearedCheck = (kind: 'merchant' | 'terminal', id: string, issue: string) => boolean;

/** The cash-out ring detector. */
export class CashoutRingDetector implements FeedConsumer {
  readonly name = 'detector:cashout_ring';
  private readonly rings = new HitQueues(RING_WINDOW_MS);
  private readonly volume = new HourlyCounts();
  private readonly repaidAt = new Map<string, number>();
  /** Per merchant, the spread ring its case last showed (merchants/accounts), so growth refreshes it. */
  private readonly spreadShown = new Map<string, string>();
  /** Per account, the merchants it paid cash-shaped sums at lately: merchant → time. */
  private readonly cashedAt = new Map<string, Map<string, number>>();
  /** The watermark sweeps follow (one far-future payment must not sweep every merchant's ring away). */
  private readonly clock = new EventClock();
  /** The time the current payment's reads are made at: its own, or the watermark for a late one. */
  private now = -Infinity;
  findings = 0;

  constructor(
    private readonly engine: Engine,
    private readonly cleared: ClearedCheck = () => false,
    private readonly found: FindingListener = () => undefined,
  ) {}

  consume(entry: FeedEntry, open: OpenCaseRequest[]): void {
    const e = entry.event;
    if (e.type === 'account_event') {
      if (e.kind === 'repayment') {
        if (this.repaidAt.size > 500_000) this.repaidAt.delete(this.repaidAt.keys().next().value as string);
        this.repaidAt.set(e.accountId, e.t);
      }
      return;
    }
    if (e.type !== 'transaction') return;
    const mark = this.clock.observe(e.t);
    this.now = Math.max(mark, e.t);
    const merchant = this.merchantOf(e);
    this.volume.add(merchant, e.t, mark);
    this.rings.sweep(mark);
    if (!this.cashShaped(e)) return;
    const ring = this.rings.at(merchant, this.now);
    const repaid = this.repaidAt.get(e.accountId);
    ring.add({
      seq: entry.seq, t: e.t, txId: e.id, accountId: e.accountId, amount: e.amount, deviceId: e.deviceId,
      outcome: entry.decision?.outcome ?? 'unknown',
      facts: { afterRepayment: repaid !== undefined && e.t >= repaid && e.t - repaid <= AFTER_REPAYMENT_MS, night: shanghaiHour(e.t) < 6 },
    });
    this.noteCashed(e.accountId, merchant, e.t);
    const byAccount = ring.accounts();
    const payments = this.volume.count(merchant, this.now);
    const share = payments > 0 ? ring.hits.length / payments : 1;
    if (share < MIN_SHARE) return;
    if (byAccount.size >= MIN_ACCOUNTS) {
      this.report(entry, merchant, ring, byAccount, share, payments, null, open);
      return;
    }
    // too few accounts here: a ring spread over colluding shops, each of which sees only a few of it
    const spread = this.spreadOf(merchant, byAccount);
    if (spread === null) return;
    for (const m of spread.merchants) {
      const q = m === merchant ? ring : this.rings.at(m, this.now);
      const mPayments = this.volume.count(m, this.now);
      this.report(entry, m, q, q.accounts(), mPayments > 0 ? q.hits.length / mPayments : 1, mPayments, spread, open);
    }
  }

  /**
   * The shops linked to `merchant` by at least MIN_SHARED_ACCOUNTS accounts that paid cash-shaped
   * sums at both within the window, each itself mostly cash-shaped traffic (a busy store that a few
   * ring members also visited stays out): a spread ring when together they reach MIN_ACCOUNTS.
   */
  private spreadOf(merchant: string, byAccount: Map<string, Hit[]>): Spread | null {
    const since = this.now - RING_WINDOW_MS;
    const shared = new Map<string, number>();
    for (const account of byAccount.keys()) {
      for (const [m, t] of this.cashedAt.get(account) ?? []) if (m !== merchant && t >= since) shared.set(m, (shared.get(m) ?? 0) + 1);
    }
    const merchants = [merchant];
    const accounts = new Set(byAccount.keys());
    for (const [m, n] of shared) {
      if (n < MIN_SHARED_ACCOUNTS) continue;
      const q = this.rings.at(m, this.now);
      const payments = this.volume.count(m, this.now);
      if (q.hits.length === 0 || (payments > 0 && q.hits.length / payments < MIN_SHARE)) continue;
      merchants.push(m);
      for (const h of q.hits) accounts.add(h.accountId);
    }
    if (merchants.length < 2 || accounts.size < MIN_ACCOUNTS) return null;
    return { merchants: merchants.sort(), accounts: accounts.size };
  }

  /** Opens (or feeds) `merchant`'s ring case with its payments not reported yet. */
  private report(
    entry: FeedEntry,
    merchant: string,
    ring: HitQueue,
    byAccount: Map<string, Hit[]>,
    share: number,
    payments: number,
    spread: Spread | null,
    open: OpenCaseRequest[],
  ): void {
    const fresh = ring.hits.filter((h) => !ring.reported.has(h.txId));
    // a spread ring that grew (another shop, more accounts) refreshes the finding even without new payments here
    const shape = spread === null ? '' : `${spread.merchants.join(',')}/${spread.accounts}`;
    const grew = spread !== null && this.spreadShown.get(merchant) !== shape;
    if (fresh.length === 0 && !grew) return;
    for (const h of fresh) ring.reported.add(h.txId);
    if (spread !== null) {
      if (this.spreadShown.size > 100_000) this.spreadShown.delete(this.spreadShown.keys().next().value as string);
      this.spreadShown.set(merchant, shape);
    }
    if (!entry.act || this.cleared('merchant', merchant, ISSUE)) return;
    this.findings++;
    const finding = this.finding(merchant, ring.hits, byAccount, share, payments, spread);
    const issue = ISSUE;
    const actor = this.name;
    const within = `${byAccount.size} accounts paid ${ring.hits.length} cash-shaped sums (${Math.round(share * 100)}% of ${payments} payments) within 24 h`;
    this.found({ detector: 'cashout_ring', subjectKind: 'merchant', subjectId: merchant, seq: entry.seq, t: entry.event.t, txId: (entry.event as TransactionEvent).id, summary: within });
    open.push({
      subjectKind: 'merchant', subjectId: merchant, issue, source: { kind: 'detector', ref: 'finding:cashout_ring' },
      risk: finding.risk, amount: 0, actor, detail: finding,
      note: spread === null ? within : `${within}; one ring with ${spread.merchants.filter((m) => m !== merchant).join(', ')}: ${spread.accounts} accounts in all`,
    });
    for (const h of fresh) {
      open.push({
        subjectKind: 'merchant', subjectId: merchant, issue, source: { kind: 'detector', ref: h.txId }, txId: h.txId,
        risk: finding.risk, amount: h.amount, actor,
        detail: { accountId: h.accountId, amount: h.amount, ts: formatShanghai(h.t), deviceId: h.deviceId ?? null, outcome: h.outcome, ...h.facts },
      });
    }
  }

  /** The terminal's own merchant when the terminal is registered, else the code carried. */
  private merchantOf(tx: TransactionEvent): string {
    return this.engine.reference.terminals.get(tx.terminalId)?.merchantId ?? tx.merchantId;
  }

  /** Round, just under a round figure, or most of the account's limit; ¥1,000 or more. */
  private cashShaped(tx: TransactionEvent): boolean {
    if (tx.amount < LARGE) return false;
    if (isRoundAmount(tx.amount) || isJustUnder(tx.amount)) return true;
    const limit = this.engine.account(tx.accountId)?.creditLimit;
    return limit !== undefined && limit > 0 && tx.amount >= 0.8 * limit;
  }

  private noteCashed(account: string, merchant: string, t: number): void {
    let m = this.cashedAt.get(account);
    if (m === undefined) {
      if (this.cashedAt.size > 500_000) this.cashedAt.delete(this.cashedAt.keys().next().value as string);
      m = new Map();
      this.cashedAt.set(account, m);
    }
    m.set(merchant, t);
    if (m.size > 8) {
      for (const [k, at] of m) if (at < t - RING_WINDOW_MS) m.delete(k);
      while (m.size > 8) m.delete(m.keys().next().value as string);
    }
  }

  private finding(merchant: string, hits: readonly Hit[], byAccount: Map<string, Hit[]>, share: number, payments: number, spread: Spread | null) {
    const amount = hits.reduce((s, h) => s + h.amount, 0);
    const afterRepayment = hits.filter((h) => h.facts.afterRepayment === true).length;
    const night = hits.filter((h) => h.facts.night === true).length;
    const devices = new Map<string, Set<string>>();
    for (const h of hits) {
      if (h.deviceId === undefined) continue;
      let s = devices.get(h.deviceId);
      if (s === undefined) devices.set(h.deviceId, (s = new Set()));
      s.add(h.accountId);
    }
    const sharedDevices = [...devices].filter(([, s]) => s.size >= 2).map(([deviceId, s]) => ({ deviceId, accounts: [...s].sort() }));
    const related = new Map<string, number>();
    for (const account of byAccount.keys()) {
      for (const [m, t] of this.cashedAt.get(account) ?? []) {
        if (m !== merchant && t >= this.now - RING_WINDOW_MS) related.set(m, (related.get(m) ?? 0) + 1);
      }
    }
    const relatedMerchants = [...related].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1]).map(([merchantId, sharedAccounts]) => ({ merchantId, sharedAccounts }));
    // a spread ring counts all its accounts; its spread across shops is evidence of its own
    const n = spread === null ? byAccount.size : Math.max(byAccount.size, spread.accounts);
    const c = [
      Math.min(0.6, 0.35 + 0.05 * (n - MIN_ACCOUNTS)),
      0.4 * Math.min(1, share / 0.8),
      0.4 * (afterRepayment / hits.length),
      sharedDevices.length > 0 ? 0.3 : 0,
      0.2 * (night / hits.length),
      relatedMerchants.length > 0 || spread !== null ? 0.2 : 0,
    ];
    const risk = Math.round((1 - c.reduce((q, x) => q * (1 - x), 1)) * 10_000) / 100;
    const t0 = hits[0].t;
    return {
      detector: 'cashout_ring',
      merchantId: merchant,
      risk,
      window: { from: formatShanghai(t0), to: formatShanghai(hits[hits.length - 1].t) },
      accounts: byAccount.size,
      payments: hits.length,
      // null, or the colluding shops of a ring spread too thin for any one of them (this one included)
      spread,
      amount,
      share: Math.round(share * 10_000) / 10_000,
      merchantPayments24h: payments,
      afterRepayment,
      night,
      sharedDevices,
      relatedMerchants,
      topAccounts: [...byAccount]
        .map(([accountId, hs]) => ({ accountId, payments: hs.length, amount: hs.reduce((s, h) => s + h.amount, 0) }))
        .sort((a, b) => b.amount - a.amount)
        .slice(0, 20),
    };
  }

  /** Keys held, for status. */
  sizes(): Record<string, number> {
    return { merchants: this.rings.size, repayments: this.repaidAt.size, accounts: this.cashedAt.size, spreads: this.spreadShown.size };
  }
}

const ISSUE = 'detector:cashout_ring';

/** A ClearedCheck over the case service's latest resolutions, cached per key for five seconds. */
export function clearedCheck(
  last: (kind: 'merchant' | 'terminal', id: string, issue: string) => { resolution: string; resolvedAt: number } | undefined,
  now: () => number = Date.now,
): ClearedCheck {
  const cache = new Map<string, { value: boolean; until: number }>();
  return (kind, id, issue) => {
    const key = `${kind}\u0000${id}\u0000${issue}`;
    const t = now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > t) return hit.value;
    const r = last(kind, id, issue);
    const value = r !== undefined && r.resolution === 'legitimate' && r.resolvedAt > t - CLEARED_MS;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { value, until: t + 5_000 });
    return value;
  };
}
