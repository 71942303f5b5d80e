/**
 * account_anomaly — bust-out of a fresh account: opened during the period with weak KYC, it binds
 * phone after phone from changing IPs, sometimes gets its limit raised, spends the whole line within
 * a day or three, sometimes fakes a small repayment to spend again, and files complaints to claw
 * payments back. Every payment of such an account is fraud; the account itself is labelled later.
 */
import { HOUR, MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { roundGeo, scatter } from '../geo.js';
import { labelEntity } from '../labels.js';
import { openTerminal } from '../legit/spending.js';
import type { Account } from '../model.js';
import { accountEvent, available, pay, repay } from '../pay.js';
import type { Rng } from '../rng.js';
import { fraudIp, shopOf, split, type FraudTask } from './support.js';

const SHOPS = ['5732', '5944', '5311', '5411', '5999', '5691'];

function bustOut(ctx: SimContext, rng: Rng, acc: Account): void {
  const open = acc.openedAt;
  ctx.timeline.push({ type: 'account', t: open, seq: 0, account: acc, creditLimit: acc.limit });
  // Phones bound over the first hours and days, each from its own IP.
  const phones: { dev: string; ip: string; t: number }[] = [{ dev: acc.device, ip: acc.ip, t: open + rng.int(2, 30) * MINUTE }];
  const extra = rng.int(1, 3);
  for (let i = 0; i < extra; i++) {
    phones.push({ dev: ctx.ids.device(), ip: fraudIp(rng, rng.pick(ctx.world.cities), 0.3), t: open + Math.floor(rng.uniform(1, 60) * HOUR) });
  }
  phones.sort((a, b) => a.t - b.t);
  for (const p of phones) {
    const geo = roundGeo(scatter(rng, acc.home, 3));
    accountEvent(ctx, acc, p.t, 'device_bound', { deviceId: p.dev, ip: p.ip, geo });
    accountEvent(ctx, acc, p.t + rng.int(5, 90) * 1000, 'login', { deviceId: p.dev, ip: p.ip, geo });
  }
  const phoneAt = (t: number) => phones.filter((p) => p.t <= t).pop() ?? phones[0];
  let t = phones[0].t + rng.int(10, 60) * MINUTE;
  if (rng.chance(0.25)) {
    acc.limit = Math.round((acc.limit * rng.uniform(1.5, 2)) / 50_000) * 50_000;
    accountEvent(ctx, acc, t, 'limit_changed', { creditLimit: acc.limit });
    t += rng.int(5, 60) * MINUTE;
  }
  const n = rng.int(3, 10);
  const spanMs = rng.uniform(6, 60) * HOUR;
  const amounts = split(rng, Math.floor(available(acc) * rng.uniform(0.9, 1)), n, 0.5, rng.chance(0.6) ? 100 : 1);
  const spend = (amount: number, when: number) => {
    const shop = shopOf(rng, acc.city, acc.home, SHOPS);
    const terminal = shop === null ? null : openTerminal(rng, shop, when);
    if (terminal === null) return;
    const p = phoneAt(when);
    const channel = rng.weighted(['qr', 'app', 'card'] as const, [70, 20, 10]);
    pay(ctx, rng, acc, terminal, when, amount, { channel, deviceId: p.dev, ip: p.ip, typology: 'account_anomaly' });
  };
  for (const amount of amounts) {
    spend(amount, t);
    t += Math.floor(spanMs / n / 1000) * 1000 + rng.int(0, 1800) * 1000;
  }
  if (rng.chance(0.2) && acc.used > 0) {
    const back = Math.round((acc.used * rng.uniform(0.1, 0.3)) / 100) * 100;
    t += Math.floor(rng.uniform(2, 12) * HOUR);
    repay(ctx, acc, t, back);
    t += rng.int(10, 120) * MINUTE;
    spend(Math.min(back, Math.max(1, available(acc))), t);
  }
  if (rng.chance(0.6)) {
    const k = rng.int(1, 2);
    for (let i = 0; i < k; i++) {
      t += Math.floor(rng.uniform(1, 72) * HOUR);
      const p = phoneAt(t);
      accountEvent(ctx, acc, t, 'complaint', { deviceId: p.dev, ip: p.ip });
    }
  }
  labelEntity(ctx, rng, { accountId: acc.id }, 'account_anomaly', open, rng.uniform(5, 20));
}

/** One task per fresh fraudulent account, on the day it is opened. */
export function planAccountAnomaly(ctx: SimContext, rng: Rng): FraudTask[] {
  const start = ctx.calendar.start;
  return ctx.world.accounts
    .filter((a) => a.role === 'fresh_fraud')
    .map((acc) => ({
      day: Math.floor((acc.openedAt - start) / (24 * HOUR)),
      typology: 'account_anomaly' as const,
      run: (_d: Day) => bustOut(ctx, rng, acc),
    }));
}
