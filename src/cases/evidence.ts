/**
 * The evidence view of a case, gathered when it is read: the subject's recent payments from the
 * journal (outcome, score, reasons), its devices and who else used them, the places it paid at
 * with their distances from home (or from the bound address) and from each other, the rule hits
 * and model reasons, and related accounts — through shared devices and shared merchants. The
 * evidence index (activity.ts) says which journal rows to read; the engine's memory adds what it
 * knows of accounts, merchants and labels.
 */
import type { Engine } from '../engine/engine.js';
import { distanceKm, speedKmh } from '../features/geo.js';
import type { ActionView } from '../merchants/actions.js';
import { merchantView, ratingOf } from '../merchants/view.js';
import type { Journal } from '../log/journal.js';
import type { ActivityIndex } from './activity.js';
import type { CaseRecord, CaseSummary } from './types.js';

/** Payments shown at most. */
const MAX_PAYMENTS = 60;
/** Places between which all distances are listed. */
const MAX_PLACES = 12;
/** Terminals whose bound addresses an account's evidence lists at most (the latest used). */
const MAX_BOUND_TERMINALS = 24;
/** Accounts whose own payments are read to find other merchants they share. */
const MAX_RELATED_SCAN = 30;
/**
 * An IP whose last payments (the evidence index keeps 16 per IP) came from this many accounts or more
 * is a NAT, a carrier gateway or a placeholder such as 0.0.0.0, not a link between two people.
 */
const PLACEHOLDER_IP_ACCOUNTS = 10;

/** What the evidence is read from. */
export interface EvidenceSources {
  readonly engine: Engine;
  readonly journal: Journal;
  /** Null when the feed is off: only the case's own payments are shown. */
  readonly activity: ActivityIndex | null;
  readonly actions?: (merchantId: string) => ActionView[];
  readonly cases?: (kind: 'merchant' | 'terminal', id: string) => CaseSummary[];
}

/** One payment as the evidence shows it. */
interface Payment {
  readonly seq: number;
  readonly txId: string;
  readonly ts: string;
  readonly t: number;
  readonly accountId: string;
  readonly amount: number;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly mcc: string | null;
  readonly acquirerId: string | null;
  readonly channel: string | null;
  readonly deviceId: string | null;
  readonly ip: string | null;
  readonly geo: { lat: number; lon: number } | null;
  readonly outcome: string | null;
  readonly score: number | null;
  readonly reasons: readonly string[];
}

interface RawTx {
  id: string;
  ts: string;
  accountId: string;
  amount: number;
  merchantId: string;
  terminalId: string;
  mcc?: string;
  acquirerId?: string;
  channel?: string;
  deviceId?: string;
  ip?: string;
  geo?: { lat: number; lon: number };
}

/** Journal rows by seq or txId, each read and parsed once per view. */
class Reader {
  private readonly bySeq = new Map<number, Payment | null>();
  constructor(private readonly journal: Journal) {}

  seq(seq: number): Payment | null {
    const hit = this.bySeq.get(seq);
    if (hit !== undefined) return hit;
    let p: Payment | null = null;
    this.journal.forEachEventInRange({ fromSeq: seq, toSeq: seq }, (e) => {
      if (e.type !== 'transaction') return;
      const tx = JSON.parse(e.event) as RawTx;
      const d = e.decision === null ? null : (JSON.parse(e.decision) as { outcome: string; score: number; reasons: { code: string }[] });
      p = {
        seq, txId: tx.id, ts: tx.ts, t: Date.parse(tx.ts), accountId: tx.accountId, amount: tx.amount, merchantId: tx.merchantId,
        terminalId: tx.terminalId, mcc: tx.mcc ?? null, acquirerId: tx.acquirerId ?? null, channel: tx.channel ?? null,
        deviceId: tx.deviceId ?? null, ip: tx.ip ?? null, geo: tx.geo ?? null,
        outcome: d?.outcome ?? null, score: d?.score ?? null, reasons: d?.reasons.map((r) => r.code) ?? [],
      };
    });
    this.bySeq.set(seq, p);
    return p;
  }

  tx(txId: string): Payment | null {
    const d = this.journal.decision(txId);
    return d === undefined ? null : this.seq(d.seq);
  }

  /** The accounts that made the payments at `seqs`. */
  payers(seqs: readonly number[]): Set<string> {
    const out = new Set<string>();
    for (const s of seqs) {
      const p = this.seq(s);
      if (p !== null) out.add(p.accountId);
    }
    return out;
  }
}

