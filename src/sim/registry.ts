/**
 * What exists before the first simulated day: acquirers, merchants and terminals as registered, the
 * accounts open before the period, and the phones those accounts had bound by then (so that the
 * engine can tell a holder's known phone from a new one from the first payment on).
 */
import { DAY, MINUTE } from './calendar.js';
import type { SimContext } from './context.js';
import { accountEvent } from './pay.js';
import type { Rng } from './rng.js';
import { acquirerRegT } from './world.js';

/** Pushes every registry and pre-period event onto the timeline (all before the period's start). */
export function pushRegistry(ctx: SimContext, rng: Rng): void {
  const { world, calendar, timeline } = ctx;
  const acqT = acquirerRegT(calendar);
  world.acquirers.forEach((acquirer, i) => timeline.push({ type: 'acquirer', t: acqT + i * MINUTE, seq: 0, acquirer }));
  for (const merchant of world.merchants) timeline.push({ type: 'merchant', t: merchant.regT, seq: 0, merchant });
  for (const terminal of world.terminals) timeline.push({ type: 'terminal', t: terminal.regT, seq: 0, terminal });
  const latest = calendar.start - DAY;
  for (const account of world.accounts) {
    if (account.role !== 'established') continue;
    timeline.push({ type: 'account', t: account.openedAt, seq: 0, account, creditLimit: account.limit });
    // Each phone was bound some time between opening (or at most a year and a half back) and the period.
    let from = Math.max(account.openedAt + 5 * MINUTE, calendar.start - 540 * DAY);
    for (const deviceId of account.devices) {
      const t = Math.floor((from + rng.next() * (latest - from)) / 1000) * 1000;
      accountEvent(ctx, account, t, 'device_bound', { deviceId, ip: account.ip });
      from = t + MINUTE;
    }
  }
}
