/**
 * code_jumping (跳码) — a terminal of a high-fee business (jewellery, electronics, restaurant, hotel)
 * whose payments during the scheme carry another registered merchant's code (often a supermarket, or
 * one in another region) or a low-fee MCC, and/or come from far away from its bound address (移机).
 * The customers are ordinary people paying ordinary prices of the real business; every payment
 * through the terminal during the scheme is fraud, and the terminal is labelled once found.
 */
import { LOW_FEE_MCCS, drawAmount } from '../catalog.js';
import type { Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { distanceKm, offsetKm, roundGeo, scatter, type LatLon } from '../geo.js';
import { labelEntity } from '../labels.js';
import { shopTime } from '../legit/spending.js';
import type { City, Merchant, Terminal } from '../model.js';
import { pay, type PayOverrides } from '../pay.js';
import type { Rng } from '../rng.js';
import { freeShop, payerIn, schemeWindow, someCity, type FraudTask } from './support.js';

const HIGH_FEE = ['5944', '5732', '5812', '7011', '5691'];

interface Jump {
  readonly terminal: Terminal;
  /** Merchant whose code the payments carry (the bound one for an MCC swap or a pure move). */
  readonly carried: Merchant;
  readonly mcc: string;
  /** Where the terminal really is, and whose people pay there. */
  readonly at: LatLon | null;
  readonly payersIn: City;
  readonly perDay: number;
}

function otherShop(rng: Rng, city: City, not: Merchant): Merchant {
  const list = (city.byMcc.get(rng.pick(['5411', '5311', '5411'])) ?? []).filter((m) => m !== not);
  return list.length > 0 ? rng.pick(list) : not;
}

function plan(ctx: SimContext, rng: Rng, bound: Merchant, terminal: Terminal): Jump {
  const city = bound.city;
  const kind = rng.weighted(['other_code', 'mcc_swap', 'moved', 'other_region'] as const, [30, 25, 25, 20]);
  let carried = bound;
  let mcc = bound.profile.mcc;
  if (kind === 'other_code') carried = otherShop(rng, city, bound);
  if (kind === 'other_region') carried = otherShop(rng, rng.pick(ctx.world.cities.filter((c) => c !== city)), bound);
  if (carried !== bound) mcc = carried.profile.mcc;
  if (kind === 'mcc_swap') mcc = rng.pick(LOW_FEE_MCCS.filter((m) => m !== bound.profile.mcc));
  let at: LatLon | null = null;
  let payersIn = city;
  if (kind === 'moved' || rng.chance(0.25)) {
    if (rng.chance(0.6)) {
      for (let i = 0; i < 20 && (at === null || distanceKm(at, terminal.geo) < 12); i++) {
        at = roundGeo(scatter(rng, rng.pick(city.districts).centre, 6));
      }
      if (at === null || distanceKm(at, terminal.geo) < 12) at = roundGeo(offsetKm(terminal.geo, 15, 10));
    } else {
      payersIn = rng.pick(ctx.world.cities.filter((c) => c !== city));
      at = roundGeo(scatter(rng, rng.pick(payersIn.districts).centre, 2));
    }
  }
  return { terminal, carried, mcc, at, payersIn, perDay: rng.uniform(4, 10) };
}

function day(ctx: SimContext, rng: Rng, j: Jump, d: Day): void {
  const profile = j.terminal.merchant.profile;
  const n = rng.poisson(j.perDay);
  const fields: PayOverrides = {
    merchantId: j.carried.id,
    merchantName: j.carried.name,
    mcc: j.mcc,
    acquirerId: j.carried.acquirer.id,
    typology: 'code_jumping',
  };
  for (let i = 0; i < n; i++) {
    const t = shopTime(rng, d, profile);
    const amount = drawAmount(rng, profile);
    const payer = payerIn(ctx, rng, j.payersIn, t, amount);
    if (payer === null) continue;
    const geo = j.at !== null ? roundGeo(offsetKm(j.at, rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02))) : undefined;
    pay(ctx, rng, payer, j.terminal, t, amount, geo === undefined ? fields : { ...fields, geo });
  }
}

/** Plans `count` jumping terminals, blocks them for honest customers during the scheme, labels them. */
export function planCodeJumping(ctx: SimContext, rng: Rng, count: number): FraudTask[] {
  const tasks: FraudTask[] = [];
  for (let k = 0; k < count; k++) {
    const bound = freeShop(rng, someCity(ctx, rng), HIGH_FEE);
    if (bound === null) continue;
    const terminal = rng.pick(bound.terminals);
    const scheme = schemeWindow(ctx, rng, 5, 20);
    terminal.blocked.push({ from: scheme.from, to: scheme.to });
    labelEntity(ctx, rng, { terminalId: terminal.id }, 'code_jumping', scheme.from, rng.uniform(3, 15));
    const jump = plan(ctx, rng, bound, terminal);
    for (let d = scheme.firstDay; d <= scheme.lastDay; d++) {
      tasks.push({ day: d, typology: 'code_jumping', run: (dd: Day) => day(ctx, rng, jump, dd) });
    }
  }
  return tasks;
}
