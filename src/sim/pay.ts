/**
 * Building a payment the way it reaches the engine. By default every field is what an honest terminal
 * sends (the bound merchant's registered code, name, MCC and acquirer; the terminal's own location;
 * the payer's current phone and usual IP); scenarios override exactly the fields their scheme falsifies.
 * Every fraudulent payment gets its label here, so no scenario can forget one.
 */
import type { SimContext } from './context.js';
import { offsetKm, roundGeo, type LatLon } from './geo.js';
import type { Account, SimAccountActivity, SimTransaction, Terminal, Typology } from './model.js';
import { labelFraudTx } from './labels.js';
import type { Rng } from './rng.js';

/** Fields a scenario may set instead of the honest defaults; `null` means "absent". */
export interface PayOverrides {
  channel?: 'qr' | 'card' | 'app';
  deviceId?: string | null;
  ip?: string | null;
  geo?: LatLon | null;
  merchantId?: string;
  merchantName?: string | null;
  mcc?: string | null;
  acquirerId?: string | null;
  /** Fraud typology; absent for honest payments. */
  typology?: Typology;
}

/** Credit still available to the account, as the engine can compute it from the events. */
export function available(acc: Account): number {
  return acc.limit - acc.used;
}

/** The phone the account holder uses at time t (the old one until a new phone is bound). */
export function deviceAt(acc: Account, t: number): string {
  return t >= acc.deviceSince ? acc.device : acc.prevDevice;
}

/** A terminal's reported position: its bound address with a few metres of GPS noise. */
export function terminalFix(rng: Rng, terminal: Terminal): LatLon {
  return roundGeo(offsetKm(terminal.geo, rng.uniform(-0.015, 0.015), rng.uniform(-0.015, 0.015)));
}

/**
 * Records a payment of `amount` fen by `acc` at `terminal` at time t (seconds; milliseconds are added
 * for some channels), updates the account's used credit, and returns it. A payment that would fall
 * after the simulated period (a scenario running past the last midnight) is not made: null.
 */
export function pay(
  ctx: SimContext,
  rng: Rng,
  acc: Account,
  terminal: Terminal,
  t: number,
  amount: number,
  o: PayOverrides = {},
): SimTransaction | null {
  if (t >= ctx.calendar.end) return null;
  const m = terminal.merchant;
  const channel = o.channel ?? (rng.chance(acc.cardShare) ? 'card' : rng.chance(0.04) ? 'app' : 'qr');
  const when = t + (rng.chance(channel === 'card' ? 0.5 : 0.2) ? rng.int(1, 999) : 0);
  let deviceId: string | undefined;
  let ip: string | undefined;
  if (channel === 'card') {
    // A card tap carries no payer IP; a phone wallet (HCE) tap sometimes carries the phone's id.
    deviceId = o.deviceId !== undefined ? o.deviceId ?? undefined : rng.chance(0.2) ? deviceAt(acc, t) : undefined;
  } else {
    deviceId = o.deviceId !== undefined ? o.deviceId ?? undefined : deviceAt(acc, t);
    ip = o.ip !== undefined ? o.ip ?? undefined : acc.ip;
  }
  const fraud = o.typology !== undefined;
  const tx: SimTransaction = {
    type: 'transaction',
    t: when,
    seq: 0,
    id: '',
    accountId: acc.id,
    amount,
    merchantId: o.merchantId ?? m.id,
    terminalId: terminal.id,
    mcc: o.mcc !== undefined ? o.mcc ?? undefined : rng.chance(0.99) ? m.profile.mcc : undefined,
    acquirerId: o.acquirerId !== undefined ? o.acquirerId ?? undefined : rng.chance(0.98) ? m.acquirer.id : undefined,
    geo: o.geo !== undefined ? o.geo ?? undefined : terminal.reportsGeo ? terminalFix(rng, terminal) : undefined,
    deviceId,
    ip,
    channel,
    merchantName:
      o.merchantName !== undefined ? o.merchantName ?? undefined : rng.chance(0.96) ? m.name : undefined,
    fraud,
    typology: o.typology,
  };
  acc.used += amount;
  ctx.timeline.push(tx);
  if (fraud) labelFraudTx(ctx, rng, tx);
  else acc.lastTx = tx;
  return tx;
}

/** Records an account event (login, device_bound, repayment, …) unless it falls after the period. */
export function accountEvent(
  ctx: SimContext,
  acc: Account,
  t: number,
  kind: SimAccountActivity['kind'],
  extra: { deviceId?: string; ip?: string; geo?: LatLon; amount?: number; creditLimit?: number } = {},
): void {
  if (t >= ctx.calendar.end) return;
  ctx.timeline.push({ type: 'account_event', t, seq: 0, accountId: acc.id, kind, ...extra });
}

/** Records a repayment from the holder's phone and frees the credit it covers. */
export function repay(ctx: SimContext, acc: Account, t: number, amount: number): void {
  if (t >= ctx.calendar.end) return;
  acc.used -= amount;
  accountEvent(ctx, acc, t, 'repayment', { deviceId: deviceAt(acc, t), ip: acc.ip, amount });
}