const km = (x: number): number => Math.round(x * 10) / 10;
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The case's payments (its items, newest first) and the subject's latest ones, each once, oldest first. */
function paymentsOf(c: CaseRecord, r: Reader, recent: readonly number[]): Payment[] {
  const out = new Map<number, Payment>();
  const items = c.itemList.filter((i) => i.txId !== null);
  for (const i of items.slice(-MAX_PAYMENTS)) {
    const p = r.tx(i.txId!);
    if (p !== null) out.set(p.seq, p);
  }
  for (const s of recent.slice(-MAX_PAYMENTS)) {
    if (out.size >= 2 * MAX_PAYMENTS) break;
    const p = r.seq(s);
    if (p !== null) out.set(s, p);
  }
  return [...out.values()].sort((a, b) => a.t - b.t || a.seq - b.seq).slice(-MAX_PAYMENTS);
}

/** Rule and model reasons over the payments, most frequent first, with the live policy's descriptions. */
function reasonsOf(engine: Engine, payments: readonly Payment[]): Record<string, unknown>[] {
  const counts = new Map<string, number>();
  for (const p of payments) for (const code of p.reasons) counts.set(code, (counts.get(code) ?? 0) + 1);
  const rules = new Map(engine.currentPolicy.rules.map((r) => [r.reason, r]));
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([code, payments]) => {
      const rule = rules.get(code);
      const model = code.startsWith('MODEL_');
      return {
        code, kind: model ? 'model' : 'rule', payments,
        description: model ? `the model weighs feature ${code.slice(6).toLowerCase()} among its top reasons` : (rule?.description ?? null),
        outcome: rule?.outcome ?? null,
      };
    });
}

/** Places (≈1 km) the payments were made at, with distances from `home` and from each other. */
function placesOf(payments: readonly Payment[], home: { lat: number; lon: number } | null, homeName: string): Record<string, unknown> {
  const places = new Map<string, { lat: number; lon: number; payments: number; first: string; last: string; txIds: string[] }>();
  for (const p of payments) {
    if (p.geo === null) continue;
    const key = `${p.geo.lat.toFixed(2)},${p.geo.lon.toFixed(2)}`;
    const x = places.get(key);
    if (x === undefined) places.set(key, { lat: p.geo.lat, lon: p.geo.lon, payments: 1, first: p.ts, last: p.ts, txIds: [p.txId] });
    else {
      x.payments++;
      x.last = p.ts;
      if (x.txIds.length < 10) x.txIds.push(p.txId);
    }
  }
  const list = [...places.values()].slice(-MAX_PLACES).map((x) => ({
    ...x,
    [`distanceFrom${homeName}Km`]: home === null ? null : km(distanceKm(x.lat, x.lon, home.lat, home.lon)),
  }));
  const distances = list.map((a) => list.map((b) => km(distanceKm(a.lat, a.lon, b.lat, b.lon))));
  return { [homeName.charAt(0).toLowerCase() + homeName.slice(1)]: home, places: list, distancesKm: distances };
}

/**
 * The registered (bound) addresses of the terminals the payments were made at, latest used last, so
 * the plot shows where each terminal should be beside where the account paid and lives. Terminals
 * without a registered geo are left out.
 */
function boundTerminalsOf(engine: Engine, payments: readonly Payment[], home: { lat: number; lon: number } | null): Record<string, unknown>[] {
  const seen = new Map<string, number>();
  for (const p of payments) {
    const n = seen.get(p.terminalId) ?? 0;
    seen.delete(p.terminalId); // re-inserted: the map's order is that of the latest use
    seen.set(p.terminalId, n + 1);
  }
  const out: Record<string, unknown>[] = [];
  for (const [terminalId, n] of seen) {
    const t = engine.reference.terminals.get(terminalId);
    if (t === undefined || t.geo === undefined) continue;
    const boundAddress = { lat: t.geo.lat, lon: t.geo.lon };
    out.push({
      terminalId, merchantId: t.merchantId, boundAddress, payments: n,
      distanceFromHomeKm: home === null ? null : km(distanceKm(boundAddress.lat, boundAddress.lon, home.lat, home.lon)),
    });
  }
  return out.slice(-MAX_BOUND_TERMINALS);
}

function labelled(engine: Engine, accountId: string): boolean {
  return engine.fraudLabelled(accountId);
}

