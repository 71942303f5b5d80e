/**
 * account_takeover — a fraudster with phished credentials resets the password or changes the phone
 * number from a new device (new IP, often another city), binds the device, and within minutes to
 * hours makes large payments from it; the real holder complains later. Honest new phones (see
 * legit/lifecycle.ts) look similar but stay home and pay ordinary amounts.
 */
import { HOUR, MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { roundGeo, scatter } from '../geo.js';
import { openTerminal } from '../legit/spending.js';
import { accountEvent, available, deviceAt, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { fraudIp, incidentDays, pickVictim, shopOf, split, timeOn, type FraudTask } from './support.js';

const SHOPS = ['5732', '5944', '5311', '5691'];

function takeover(ctx: SimContext, rng: Rng, day: Day): void {
  const t0 = rng.chance(0.25) ? timeOn(rng, day, 0.5, 7) : timeOn(rng, day, 8, 23.5);
  const victim = pickVictim(ctx, rng, t0, 200_000);
  if (victim === null) return;
  const others = ctx.world.cities.filter((c) => c !== victim.city);
  const city = rng.chance(0.65) ? rng.pick(others) : victim.city;
  const pos = scatter(rng, rng.pick(city.districts).centre, 3);
  const deviceId = ctx.ids.device();
  const ip = fraudIp(rng, city, 0.35);
  const geo = roundGeo(pos);
  let t = t0;
  if (rng.chance(0.6)) accountEvent(ctx, victim, t, 'login', { deviceId, ip, geo });
  t += rng.int(1, 10) * MINUTE;
  accountEvent(ctx, victim, t, rng.chance(0.55) ? 'password_reset' : 'phone_changed', { deviceId, ip, geo });
  if (rng.chance(0.75)) {
    t += rng.int(1, 6) * MINUTE;
    accountEvent(ctx, victim, t, 'device_bound', { deviceId, ip, geo });
  }
  // Minutes to hours later: log-uniform between 3 minutes and 6 hours.
  t += Math.floor((3 * MINUTE * Math.pow(120, rng.next())) / 1000) * 1000;
  const n = rng.weighted([1, 2, 3], [45, 35, 20]);
  const amounts = split(rng, Math.floor(available(victim) * rng.uniform(0.5, 0.95)), n, 0.3, 100);
  const channel = rng.chance(0.75) ? 'qr' : 'app';
  let last = t;
  for (const amount of amounts) {
    const shop = shopOf(rng, city, pos, SHOPS);
    const terminal = shop === null ? null : openTerminal(rng, shop, t);
    if (terminal !== null && amount >= 80_000 && pay(ctx, rng, victim, terminal, t, amount, { channel, deviceId, ip, typology: 'account_takeover' }) !== null) {
      last = t;
    }
    t += rng.int(2, 40) * MINUTE;
  }
  if (rng.chance(0.6)) {
    const when = last + Math.floor(rng.uniform(1, 48) * HOUR / 1000) * 1000;
    accountEvent(ctx, victim, when, 'complaint', { deviceId: deviceAt(victim, when), ip: victim.ip });
  }
}

/** Schedules `count` takeovers over the period. */
export function planAccountTakeover(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  return incidentDays(rng, ctx.calendar.days.length, count).map((day) => ({
    day,
    typology: 'account_takeover' as const,
    run: (d: Day) => takeover(ctx, rng, d),
  }));
}
