/**
 * Everyday honest spending: purchases at the holder's usual shops near home or work (and at shops
 * near the hotel when away), fuel with round amounts, and the occasional large electronics purchase.
 * Honest customers never pay at a shop or terminal while it is part of a fraud scheme (every payment
 * there is then the scheme's, by definition of the truth file).
 */
import { drawAmount, drawHour, type MccProfile } from '../catalog.js';
import { HOUR, MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import type { Account, Merchant, Terminal } from '../model.js';
import { available, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { cityIp, everydayMcc, merchantNear } from '../places.js';
import { whereAt } from './where.js';

function inWindow(windows: readonly { from: number; to: number }[], t: number): boolean {
  for (const w of windows) if (t >= w.from && t < w.to) return true;
  return false;
}

/** A terminal of the merchant an honest customer can use at t, or null if the shop is in a scheme. */
export function openTerminal(rng: Rng, m: Merchant, t: number): Terminal | null {
  if (m.blocked.length > 0 && inWindow(m.blocked, t)) return null;
  const first = rng.pick(m.terminals);
  if (first.blocked.length === 0 || !inWindow(first.blocked, t)) return first;
  for (const term of m.terminals) if (term.blocked.length === 0 || !inWindow(term.blocked, t)) return term;
  return null;
}

function seconds(t: number): number {
  return Math.floor(t / 1000) * 1000;
}

/** A time on `day` in an hour drawn from the shop's opening-hour profile. */
export function shopTime(rng: Rng, day: Day, profile: MccProfile): number {
  return day.start + drawHour(rng, profile) * HOUR + rng.int(0, 3599) * 1000;
}

/** Pays `amount` at a shop near where the holder is at t, if honest rules allow it; returns success. */
function spend(ctx: SimContext, rng: Rng, acc: Account, m: Merchant, t: number, amount: number): boolean {
  if (t < acc.openedAt + 35 * MINUTE || amount > available(acc)) return false;
  const where = whereAt(acc, t);
  if (where === null) return false;
  let shop: Merchant | null = m;
  if (where.away) shop = merchantNear(rng, where.city, where.pos, m.profile.mcc, 3);
  if (shop === null) return false;
  let terminal = openTerminal(rng, shop, t);
  if (terminal === null) {
    const other = merchantNear(rng, where.city, where.pos, m.profile.mcc, 3);
    terminal = other === null ? null : openTerminal(rng, other, t);
  }
  if (terminal === null) return false;
  const ip = where.away && rng.chance(0.4) ? cityIp(rng, where.city) : rng.chance(0.75) ? acc.ip : cityIp(rng, acc.city);
  pay(ctx, rng, acc, terminal, seconds(t), amount, { ip });
  return true;
}

/** The day's ordinary purchases. */
export function everydayPurchases(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  const weekend = day.weekday === 0 || day.weekday === 6 ? 1.25 : 1;
  const n = rng.poisson(acc.rate * weekend);
  for (let i = 0; i < n; i++) {
    const m = acc.favourites.length > 0 && rng.chance(0.82) ? rng.pick(acc.favourites) : null;
    const profile = m !== null ? m.profile : everydayMcc(rng);
    const shop = m ?? merchantNear(rng, acc.city, acc.home, profile.mcc, 3);
    if (shop === null) continue;
    spend(ctx, rng, acc, shop, shopTime(rng, day, profile), drawAmount(rng, profile));
  }
}

const ROUND_FUEL = [150, 200, 250, 300, 400, 500];
const ROUND_FUEL_WEIGHTS = [8, 32, 12, 28, 12, 8];

/** A fill-up every few days for drivers: mostly round amounts (¥200, ¥300), sometimes a full tank. */
export function fuel(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.fuel === null || day.index < acc.nextFuelDay) return;
  acc.nextFuelDay = day.index + rng.int(4, 10);
  const amount = rng.chance(0.7)
    ? rng.weighted(ROUND_FUEL, ROUND_FUEL_WEIGHTS) * 100
    : drawAmount(rng, acc.fuel.profile);
  const t = shopTime(rng, day, acc.fuel.profile);
  if (t < acc.openedAt + 35 * MINUTE) return;
  const where = whereAt(acc, t);
  if (where === null || where.away) return;
  const terminal = openTerminal(rng, acc.fuel, t);
  if (terminal === null || amount > available(acc)) return;
  pay(ctx, rng, acc, terminal, seconds(t), amount, rng.chance(0.4) ? { channel: 'card' } : {});
}

const PHONE_PRICES = [2999, 3999, 4599, 5499, 5999, 6799, 7999, 8999, 9999, 11999];

/** Now and then an honest big-ticket purchase (a new phone or laptop) at an electronics shop. */
export function largePurchase(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (!rng.chance(0.0007)) return;
  const m = merchantNear(rng, acc.city, acc.home, '5732', 3);
  if (m === null) return;
  const amount = rng.pick(PHONE_PRICES) * 100;
  if (amount > available(acc) * 0.95) return;
  spend(ctx, rng, acc, m, day.start + rng.uniform(11, 20.5) * HOUR, amount);
}
