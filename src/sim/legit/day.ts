/**
 * One honest day of one account, in a fixed order of concerns so that a seed always gives the same
 * world: whereabouts first (trips), then account life, then payments.
 */
import type { Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import type { Account } from '../model.js';
import type { Rng } from '../rng.js';
import { commute } from './commute.js';
import { accountChanges, logins, newPhone, openFresh, repayments } from './lifecycle.js';
import { everydayPurchases, fuel, largePurchase } from './spending.js';
import { hotelCheckout, updateTrip } from './travel.js';

/** Generates the honest events of `acc` on `day`. Accounts of the account_anomaly typology live elsewhere. */
export function legitDay(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.role === 'fresh_fraud' || acc.openedAt >= day.end) return;
  if (acc.role === 'fresh_legit') openFresh(ctx, rng, acc, day);
  updateTrip(ctx, rng, acc, day);
  repayments(ctx, rng, acc, day);
  logins(ctx, rng, acc, day);
  newPhone(ctx, rng, acc, day);
  accountChanges(ctx, rng, acc, day);
  hotelCheckout(ctx, rng, acc, day);
  commute(ctx, rng, acc, day);
  fuel(ctx, rng, acc, day);
  everydayPurchases(ctx, rng, acc, day);
  largePurchase(ctx, rng, acc, day);
}
