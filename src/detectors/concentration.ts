/**
 * Concentrations the decision sees one payment at a time and an investigator wants as one case:
 * a terminal whose payments carry other merchants' codes, MCCs or regions (跳码), a terminal used far
 * from its bound address (移机), a merchant whose payments go through an unlicensed or unknown
 * acquirer (二清). Each detector keeps, per terminal or merchant, the day's payments showing its
 * pattern; from MIN_PAYMENTS of them by MIN_ACCOUNTS accounts it opens (or feeds) the subject's
 * `detector:<name>` case with a finding (what was carried, how far, which acquirers) and the payments.
 */
import type { TransactionEvent } from '../contract/events.js';
import { formatShanghai } from '../contract/time.js';
import type { OpenCaseRequest } from '../cases/types.js';
import type { Engine } from '../engine/engine.js';
import { distanceKm } from '../features/geo.js';
import type { ClearedCheck } from './cashout-ring.js';
import type { FeedConsumer, FeedEntry, FindingListener } from './types.js';
import { HitQueues, type Hit } from './window.js';
import { EventClock } from '../engine/event-clock.js';

const HOUR = 3_600_000;
/** Window of event time a concentration is looked for in. */
export const CONCENTRATION_WINDOW_MS = 24 * HOUR;
/** Payments showing the pattern within the window before a case opens. */
export const MIN_PAYMENTS = 3;
/** … made by at least this many accounts (one account's repeated payment is the account's own case). */
export const MIN_ACCOUNTS = 2;
/** A payment farther than this from the terminal's bound address counts as 移机. */
export const RELOCATED_KM = 30;

type Facts = Record<string, string | number | boolean>;

/** What a concentration detector looks for. */
interface Pattern {
  readonly name: string;
  readonly subjectKind: 'merchant' | 'terminal';
  /** Base risk of a finding with MIN_PAYMENTS payments; each further payment adds 5, up to `maxRisk`. */
  readonly baseRisk: number;
  readonly maxRisk: number;
  /** The subject and facts when `tx` shows the pattern, else null. */
  match(tx: TransactionEvent, engine: Engine): { subject: string; facts: Facts } | null;
  /** A one-line summary of the hits for the case note. */
  summary(hits: readonly Hit[]): string;
}

/** One concentration detector (see the file comment). */
export class ConcentrationDetector implements FeedConsumer {
  readonly name: string;
  private readonly queues = new HitQueues(CONCENTRATION_WINDOW_MS);
  /** The watermark sweeps follow (see engine/event-clock.ts). */
  private readonly clock = new EventClock();
  findings = 0;

  constructor(
    private readonly pattern: Pattern,
    private readonly engine: Engine,
    private readonly cleared: ClearedCheck = () => false,
    private readonly found: FindingListener = () => undefined,
  ) {
    this.name = `detector:${pattern.name}`;
  }

  consume(entry: FeedEntry, open: OpenCaseRequest[]): void {
    const e = entry.event;
    if (e.type !== 'transaction') return;
    const mark = this.clock.observe(e.t);
    this.queues.sweep(mark);
    const now = Math.max(mark, e.t);
    const m = this.pattern.match(e, this.engine);
    if (m === null) return;
    const q = this.queues.at(m.subject, now);
    q.add({ seq: entry.seq, t: e.t, txId: e.id, accountId: e.accountId, amount: e.amount, deviceId: e.deviceId, outcome: entry.decision?.outcome ?? 'unknown', facts: m.facts });
    if (q.hits.length < MIN_PAYMENTS) return;
    const accounts = q.accounts();
    if (accounts.size < MIN_ACCOUNTS) return;
    const fresh = q.hits.filter((h) => !q.reported.has(h.txId));
    if (fresh.length === 0) return;
    for (const h of fresh) q.reported.add(h.txId);
    const p = this.pattern;
    if (!entry.act || this.cleared(p.subjectKind, m.subject, this.name)) return;
    this.findings++;
    this.found({ detector: p.name, subjectKind: p.subjectKind, subjectId: m.subject, seq: entry.seq, t: e.t, txId: e.id, summary: p.summary(q.hits) });
    const risk = Math.min(p.maxRisk, p.baseRisk + 5 * (q.hits.length - MIN_PAYMENTS));
    const amount = q.hits.reduce((s, h) => s + h.amount, 0);
    const finding = {
      detector: p.name,
      [p.subjectKind === 'merchant' ? 'merchantId' : 'terminalId']: m.subject,
      risk,
      window: { from: formatShanghai(q.hits[0].t), to: formatShanghai(q.hits[q.hits.length - 1].t) },
      payments: q.hits.length,
      accounts: accounts.size,
      amount,
      carried: tally(q.hits),
    };
    open.push({
      subjectKind: p.subjectKind, subjectId: m.subject, issue: this.name, source: { kind: 'detector', ref: `finding:${p.name}` },
      risk, amount: 0, actor: this.name, detail: finding, note: p.summary(q.hits),
    });
    for (const h of fresh) {
      open.push({
        subjectKind: p.subjectKind, subjectId: m.subject, issue: this.name, source: { kind: 'detector', ref: h.txId }, txId: h.txId,
        risk, amount: h.amount, actor: this.name,
        detail: { accountId: h.accountId, amount: h.amount, ts: formatShanghai(h.t), outcome: h.outcome, ...h.facts },
      });
    }
  }

