/**
 * What GET /v1/merchants/{id} answers: the check a customer or partner makes before paying (核实商户:
 * is this merchant registered, through a licensed acquirer, is this terminal its own and in service),
 * and for analysts the merchant's terminals, risk rating with its drivers, actions in force and open
 * cases. Read from the engine's memory (registry, profiles, controls) at request time.
 */
import { formatShanghai } from '../contract/time.js';
import type { Engine } from '../engine/engine.js';
import type { CaseSummary } from '../cases/types.js';
import type { ActionView } from './actions.js';
import { gradeOf, rate, type Rating } from '../features/merchant-profile.js';
import type { MerchantComplaints } from '../complaints/patterns.js';

const DAY = 86_400_000;

/** The rating of a merchant code or terminal as of the engine's latest event time. */
export function ratingOf(engine: Engine, kind: 'merchant' | 'terminal', id: string): Rating {
  const profiles = engine.merchantRisk.profiles;
  const p = kind === 'merchant' ? profiles.merchants.get(id) : profiles.terminals.get(id);
  const flags = kind === 'merchant' ? engine.labels.merchantFlags : engine.labels.terminalFlags;
  const day = Number.isFinite(engine.now) ? Math.floor(engine.now / DAY) : (p?.lastDay ?? 0);
  return rate(p, flags.get(id) === true, day);
}

