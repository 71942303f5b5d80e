/**
 * Shared tools of the fraud scenarios: finding a victim or an unsuspecting payer, a fraudster's phone
 * and IP, times inside a day, and splitting a target sum into payments that do not look machine-made.
 */
import { HOUR, type Day } from '../calendar.js';
import { PROXY_IP_PREFIXES } from '../cities.js';
import type { SimContext } from '../context.js';
import type { Account, City, Merchant, Typology } from '../model.js';
import { available } from '../pay.js';
import type { Rng } from '../rng.js';
import { whereAt } from '../legit/where.js';
import { cityIp, merchantNear } from '../places.js';

/** One scheduled piece of fraud work, run after the honest traffic of its day. */
export interface FraudTask {
  readonly day: number;
  readonly typology: Typology;
  run(day: Day): void;
}

/** True for an account that lives an ordinary life and has been open for a while at t. */
function ordinary(acc: Account, t: number): boolean {
  return acc.role !== 'fresh_fraud' && acc.openedAt < t - 3 * 24 * HOUR;
}

/**
 * A victim for a customer-side scenario: an ordinary account, not already a victim, at home around t,
 * with at least `minAvailable` fen of credit left. Marks it as a victim.
 */
export function pickVictim(
  ctx: SimContext,
  rng: Rng,
  t: number,
  minAvailable: number,
  pool: readonly Account[] = ctx.world.accounts,
): Account | null {
  for (let i = 0; i < 80; i++) {
    const acc = rng.pick(pool);
    if (acc.victim || !ordinary(acc, t) || available(acc) < minAvailable) continue;
    const w = whereAt(acc, t);
    if (w === null || w.away) continue;
    acc.victim = true;
    return acc;
  }
  return null;
}

/** An unsuspecting customer in `city` at t who can afford `amount` (merchant-side schemes). */
export function payerIn(ctx: SimContext, rng: Rng, city: City, t: number, amount: number): Account | null {
  for (let i = 0; i < 30; i++) {
    const acc = rng.pick(city.accounts);
    if (!ordinary(acc, t) || available(acc) < amount) continue;
    const w = whereAt(acc, t);
    if (w === null || w.away) continue;
    return acc;
  }
  return null;
}

/** An IP a fraudster shows: a data-centre or overseas proxy, or a carrier address in their city. */
export function fraudIp(rng: Rng, city: City | null, proxyShare = 0.4): string {
  if (city === null || rng.chance(proxyShare)) {
    return `${rng.pick(PROXY_IP_PREFIXES)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }
  return cityIp(rng, city);
}

/** A whole-second time on `day` between two local hours (hours past 24 run into the next day). */
export function timeOn(rng: Rng, day: Day, fromHour: number, toHour: number): number {
  return Math.floor((day.start + rng.uniform(fromHour, toHour) * HOUR) / 1000) * 1000;
}

/** A shop of one of the categories, near a position in a city. */
export function shopOf(rng: Rng, city: City, pos: { lat: number; lon: number }, mccs: readonly string[]): Merchant | null {
  return merchantNear(rng, city, pos, rng.pick(mccs), 3);
}

/**
 * Splits `total` fen into n payments with ±`jitter` relative noise, each rounded to `unit` fen and
 * at least `unit`; the sum never exceeds `total`.
 */
export function split(rng: Rng, total: number, n: number, jitter: number, unit: number): number[] {
  const weights = Array.from({ length: n }, () => 1 + jitter * (2 * rng.next() - 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.max(unit, Math.floor((total * w) / sum / unit) * unit));
  let over = parts.reduce((a, b) => a + b, 0) - total;
  for (let i = 0; over > 0 && i < n; i++) {
    const cut = Math.min(over, parts[i] - unit);
    parts[i] -= cut;
    over -= cut;
  }
  return parts.filter((p) => p > 0);
}

/** Spreads `count` scheduled incidents over the days, uniformly. */
export function incidentDays(rng: Rng, days: number, count: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, days - 1));
}

/** The days of a merchant-side scheme and the window honest customers stay away. */
export interface Scheme {
  readonly firstDay: number;
  readonly lastDay: number;
  readonly from: number;
  readonly to: number;
}

/** A scheme of `minDays`–`maxDays` days inside the period (the window runs 6 hours past its last day). */
export function schemeWindow(ctx: SimContext, rng: Rng, minDays: number, maxDays: number): Scheme {
  const total = ctx.calendar.days.length;
  const length = Math.min(total, rng.int(minDays, maxDays));
  const firstDay = rng.int(0, total - length);
  const from = ctx.calendar.start + firstDay * 24 * HOUR;
  return { firstDay, lastDay: firstDay + length - 1, from, to: from + length * 24 * HOUR + 6 * HOUR };
}

/** A city drawn by population. */
export function someCity(ctx: SimContext, rng: Rng): City {
  return rng.weighted(ctx.world.cities, ctx.world.cities.map((c) => c.weight));
}

/** A registered shop of one of the categories in the city that no other scheme uses yet. */
export function freeShop(rng: Rng, city: City, mccs: readonly string[]): Merchant | null {
  for (let i = 0; i < 40; i++) {
    const list = city.byMcc.get(rng.pick(mccs));
    if (list === undefined || list.length === 0) continue;
    const m = rng.pick(list);
    if (m.blocked.length === 0 && m.terminals.every((t) => t.blocked.length === 0)) return m;
  }
  return null;
}
