/**
 * Metro fares: commuters pay twice on working days (¥2–¥8, the same fare most days, at the stations
 * near home and work), others ride now and then, and travellers ride the metro of the city they visit.
 * Many small payments in a day are normal here, which the small_burst typology must not be confused with.
 */
import { HOUR, MINUTE, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import type { Account, Terminal } from '../model.js';
import { available, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { stationNear } from '../places.js';
import { homeThroughout, whereAt } from './where.js';

function ride(ctx: SimContext, rng: Rng, acc: Account, station: Terminal, t: number, fare: number): void {
  if (fare > available(acc) || t < acc.openedAt + 35 * MINUTE) return;
  pay(ctx, rng, acc, station, Math.floor(t / 1000) * 1000, fare, { channel: 'qr' });
}

function clampHour(h: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, h));
}

/** The day's metro rides. */
export function commute(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  const workday = day.weekday >= 1 && day.weekday <= 5;
  if (acc.homeStation !== null && acc.workStation !== null && workday && homeThroughout(acc, day.start, day.end)) {
    if (!rng.chance(0.92)) return;
    const fare = () => (rng.chance(0.9) ? acc.fare : rng.int(2, 8) * 100);
    const morning = day.start + clampHour(8.2 + 0.5 * rng.normal(), 6.5, 10) * HOUR;
    const evening = day.start + clampHour(18.6 + 0.8 * rng.normal(), 16.5, 22.5) * HOUR;
    ride(ctx, rng, acc, acc.workStation, morning, fare());
    ride(ctx, rng, acc, acc.homeStation, evening, fare());
    return;
  }
  const t = day.start + rng.uniform(8, 21) * HOUR;
  const where = whereAt(acc, t);
  if (where === null || !rng.chance(where.away ? 0.3 : 0.04)) return;
  const station = stationNear(rng, where.city, where.pos);
  ride(ctx, rng, acc, station, t, rng.int(2, 8) * 100);
  if (rng.chance(0.6)) {
    const back = t + rng.uniform(1, 5) * HOUR;
    if (whereAt(acc, back)?.city === where.city && back < day.end) {
      ride(ctx, rng, acc, stationNear(rng, where.city, where.pos), back, rng.int(2, 8) * 100);
    }
  }
}