/** A payment line with its distances from home and the previous located payment of the list. */
function paymentLines(payments: readonly Payment[], home: { lat: number; lon: number } | null, homeName: string): Record<string, unknown>[] {
  let prev: Payment | null = null;
  const lines = payments.map((p) => {
    const line: Record<string, unknown> = { ...p, t: undefined };
    if (p.geo !== null) {
      line[`distanceFrom${homeName}Km`] = home === null ? null : km(distanceKm(p.geo.lat, p.geo.lon, home.lat, home.lon));
      if (prev !== null && prev.geo !== null) {
        const d = distanceKm(p.geo.lat, p.geo.lon, prev.geo.lat, prev.geo.lon);
        line.distanceFromPreviousKm = km(d);
        line.speedFromPreviousKmh = Math.round(speedKmh(d, p.t - prev.t));
      }
      prev = p;
    }
    return line;
  });
  return lines.reverse(); // newest first
}

/** The evidence of an account case. */
function accountEvidence(c: CaseRecord, s: EvidenceSources, r: Reader): Record<string, unknown> {
  const { engine, activity } = s;
  const id = c.subjectId;
  const acc = engine.account(id);
  const payments = paymentsOf(c, r, activity?.recent('account', id) ?? []);
  const home = acc !== undefined && Number.isFinite(acc.homeLat) ? { lat: acc.homeLat, lon: acc.homeLon } : null;
  const devices = new Map<string, { firstSeen: number | null; payments: number }>();
  for (const d of acc?.deviceList() ?? []) devices.set(d.deviceId, { firstSeen: d.firstSeen, payments: 0 });
  for (const p of payments) {
    if (p.deviceId === null) continue;
    const x = devices.get(p.deviceId) ?? { firstSeen: null, payments: 0 };
    x.payments++;
    devices.set(p.deviceId, x);
  }
  const byDevice = new Map<string, string[]>();
  const sharedDevices = new Map<string, string[]>();
  for (const d of devices.keys()) {
    const others = [...r.payers(activity?.recent('device', d) ?? [])].filter((a) => a !== id);
    byDevice.set(d, others);
    for (const a of others) (sharedDevices.get(a) ?? sharedDevices.set(a, []).get(a)!).push(d);
  }
  // accounts paying from the subject's IPs, unless an IP is everybody's (PLACEHOLDER_IP_ACCOUNTS)
  const sharedIps = new Map<string, string[]>();
  for (const ip of new Set(payments.flatMap((p) => (p.ip === null ? [] : [p.ip])))) {
    const payers = r.payers(activity?.recent('ip', ip) ?? []);
    payers.delete(id);
    if (payers.size + 1 >= PLACEHOLDER_IP_ACCOUNTS) continue;
    for (const a of payers) (sharedIps.get(a) ?? sharedIps.set(a, []).get(a)!).push(ip);
  }
  const sharedMerchants = new Map<string, { merchants: string[]; weight: number }>();
  for (const m of new Set(payments.map((p) => p.merchantId))) {
    const payers = r.payers(activity?.recent('merchant', m) ?? []);
    payers.delete(id);
    for (const a of payers) {
      const x = sharedMerchants.get(a) ?? { merchants: [], weight: 0 };
      x.merchants.push(m);
      x.weight += 1 / (payers.size + 1); // a small shop shared says more than a supermarket
      sharedMerchants.set(a, x);
    }
  }
  return {
    subject: {
      kind: 'account', accountId: id, known: acc?.registered ?? false,
      creditLimit: finite(acc?.creditLimit ?? NaN), outstanding: finite(acc?.outstanding ?? NaN),
      openedAt: acc === undefined || !Number.isFinite(acc.openedAt) ? null : new Date(acc.openedAt).toISOString(),
      kyc: acc?.kyc || null, home, payments: acc?.txCount ?? 0, labelledFraud: labelled(engine, id),
    },
    payments: paymentLines(payments, home, 'Home'),
    devices: [...devices].map(([deviceId, x]) => ({
      deviceId, firstSeen: x.firstSeen === null || !Number.isFinite(x.firstSeen) ? null : new Date(x.firstSeen).toISOString(),
      paymentsShown: x.payments, alsoUsedBy: byDevice.get(deviceId) ?? [],
    })),
    ...placesOf(payments, home, 'Home'),
    boundTerminals: boundTerminalsOf(engine, payments, home),
    reasons: reasonsOf(engine, payments),
    related: {
      sharedDevices: [...sharedDevices].map(([accountId, ds]) => ({ accountId, devices: ds, labelledFraud: labelled(engine, accountId) })),
      sharedIps: [...sharedIps].map(([accountId, ips]) => ({ accountId, ips, labelledFraud: labelled(engine, accountId) })),
      sharedMerchants: [...sharedMerchants]
        .sort((a, b) => b[1].weight - a[1].weight || (a[0] < b[0] ? -1 : 1))
        .slice(0, 20)
        .map(([accountId, x]) => ({ accountId, merchants: x.merchants, weight: Math.round(x.weight * 1000) / 1000, labelledFraud: labelled(engine, accountId) })),
    },
  };
}

