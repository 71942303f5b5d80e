/**
 * merchant_mismatch — a registered shop (a convenience store, a snack bar, a pharmacy) whose payments
 * during the scheme describe a different business: another name (often one that hides a gambling
 * room, a club or a pawnshop), another MCC, or its own name under another city (region). Amounts
 * and hours fit the hidden business, not the registered one. Every such payment is fraud.
 */
import { MISMATCH_MCCS } from '../catalog.js';
import type { Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { labelEntity } from '../labels.js';
import type { Merchant } from '../model.js';
import { pay, type PayOverrides } from '../pay.js';
import type { Rng } from '../rng.js';
import { NAME_WORDS } from '../catalog.js';
import { freeShop, payerIn, schemeWindow, someCity, timeOn, type FraudTask } from './support.js';

const REGISTERED_AS = ['5411', '5814', '5999', '5912', '5812'];
const HIDDEN = ['娱乐会所', '棋牌室', '足浴城', '茶艺馆', 'KTV', '酒吧', '电玩城', '典当行'];

function disguise(ctx: SimContext, rng: Rng, shop: Merchant): { name: string; mcc: string } {
  const kind = rng.weighted(['name', 'mcc', 'both', 'region'] as const, [40, 20, 30, 10]);
  const otherName = shop.city.name + rng.pick(NAME_WORDS) + rng.pick(HIDDEN);
  const otherMcc = rng.pick(MISMATCH_MCCS);
  if (kind === 'mcc') return { name: shop.name, mcc: otherMcc };
  if (kind === 'both') return { name: otherName, mcc: otherMcc };
  if (kind === 'region') {
    const elsewhere = rng.pick(ctx.world.cities.filter((c) => c !== shop.city));
    return { name: elsewhere.name + shop.name.slice(shop.city.name.length), mcc: shop.profile.mcc };
  }
  return { name: otherName, mcc: shop.profile.mcc };
}

function day(ctx: SimContext, rng: Rng, shop: Merchant, fields: PayOverrides, perDay: number, d: Day): void {
  const n = rng.poisson(perDay);
  for (let i = 0; i < n; i++) {
    const t = timeOn(rng, d, 13, 26);
    const amount = Math.max(20, Math.round(rng.lognormal(300, 0.8))) * 100;
    const payer = payerIn(ctx, rng, shop.city, t, amount);
    if (payer === null) continue;
    pay(ctx, rng, payer, rng.pick(shop.terminals), t, amount, fields);
  }
}

/** Plans `count` disguised shops, blocks them for honest customers during the scheme, labels them. */
export function planMerchantMismatch(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  const tasks: FraudTask[] = [];
  for (let k = 0; k < count; k++) {
    const shop = freeShop(rng, someCity(ctx, rng), REGISTERED_AS);
    if (shop === null) continue;
    const scheme = schemeWindow(ctx, rng, 5, 20);
    shop.blocked.push({ from: scheme.from, to: scheme.to });
    labelEntity(ctx, rng, { merchantId: shop.id }, 'merchant_mismatch', scheme.from, rng.uniform(4, 18));
    const carried = disguise(ctx, rng, shop);
    const fields: PayOverrides = {
      merchantName: carried.name,
      mcc: carried.mcc,
      acquirerId: shop.acquirer.id,
      typology: 'merchant_mismatch',
    };
    const perDay = rng.uniform(3, 9);
    for (let d = scheme.firstDay; d <= scheme.lastDay; d++) {
      tasks.push({ day: d, typology: 'merchant_mismatch', run: (dd: Day) => day(ctx, rng, shop, fields, perDay, dd) });
    }
  }
  return tasks;
}