/** The partner's check of a merchant (and optionally one terminal): ok, or the problems in plain words. */
export interface MerchantCheck {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** How the view is asked for. */
export interface ViewOptions {
  readonly terminalId?: string;
  /** Analysts and admins: terminals, rating, actions, cases. */
  readonly full: boolean;
  readonly actions?: (merchantId: string) => ActionView[];
  readonly cases?: (kind: 'merchant' | 'terminal', id: string) => CaseSummary[];
  /** Wall clock (epoch ms) for "in force now"; default Date.now(). */
  readonly now?: number;
  /** The latest licensed-institutions list imported (merchants/licence-list.ts): its date is shown with the acquirer. */
  readonly licenceList?: { readonly asOf: string; readonly source: string } | null;
  /** What filed complaints say about the merchant; they feed its rating as the `complaints` driver. */
  readonly complaints?: (merchantId: string) => MerchantComplaints;
}

/**
 * `r` with the complaints driver: one more factor of the score's product, 100·(1 − (1 − score/100)(1 − points/100)),
 * as the traffic drivers combine.
 */
export function withComplaints(r: Rating, c: MerchantComplaints): Rating {
  if (c.driver === null) return r;
  const score = Math.round(100 * (1 - (1 - r.score / 100) * (1 - c.driver.points / 100)) * 100) / 100;
  const driver = { driver: 'complaints' as const, severity: c.driver.severity, points: c.driver.points, evidence: { complaints30d: c.total30d, counted30d: c.counted30d } };
  return { ...r, score, grade: gradeOf(score), drivers: [...r.drivers, driver].sort((a, b) => b.points - a.points) };
}

/** Terminals listed per merchant at most. */
const MAX_TERMINALS = 200;

/** The view of `merchantId`, or null when nothing at all is known of it (never registered, no traffic). */
export function merchantView(engine: Engine, merchantId: string, o: ViewOptions): Record<string, unknown> | null {
  const ref = engine.reference;
  const m = ref.merchants.get(merchantId);
  const seen = engine.merchantRisk.profiles.merchants.has(merchantId);
  if (m === undefined && !seen) return null;
  const now = o.now ?? Date.now();
  const controls = engine.merchantRisk.controls;
  const problems: string[] = [];
  let acquirer: Record<string, unknown> | null = null;
  if (m === undefined) problems.push(`merchant ${merchantId} is not registered`);
  else {
    const q = ref.acquirers.get(m.acquirerId);
    acquirer = { acquirerId: m.acquirerId, name: q?.name ?? null, registered: q !== undefined, licensed: q === undefined ? null : q.licensed };
    // the authority behind `licensed`, once a licensed-institutions list was imported (merchants/licence-list.ts)
    if (o.licenceList !== undefined && o.licenceList !== null) acquirer.licenceList = o.licenceList;
    if (q === undefined) problems.push(`its acquirer ${m.acquirerId} is not a registered institution (possible second clearing, 二清)`);
    else if (!q.licensed) problems.push(`its acquirer ${m.acquirerId} holds no payment licence (second clearing, 二清)`);
  }
  let terminal: Record<string, unknown> | undefined;
  if (o.terminalId !== undefined) {
    const t = ref.terminals.get(o.terminalId);
    const suspended = controls.isSuspended(o.terminalId, now);
    if (t === undefined) problems.push(`terminal ${o.terminalId} is not registered`);
    else if (t.merchantId !== merchantId) problems.push(`terminal ${o.terminalId} is bound to merchant ${t.merchantId}, not to ${merchantId} (跳码?)`);
    if (suspended) problems.push(`terminal ${o.terminalId} is suspended`);
    terminal = {
      terminalId: o.terminalId,
      registered: t !== undefined,
      belongsToMerchant: t !== undefined && t.merchantId === merchantId,
      boundMerchantId: t?.merchantId ?? null,
      boundAddress: t?.geo ?? null,
      boundAt: t === undefined ? null : formatShanghai(t.since),
      status: suspended ? 'suspended' : 'in_service',
    };
  }
  const view: Record<string, unknown> = {
    merchantId,
    registered: m !== undefined,
    name: m?.name || null,
    mcc: m?.mcc || null,
    region: m?.region || null,
    address: m?.geo ?? null,
    registeredAt: m === undefined ? null : formatShanghai(m.since),
    acquirer,
    ...(terminal === undefined ? {} : { terminal }),
    check: { ok: problems.length === 0, problems } satisfies MerchantCheck,
  };
  if (!o.full) return view;
  const complaints = o.complaints?.(merchantId);
  const terminals: Record<string, unknown>[] = [];
  for (const t of ref.terminals.values()) {
    if (t.merchantId !== merchantId) continue;
    if (terminals.length >= MAX_TERMINALS) break;
    const r = ratingOf(engine, 'terminal', t.id);
    terminals.push({
      terminalId: t.id, boundAddress: t.geo ?? null, boundAt: formatShanghai(t.since), acquirerId: t.acquirerId || null,
      status: controls.isSuspended(t.id, now) ? 'suspended' : 'in_service', risk: { score: r.score, grade: r.grade },
    });
  }
  return {
    ...view,
    terminals,
    settlement: controls.isHeld(merchantId, now) ? 'held' : 'normal',
    rating: complaints === undefined ? ratingOf(engine, 'merchant', merchantId) : withComplaints(ratingOf(engine, 'merchant', merchantId), complaints),
    ...(complaints === undefined ? {} : { complaints }),
    ...(o.terminalId === undefined ? {} : { terminalRating: ratingOf(engine, 'terminal', o.terminalId) }),
    actions: o.actions?.(merchantId) ?? [],
    openCases: [...(o.cases?.('merchant', merchantId) ?? []), ...terminals.flatMap((t) => o.cases?.('terminal', t.terminalId as string) ?? [])],
  };
}

/** Every merchant code seen in traffic or registered, rated, riskiest first (the merchant risk list). */
export function riskList(engine: Engine, o: { minScore: number; limit: number; kind: 'merchant' | 'terminal' }): Record<string, unknown>[] {
  const profiles = o.kind === 'merchant' ? engine.merchantRisk.profiles.merchants : engine.merchantRisk.profiles.terminals;
  const out: { id: string; r: Rating }[] = [];
  for (const id of profiles.keys()) {
    const r = ratingOf(engine, o.kind, id);
    if (r.score >= o.minScore) out.push({ id, r });
  }
  out.sort((a, b) => b.r.score - a.r.score || (a.id < b.id ? -1 : 1));
  return out.slice(0, o.limit).map(({ id, r }) => ({
    [o.kind === 'merchant' ? 'merchantId' : 'terminalId']: id,
    registered: o.kind === 'merchant' ? engine.reference.merchants.has(id) : engine.reference.terminals.has(id),
    score: r.score,
    grade: r.grade,
    drivers: r.drivers.map((d) => d.driver),
    payments: r.volume.payments,
  }));
}
