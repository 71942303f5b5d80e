/**
 * second_clearing (二清) — small shops whose money flows through an institution without a payment
 * licence: either signed up by an unlicensed acquirer from the start (registered with it), or
 * registered with a licensed acquirer while, during the scheme, their payments carry an unlicensed
 * or never-registered acquirer code. Customers are ordinary people; every such payment is fraud.
 */
import { MCC_BY_CODE, drawAmount, type MccProfile } from '../catalog.js';
import type { Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { labelEntity } from '../labels.js';
import { shopTime } from '../legit/spending.js';
import type { Merchant } from '../model.js';
import { pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { createMerchant } from '../world.js';
import { freeShop, payerIn, schemeWindow, someCity, type FraudTask } from './support.js';

const SMALL = ['5812', '5814', '5411', '5999', '5691'];

function day(ctx: SimContext, rng: Rng, shop: Merchant, acquirerId: string, perDay: number, d: Day): void {
  const n = rng.poisson(perDay);
  for (let i = 0; i < n; i++) {
    const t = shopTime(rng, d, shop.profile);
    const amount = drawAmount(rng, shop.profile);
    const payer = payerIn(ctx, rng, shop.city, t, amount);
    if (payer === null) continue;
    pay(ctx, rng, payer, rng.pick(shop.terminals), t, amount, { acquirerId, typology: 'second_clearing' });
  }
}

/** Plans `count` second-clearing shops (new unlicensed sign-ups or rerouted existing shops). */
export function planSecondClearing(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  const tasks: FraudTask[] = [];
  const { world, calendar } = ctx;
  for (let k = 0; k < count; k++) {
    const city = someCity(ctx, rng);
    const variant = rng.weighted(['unlicensed_signup', 'ghost_acquirer', 'rerouted'] as const, [40, 30, 30]);
    let shop: Merchant | null;
    let acquirerId: string;
    let first = 0;
    let last = calendar.days.length - 1;
    if (variant === 'unlicensed_signup') {
      const profile = MCC_BY_CODE.get(rng.pick(SMALL)) as MccProfile;
      shop = createMerchant(rng, ctx.ids, calendar, city, profile, rng.pick(world.unlicensed));
      // Listed in the registry but not among the city's shops: honest regulars never find it.
      world.merchants.push(shop);
      for (const t of shop.terminals) world.terminals.push(t);
      acquirerId = shop.acquirer.id;
    } else {
      shop = freeShop(rng, city, SMALL);
      if (shop === null) continue;
      const scheme = schemeWindow(ctx, rng, 5, 20);
      shop.blocked.push({ from: scheme.from, to: scheme.to });
      first = scheme.firstDay;
      last = scheme.lastDay;
      acquirerId = variant === 'ghost_acquirer' ? rng.pick(world.ghostAcquirerIds) : rng.pick(world.unlicensed).id;
    }
    const since = calendar.start + first * 24 * 3_600_000;
    labelEntity(ctx, rng, { merchantId: shop.id }, 'second_clearing', since, rng.uniform(5, 20));
    const perDay = rng.uniform(3, 9);
    const s = shop;
    for (let d = first; d <= last; d++) {
      tasks.push({ day: d, typology: 'second_clearing', run: (dd: Day) => day(ctx, rng, s, acquirerId, perDay, dd) });
    }
  }
  return tasks;
}
