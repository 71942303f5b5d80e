/**
 * merchant_repeat — one account pays one shop again and again within an hour until its line is almost
 * used up (a fraudster draining a stolen line, or the holder cashing out): the amounts add up to
 * 80–98% of the credit still available.
 */
import { MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { roundGeo, scatter } from '../geo.js';
import { openTerminal } from '../legit/spending.js';
import { accountEvent, available, deviceAt, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { fraudIp, incidentDays, pickVictim, shopOf, split, timeOn, type FraudTask } from './support.js';

const SHOPS = ['5732', '5944', '5311', '5999', '5691'];

function repeat(ctx: SimContext, rng: Rng, day: Day): void {
  const t0 = timeOn(rng, day, 9.5, 23);
  const victim = pickVictim(ctx, rng, t0, 150_000);
  if (victim === null) return;
  const city = rng.chance(0.8) ? victim.city : rng.pick(ctx.world.cities);
  const pos = city === victim.city ? victim.home : scatter(rng, rng.pick(city.districts).centre, 2);
  const shop = shopOf(rng, city, pos, SHOPS);
  const terminal = shop === null ? null : openTerminal(rng, shop, t0);
  if (terminal === null) return;
  const n = rng.int(3, 10);
  const span = rng.uniform(10, 55) * MINUTE;
  const unit = rng.chance(0.7) ? 100 : 1;
  const amounts = split(rng, Math.floor(available(victim) * rng.uniform(0.8, 0.98)), n, 0.25, unit);
  const card = rng.chance(0.2);
  const fresh = !card && rng.chance(0.45);
  const deviceId = card ? null : fresh ? ctx.ids.device() : deviceAt(victim, t0);
  const ip = card ? null : fresh ? fraudIp(rng, city) : victim.ip;
  if (fresh && deviceId !== null && ip !== null && rng.chance(0.5)) {
    accountEvent(ctx, victim, t0 - rng.int(3, 30) * MINUTE, 'device_bound', {
      deviceId,
      ip,
      geo: roundGeo(scatter(rng, terminal.geo, 0.5)),
    });
  }
  let t = t0;
  for (const amount of amounts) {
    pay(ctx, rng, victim, terminal, t, amount, {
      channel: card ? 'card' : 'qr',
      deviceId,
      ip,
      typology: 'merchant_repeat',
    });
    t += Math.floor(span / amounts.length / 1000) * 1000 + rng.int(0, 90) * 1000;
  }
}

/** Schedules `count` repeat sprees over the period. */
export function planMerchantRepeat(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  return incidentDays(rng, ctx.calendar.days.length, count).map((day) => ({
    day,
    typology: 'merchant_repeat' as const,
    run: (d: Day) => repeat(ctx, rng, d),
  }));
}
