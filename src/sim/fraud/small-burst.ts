/**
 * small_burst — card testing and split cash-out: many small payments (¥1–¥50) within minutes, often
 * spread over several shops. Card testers tap a cloned card for ¥1–¥10; split cash-out runs ¥20–¥50
 * payment codes from the victim's phone or a fresh one.
 */
import { MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { roundGeo, scatter } from '../geo.js';
import { openTerminal } from '../legit/spending.js';
import type { Terminal } from '../model.js';
import { accountEvent, available, deviceAt, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { fraudIp, incidentDays, pickVictim, shopOf, timeOn, type FraudTask } from './support.js';

const SHOPS = ['5411', '5814', '5999', '5812', '5912'];

function burst(ctx: SimContext, rng: Rng, day: Day): void {
  const cardTesting = rng.chance(0.4);
  const t0 = rng.chance(0.4) ? timeOn(rng, day, 0.5, 6) : timeOn(rng, day, 8, 23.4);
  const victim = pickVictim(ctx, rng, t0, 20_000);
  if (victim === null) return;
  const city = rng.chance(0.6) ? victim.city : rng.pick(ctx.world.cities);
  const pos = city === victim.city ? victim.home : scatter(rng, rng.pick(city.districts).centre, 2);
  const terminals: Terminal[] = [];
  const nShops = cardTesting ? rng.int(1, 3) : rng.int(2, 6);
  for (let i = 0; i < nShops * 2 && terminals.length < nShops; i++) {
    const shop = shopOf(rng, city, pos, SHOPS);
    const term = shop === null ? null : openTerminal(rng, shop, t0);
    if (term !== null && !terminals.includes(term)) terminals.push(term);
  }
  if (terminals.length === 0) return;
  const n = cardTesting ? rng.int(6, 20) : rng.int(10, 30);
  const span = (cardTesting ? rng.uniform(2, 8) : rng.uniform(8, 30)) * MINUTE;
  const fresh = !cardTesting && rng.chance(0.5);
  const deviceId = cardTesting ? null : fresh ? ctx.ids.device() : deviceAt(victim, t0);
  const ip = cardTesting ? null : fresh ? fraudIp(rng, city) : victim.ip;
  if (fresh && deviceId !== null && ip !== null && rng.chance(0.5)) {
    const g = roundGeo(scatter(rng, pos, 1));
    accountEvent(ctx, victim, t0 - rng.int(2, 20) * MINUTE, 'login', { deviceId, ip, geo: g });
  }
  const times = Array.from({ length: n }, () => t0 + Math.floor((rng.next() * span) / 1000) * 1000).sort((a, b) => a - b);
  const channel = cardTesting ? 'card' : rng.chance(0.85) ? 'qr' : 'app';
  const roundStyle = rng.chance(0.5);
  for (const t of times) {
    const amount = cardTesting
      ? rng.chance(0.5) ? rng.pick([100, 100, 200, 500, 1000]) : rng.int(100, 1000)
      : roundStyle ? rng.int(20, 50) * 100 : rng.int(2000, 5000);
    if (amount > available(victim)) break;
    pay(ctx, rng, victim, rng.pick(terminals), t, amount, { channel, deviceId, ip, typology: 'small_burst' });
  }
}

/** Schedules `count` bursts over the period. */
export function planSmallBurst(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  return incidentDays(rng, ctx.calendar.days.length, count).map((day) => ({
    day,
    typology: 'small_burst' as const,
    run: (d: Day) => burst(ctx, rng, d),
  }));
}
