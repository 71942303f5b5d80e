/**
 * Labels: what the institution learns later. Delays follow the source (a customer calls within days,
 * an investigation takes a week or two, a chargeback arrives weeks later), always 2–30 days after the
 * payment, and labels land in office hours, as case tools write them.
 */
import { DAY, HOUR, localMidnight } from './calendar.js';
import type { SimContext } from './context.js';
import type { LabelSource, LabelTarget, SimTransaction, Typology } from './model.js';
import type { Rng } from './rng.js';

const SOURCE_DAYS: Record<LabelSource, readonly [number, number]> = {
  customer_report: [2, 7],
  investigation: [3, 21],
  chargeback: [7, 29],
};

const SOURCES: readonly LabelSource[] = ['chargeback', 'investigation', 'customer_report'];

/** How each typology usually comes to light (weights for chargeback, investigation, customer_report). */
const SOURCE_WEIGHTS: Record<Typology, readonly number[]> = {
  small_burst: [50, 20, 30],
  merchant_repeat: [45, 45, 10],
  impossible_travel: [55, 5, 40],
  account_takeover: [40, 5, 55],
  account_anomaly: [25, 75, 0],
  cashout: [10, 90, 0],
  code_jumping: [15, 85, 0],
  second_clearing: [15, 85, 0],
  merchant_mismatch: [20, 80, 0],
};

/** An office-hours time about `delayDays` after t0, never earlier than 2 days nor later than 30 days after it. */
function officeTime(rng: Rng, t0: number, delayDays: number): number {
  let t = localMidnight(t0 + delayDays * DAY) + rng.int(9, 18) * HOUR + rng.int(0, 3599) * 1000;
  if (t < t0 + 2 * DAY) t += DAY;
  if (t > t0 + 30 * DAY) t -= DAY;
  return t;
}

function push(ctx: SimContext, t: number, target: LabelTarget, fraud: boolean, typology: Typology | undefined, source: LabelSource): void {
  ctx.timeline.push({ type: 'label', t, seq: 0, target, fraud, typology, source });
}

/** The fraud label of a fraudulent payment. */
export function labelFraudTx(ctx: SimContext, rng: Rng, tx: SimTransaction): void {
  const typology = tx.typology as Typology;
  const source = rng.weighted(SOURCES, SOURCE_WEIGHTS[typology]);
  const [lo, hi] = SOURCE_DAYS[source];
  push(ctx, officeTime(rng, tx.t, rng.uniform(lo, hi)), { tx }, true, typology, source);
}

/** A "not fraud" label: an honest payment disputed at `disputedAt`, cleared by investigation days later. */
export function labelLegitTx(ctx: SimContext, rng: Rng, tx: SimTransaction, disputedAt: number): void {
  const t = officeTime(rng, disputedAt, rng.uniform(3, 15));
  push(ctx, Math.max(t, tx.t + 2 * DAY), { tx }, false, undefined, 'investigation');
}

/** A fraud label on a merchant, terminal or account, `delayDays` after the scheme began. */
export function labelEntity(
  ctx: SimContext,
  rng: Rng,
  target: LabelTarget,
  typology: Typology,
  since: number,
  delayDays: number,
): void {
  push(ctx, officeTime(rng, since, delayDays), target, true, typology, 'investigation');
}
