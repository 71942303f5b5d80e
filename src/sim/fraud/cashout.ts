/**
 * cashout (套现) — a colluding small shop turns credit into cash: during the scheme a ring of account
 * holders "pay" it round or just-under-limit sums (¥5,000, ¥4,999, ¥9,990), often at night and often
 * right after repaying (以卡养卡, rolling the debt), and get the cash back minus a fee. Every payment
 * through the shop during the scheme is fraud; the shop is labelled once investigated.
 */
import { MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { labelEntity } from '../labels.js';
import { whereAt } from '../legit/where.js';
import type { Account, Merchant } from '../model.js';
import { available, pay, repay } from '../pay.js';
import type { Rng } from '../rng.js';
import { freeShop, schemeWindow, someCity, timeOn, type FraudTask } from './support.js';

const SHOPS = ['5999', '5311', '5411', '5691', '5732'];
const ROUND_YUAN = [20000, 10000, 8000, 5000, 3000, 2000, 1000];

function largestRound(availableFen: number): number {
  for (const y of ROUND_YUAN) if (y * 100 <= availableFen) return y * 100;
  return 0;
}

/** A cash-out sum: round, just under the limit, or just under a round figure. */
function cashSum(rng: Rng, acc: Account): number {
  const avail = available(acc);
  const style = rng.weighted(['round', 'underLimit', 'underRound'] as const, [40, 30, 30]);
  if (style === 'underLimit' && avail >= acc.limit * 0.95) return acc.limit - rng.pick([1, 1, 10, 20]) * 100;
  const round = largestRound(avail);
  if (round === 0) return 0;
  if (style === 'round') return round;
  return round - rng.pick([1, 1, 10, 20]) * 100;
}

function visit(ctx: SimContext, rng: Rng, acc: Account, shop: Merchant, day: Day): void {
  const t = rng.chance(0.55) ? timeOn(rng, day, 21.5, 26) : timeOn(rng, day, 10, 21);
  const where = whereAt(acc, t);
  if (where === null || where.away) return;
  if (acc.used > 0 && rng.chance(0.6)) repay(ctx, acc, t - rng.int(5, 180) * MINUTE, acc.used);
  const sum = cashSum(rng, acc);
  if (sum < 50_000) return;
  const parts = rng.chance(0.2) ? [Math.floor(sum / 200) * 100, sum - Math.floor(sum / 200) * 100] : [sum];
  const terminal = rng.pick(shop.terminals);
  const channel = rng.chance(0.65) ? 'qr' : 'card';
  let when = t;
  for (const amount of parts) {
    pay(ctx, rng, acc, terminal, when, amount, { channel, typology: 'cashout' });
    when += rng.int(1, 6) * MINUTE;
  }
}

/** Plans `count` rings: shop, window, members and their visits; labels each shop. */
export function planCashout(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  const tasks: FraudTask[] = [];
  for (let r = 0; r < count; r++) {
    const city = someCity(ctx, rng);
    const shop = freeShop(rng, city, SHOPS);
    if (shop === null) continue;
    const scheme = schemeWindow(ctx, rng, 5, 20);
    shop.blocked.push({ from: scheme.from, to: scheme.to });
    labelEntity(ctx, rng, { merchantId: shop.id }, 'cashout', scheme.from, rng.uniform(3, 15));
    const members = rng
      .sample(city.accounts.filter((a) => a.role === 'established' && !a.victim && a.limit >= 300_000), rng.int(8, 25));
    for (const acc of members) {
      acc.victim = true;
      const days = rng.sample(
        Array.from({ length: scheme.lastDay - scheme.firstDay + 1 }, (_, i) => scheme.firstDay + i),
        rng.int(1, 4),
      );
      for (const day of days) tasks.push({ day, typology: 'cashout', run: (d: Day) => visit(ctx, rng, acc, shop, d) });
    }
  }
  return tasks;
}
