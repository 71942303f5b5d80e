/**
 * How much fraud a world gets and when. Incident counts scale with account-days so the fraud rate
 * stays near 1% of payments at any size (every typology at least once), and each typology draws
 * from its own random stream so that tuning one never reshuffles the others.
 */
import type { SimContext } from '../context.js';
import { TYPOLOGIES, type Typology } from '../model.js';
import { Rng } from '../rng.js';
import { planAccountAnomaly } from './account-anomaly.js';
import { planAccountTakeover } from './account-takeover.js';
import { planCashout } from './cashout.js';
import { planCodeJumping } from './code-jumping.js';
import { planImpossibleTravel } from './impossible-travel.js';
import { planMerchantMismatch } from './merchant-mismatch.js';
import { planMerchantRepeat } from './merchant-repeat.js';
import { planSecondClearing } from './second-clearing.js';
import { planSmallBurst } from './small-burst.js';
import type { FraudTask } from './support.js';

/**
 * Incidents (customer-side) or schemes (merchant-side) per 600,000 account-days (20,000 accounts ×
 * 30 days), tuned so that each typology yields a few hundred fraudulent payments there.
 */
const PER_REFERENCE: Record<Typology, number> = {
  small_burst: 32,
  merchant_repeat: 80,
  impossible_travel: 150,
  account_takeover: 220,
  account_anomaly: 75,
  cashout: 12,
  code_jumping: 6,
  second_clearing: 4,
  merchant_mismatch: 6,
};

const REFERENCE_ACCOUNT_DAYS = 600_000;

/** Number of incidents or schemes of each typology for a world size. */
export function fraudCounts(accounts: number, days: number): Record<Typology, number> {
  const f = (accounts * days) / REFERENCE_ACCOUNT_DAYS;
  const out = {} as Record<Typology, number>;
  for (const t of TYPOLOGIES) out[t] = Math.max(1, Math.round(PER_REFERENCE[t] * f));
  return out;
}

/**
 * Plans every typology (merchant-side schemes change the world now: blocked windows, new shops,
 * entity labels) and returns the tasks grouped by day index.
 */
export function planFraud(ctx: SimContext, seed: number, counts: Record<Typology, number>): FraudTask[][] {
  const stream = (t: Typology) => Rng.stream(seed, 'fraud:' + t);
  const tasks: FraudTask[] = [
    ...planSecondClearing(ctx, stream('second_clearing'), counts.second_clearing),
    ...planCashout(ctx, stream('cashout'), counts.cashout),
    ...planCodeJumping(ctx, stream('code_jumping'), counts.code_jumping),
    ...planMerchantMismatch(ctx, stream('merchant_mismatch'), counts.merchant_mismatch),
    ...planAccountAnomaly(ctx, stream('account_anomaly')),
    ...planSmallBurst(ctx, stream('small_burst'), counts.small_burst),
    ...planMerchantRepeat(ctx, stream('merchant_repeat'), counts.merchant_repeat),
    ...planImpossibleTravel(ctx, stream('impossible_travel'), counts.impossible_travel),
    ...planAccountTakeover(ctx, stream('account_takeover'), counts.account_takeover),
  ];
  const byDay: FraudTask[][] = ctx.calendar.days.map(() => []);
  for (const task of tasks) byDay[task.day].push(task);
  return byDay;
}
