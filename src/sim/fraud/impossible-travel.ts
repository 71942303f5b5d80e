/**
 * impossible_travel — compromised credentials or a cloned card used in a far city minutes after the
 * holder paid at home: the distance over the gap needs more than 1,100 km/h, faster than any plane
 * door to door. The holder's own payment at home is honest and stays unlabelled.
 */
import { drawAmount } from '../catalog.js';
import { MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { distanceKm, scatter } from '../geo.js';
import { openTerminal } from '../legit/spending.js';
import type { City } from '../model.js';
import { available, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { fraudIp, incidentDays, pickVictim, shopOf, timeOn, type FraudTask } from './support.js';

const SHOPS = ['5732', '5311', '5944', '5411', '5691', '5999'];

function farCity(ctx: SimContext, rng: Rng, home: City): City {
  const far = ctx.world.cities.filter((c) => distanceKm(home.centre, c.centre) >= 700);
  if (far.length > 0) return rng.pick(far);
  return ctx.world.cities.reduce((a, b) => (distanceKm(home.centre, b.centre) > distanceKm(home.centre, a.centre) ? b : a));
}

function travel(ctx: SimContext, rng: Rng, day: Day): void {
  const t0 = timeOn(rng, day, 8, 21);
  const victim = pickVictim(ctx, rng, t0, 100_000);
  if (victim === null || victim.favourites.length === 0) return;
  const homeShop = rng.pick(victim.favourites);
  const homeTerminal = openTerminal(rng, homeShop, t0);
  if (homeTerminal === null) return;
  pay(ctx, rng, victim, homeTerminal, t0, Math.min(drawAmount(rng, homeShop.profile), available(victim)));
  const city = farCity(ctx, rng, victim.city);
  const km = distanceKm(homeTerminal.geo, city.centre);
  const maxGapMin = Math.max(4, Math.min(90, (km / 1100) * 60));
  let t = t0 + Math.floor(rng.uniform(3, maxGapMin) * 60) * 1000;
  const pos = scatter(rng, rng.pick(city.districts).centre, 2);
  const cloned = rng.chance(0.5);
  const deviceId = cloned ? null : ctx.ids.device();
  const ip = cloned ? null : fraudIp(rng, city, 0.2);
  const n = rng.weighted([1, 2, 3, 4, 5], [10, 30, 30, 20, 10]);
  for (let i = 0; i < n; i++) {
    const shop = shopOf(rng, city, pos, SHOPS);
    const terminal = shop === null ? null : openTerminal(rng, shop, t);
    if (terminal !== null) {
      const amount = Math.min(Math.round(rng.lognormal(1500, 0.8)) * 100, Math.floor(available(victim) * 0.8));
      if (amount < 100) break;
      pay(ctx, rng, victim, terminal, t, amount, {
        channel: cloned ? 'card' : 'qr',
        deviceId,
        ip,
        typology: 'impossible_travel',
      });
    }
    t += rng.int(3, 25) * MINUTE;
  }
}

/** Schedules `count` incidents over the period. */
export function planImpossibleTravel(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  return incidentDays(rng, ctx.calendar.days.length, count).map((day) => ({
    day,
    typology: 'impossible_travel' as const,
    run: (d: Day) => travel(ctx, rng, d),
  }));
}
