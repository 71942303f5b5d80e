/**
 * Life of an account outside payments: opening (for accounts opened during the period), monthly
 * repayment on the statement day and early repayment when credit runs low, logins, honest new
 * phones (sometimes after an honest password reset, the hard twin of account takeover), number
 * changes, limit changes and the odd complaint that investigation clears.
 */
import { HOUR, MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { roundGeo, scatter } from '../geo.js';
import { labelLegitTx } from '../labels.js';
import type { Account } from '../model.js';
import { accountEvent, available, deviceAt, repay } from '../pay.js';
import type { Rng } from '../rng.js';
import { homeThroughout } from './where.js';

function at(day: Day, rng: Rng, fromHour: number, toHour: number): number {
  return Math.floor((day.start + rng.uniform(fromHour, toHour) * HOUR) / 1000) * 1000;
}

/** Registration of an honest account opened today, with its first phone bound and a login. */
export function openFresh(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.openedAt < day.start || acc.openedAt >= day.end) return;
  // The first phone is bound within half an hour; honest payments wait for it (see spending.ts).
  ctx.timeline.push({ type: 'account', t: acc.openedAt, seq: 0, account: acc, creditLimit: acc.limit });
  const bound = acc.openedAt + rng.int(2, 30) * MINUTE;
  const near = roundGeo(scatter(rng, acc.home, 0.5));
  accountEvent(ctx, acc, bound, 'device_bound', { deviceId: acc.device, ip: acc.ip, geo: near });
  accountEvent(ctx, acc, bound + rng.int(5, 120) * 1000, 'login', { deviceId: acc.device, ip: acc.ip, geo: near });
}

/** Statement-day repayment (full or partial) and early repayment when the line is nearly used. */
export function repayments(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.used <= 0 || acc.openedAt > day.start) return;
  if (day.dom === acc.statementDay) {
    const amount = rng.chance(0.75) ? acc.used : Math.max(100, Math.round((acc.used * rng.uniform(0.2, 0.6)) / 100) * 100);
    repay(ctx, acc, at(day, rng, 8, 23), Math.min(amount, acc.used));
  } else if (available(acc) < acc.limit * 0.15 && rng.chance(0.3)) {
    repay(ctx, acc, at(day, rng, 8, 23), acc.used);
  }
}

/** App logins now and then. */
export function logins(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (!rng.chance(0.08)) return;
  const t = at(day, rng, 7, 23.5);
  if (t < acc.openedAt) return;
  accountEvent(ctx, acc, t, 'login', { deviceId: deviceAt(acc, t), ip: acc.ip });
}

/**
 * An honest new phone: sometimes a password reset on it first (forgotten password), then the device
 * is bound and used from then on, at home, with the usual IP and ordinary amounts.
 */
export function newPhone(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (!rng.chance(0.0008) || acc.openedAt > day.start) return;
  const t = at(day, rng, 9, 22);
  if (!homeThroughout(acc, t - HOUR, t + HOUR)) return;
  const dev = ctx.ids.device();
  const near = roundGeo(scatter(rng, acc.home, 0.5));
  let bound = t;
  if (rng.chance(0.3)) {
    accountEvent(ctx, acc, t, 'password_reset', { deviceId: dev, ip: acc.ip, geo: near });
    bound = t + rng.int(1, 15) * MINUTE;
  }
  if (rng.chance(0.05)) accountEvent(ctx, acc, bound - MINUTE, 'phone_changed', { deviceId: dev, ip: acc.ip, geo: near });
  accountEvent(ctx, acc, bound, 'device_bound', { deviceId: dev, ip: acc.ip, geo: near });
  accountEvent(ctx, acc, bound + rng.int(10, 90) * 1000, 'login', { deviceId: dev, ip: acc.ip, geo: near });
  acc.prevDevice = deviceAt(acc, bound);
  acc.device = dev;
  acc.deviceSince = bound;
  acc.devices.push(dev);
}

/** Rare account changes: a new phone number, a limit change, a complaint that turns out unfounded. */
export function accountChanges(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.openedAt > day.start) return;
  if (rng.chance(0.0002)) {
    const t = at(day, rng, 9, 22);
    accountEvent(ctx, acc, t, 'phone_changed', { deviceId: deviceAt(acc, t), ip: acc.ip });
  }
  if (rng.chance(0.0004)) {
    const factor = rng.chance(0.8) ? rng.uniform(1.1, 1.6) : rng.uniform(0.6, 0.9);
    const limit = Math.min(10_000_000, Math.max(100_000, Math.round((acc.limit * factor) / 50_000) * 50_000));
    acc.limit = limit;
    accountEvent(ctx, acc, at(day, rng, 10, 18), 'limit_changed', { creditLimit: limit });
  }
  if (rng.chance(0.00015) && acc.lastTx !== null && acc.lastTx.t >= day.start - 5 * 24 * HOUR) {
    const t = Math.max(at(day, rng, 9, 21), acc.lastTx.t + HOUR);
    accountEvent(ctx, acc, t, 'complaint', { deviceId: deviceAt(acc, t), ip: acc.ip });
    labelLegitTx(ctx, rng, acc.lastTx, t);
  }
}