  /** Keys held, for status. */
  sizes(): Record<string, number> {
    return { subjects: this.queues.size };
  }
}

/** For each fact, how many hits carried each value: what the finding shows at a glance. */
function tally(hits: readonly Hit[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const h of hits) {
    for (const [k, v] of Object.entries(h.facts)) {
      if (typeof v !== 'string') continue;
      const t = (out[k] ??= {});
      t[v] = (t[v] ?? 0) + 1;
    }
  }
  return out;
}

/** 跳码: the terminal's payments carry another merchant's code, MCC or region than its own merchant's. */
export const CODE_JUMPING: Pattern = {
  name: 'code_jumping',
  subjectKind: 'terminal',
  baseRisk: 55,
  maxRisk: 90,
  match(tx, engine) {
    const ref = engine.reference;
    const term = ref.terminals.get(tx.terminalId);
    if (term === undefined) return null;
    const own = ref.merchants.get(term.merchantId);
    const carried = tx.merchantId === term.merchantId ? own : ref.merchants.get(tx.merchantId);
    const code = tx.merchantId !== term.merchantId;
    const mcc = tx.mcc !== undefined && own !== undefined && own.mcc !== '' && tx.mcc !== own.mcc;
    const region = own !== undefined && carried !== undefined && own.region !== '' && carried.region !== '' && own.region !== carried.region;
    if (!code && !mcc && !region) return null;
    const facts: Facts = { ownMerchant: term.merchantId };
    if (code) facts.merchantCarried = tx.merchantId;
    if (mcc) facts.mccCarried = tx.mcc!;
    if (region) facts.regionCarried = carried!.region;
    return { subject: term.id, facts };
  },
  summary: (hits) => `${hits.length} payments carried another merchant's code, MCC or region than the terminal's own merchant within 24 h (跳码)`,
};

/** 移机: the terminal is used far from its bound address. */
export const RELOCATED_TERMINAL: Pattern = {
  name: 'relocated_terminal',
  subjectKind: 'terminal',
  baseRisk: 50,
  maxRisk: 85,
  match(tx, engine) {
    const term = engine.reference.terminals.get(tx.terminalId);
    const g = tx.geo;
    if (term === undefined || term.geo === undefined || g === undefined) return null;
    const km = distanceKm(g.lat, g.lon, term.geo.lat, term.geo.lon);
    if (!(km > RELOCATED_KM)) return null;
    return { subject: term.id, facts: { distanceKm: Math.round(km * 10) / 10, lat: g.lat, lon: g.lon } };
  },
  summary: (hits) => {
    const far = Math.max(...hits.map((h) => Number(h.facts.distanceKm)));
    return `${hits.length} payments more than ${RELOCATED_KM} km from the terminal's bound address within 24 h (移机; up to ${far} km)`;
  },
};

/** 二清: the merchant's payments go through an acquirer that is unlicensed or was never registered. */
export const SECOND_CLEARING: Pattern = {
  name: 'second_clearing',
  subjectKind: 'merchant',
  baseRisk: 65,
  maxRisk: 95,
  match(tx, engine) {
    const ref = engine.reference;
    const term = ref.terminals.get(tx.terminalId);
    const merchant = term?.merchantId ?? tx.merchantId;
    const m = ref.merchants.get(tx.merchantId);
    const acquirer = tx.acquirerId ?? m?.acquirerId ?? term?.acquirerId;
    if (acquirer === undefined || acquirer === '') return null;
    const q = ref.acquirers.get(acquirer);
    if (q !== undefined && q.licensed) return null;
    return { subject: merchant, facts: { acquirerCarried: acquirer, acquirerStatus: q === undefined ? 'unknown' : 'unlicensed' } };
  },
  summary: (hits) => `${hits.length} payments went through an unlicensed or unknown acquirer within 24 h (二清)`,
};

/** The three concentration detectors. */
export function concentrationDetectors(engine: Engine, cleared?: ClearedCheck, found?: FindingListener): ConcentrationDetector[] {
  return [CODE_JUMPING, RELOCATED_TERMINAL, SECOND_CLEARING].map((p) => new ConcentrationDetector(p, engine, cleared, found));
}