/** The evidence of a merchant or terminal case. */
function merchantEvidence(c: CaseRecord, s: EvidenceSources, r: Reader): Record<string, unknown> {
  const { engine, activity } = s;
  const id = c.subjectId;
  const isTerminal = c.subjectKind === 'terminal';
  const term = isTerminal ? engine.reference.terminals.get(id) : undefined;
  const merchantId = isTerminal ? (term?.merchantId ?? null) : id;
  const payments = paymentsOf(c, r, activity?.recent(isTerminal ? 'terminal' : 'merchant', id) ?? []);
  const anchor = isTerminal ? (term?.geo ?? null) : (engine.reference.merchants.get(id)?.geo ?? null);
  const accounts = new Map<string, { payments: number; amount: number; devices: Set<string> }>();
  const deviceAccounts = new Map<string, Set<string>>();
  for (const p of payments) {
    const a = accounts.get(p.accountId) ?? { payments: 0, amount: 0, devices: new Set<string>() };
    a.payments++;
    a.amount += p.amount;
    if (p.deviceId !== null) {
      a.devices.add(p.deviceId);
      (deviceAccounts.get(p.deviceId) ?? deviceAccounts.set(p.deviceId, new Set()).get(p.deviceId)!).add(p.accountId);
    }
    accounts.set(p.accountId, a);
  }
  const otherMerchants = new Map<string, Set<string>>();
  for (const a of [...accounts.keys()].slice(0, MAX_RELATED_SCAN)) {
    for (const seq of activity?.recent('account', a) ?? []) {
      const p = r.seq(seq);
      if (p === null || p.merchantId === merchantId || (isTerminal && p.terminalId === id)) continue;
      (otherMerchants.get(p.merchantId) ?? otherMerchants.set(p.merchantId, new Set()).get(p.merchantId)!).add(a);
    }
  }
  const view = merchantId === null ? null : merchantView(engine, merchantId, { full: true, actions: s.actions, cases: s.cases, ...(isTerminal ? { terminalId: id } : {}) });
  return {
    subject: isTerminal
      ? { kind: 'terminal', terminalId: id, registered: term !== undefined, merchantId, boundAddress: term?.geo ?? null, rating: ratingOf(engine, 'terminal', id), merchant: view }
      : { kind: 'merchant', ...(view ?? { merchantId: id, registered: false }) },
    payments: paymentLines(payments, anchor, isTerminal ? 'BoundAddress' : 'Address'),
    devices: [...deviceAccounts].map(([deviceId, as]) => ({ deviceId, accounts: [...as] })).sort((a, b) => b.accounts.length - a.accounts.length),
    ...placesOf(payments, anchor, isTerminal ? 'BoundAddress' : 'Address'),
    reasons: reasonsOf(engine, payments),
    related: {
      accounts: [...accounts]
        .sort((a, b) => b[1].amount - a[1].amount)
        .map(([accountId, x]) => ({ accountId, payments: x.payments, amount: x.amount, devices: [...x.devices], labelledFraud: labelled(engine, accountId) })),
      sharedDevices: [...deviceAccounts].filter(([, as]) => as.size >= 2).map(([deviceId, as]) => ({ deviceId, accounts: [...as].sort() })),
      sharedMerchants: [...otherMerchants]
        .filter(([, as]) => as.size >= 2)
        .sort((a, b) => b[1].size - a[1].size)
        .slice(0, 20)
        .map(([m, as]) => ({ merchantId: m, accounts: [...as].sort() })),
    },
  };
}

/** The evidence of a case (see the file comment). */
export function gatherEvidence(c: CaseRecord, s: EvidenceSources): Record<string, unknown> {
  const r = new Reader(s.journal);
  return c.subjectKind === 'account' ? accountEvidence(c, s, r) : merchantEvidence(c, s, r);
}
