/**
 * Honest trips to another city by high-speed train or plane, with door-to-door journey times that no
 * honest payment pair can beat, a hotel bill at checkout, and roaming phones that keep their home IP.
 */
import { DAY, HOUR, localMidnight, type Day } from '../calendar.js';
import type { SimContext } from '../context.js';
import { distanceKm, roundGeo, scatter } from '../geo.js';
import type { Account, City } from '../model.js';
import { available, pay } from '../pay.js';
import type { Rng } from '../rng.js';
import { cityIp, merchantNear } from '../places.js';

const TRIP_CHANCE = 0.012;

/** Door-to-door journey time in ms for a distance, by train or plane as people choose. */
export function journeyMs(rng: Rng, km: number): number {
  let hours: number;
  if (km < 300) hours = km / 200 + rng.uniform(0.6, 1.2);
  else if (km < 1200 && rng.chance(0.7)) hours = km / 230 + rng.uniform(0.8, 1.5);
  else if (km >= 1200 && rng.chance(0.1)) hours = km / 230 + rng.uniform(0.8, 1.5);
  else hours = km / 700 + rng.uniform(2.5, 3.5);
  return Math.round(hours * HOUR);
}

function destination(rng: Rng, ctx: SimContext, home: City): City {
  const others = ctx.world.cities.filter((c) => c !== home);
  // Near cities (Shenzhen–Guangzhou, Shanghai–Hangzhou–Nanjing) are visited far more often.
  return rng.weighted(others, others.map((c) => c.weight / (1 + distanceKm(home.centre, c.centre) / 400)));
}

/** Ends a finished trip and maybe starts a new one today. */
export function updateTrip(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  if (acc.trip !== null && acc.trip.returnArrive < day.start) {
    acc.trip = null;
    acc.tripCooldownUntil = day.start + 7 * DAY;
  }
  if (acc.trip !== null || !acc.traveller || day.start < acc.tripCooldownUntil || acc.openedAt > day.start) return;
  const weekendish = day.weekday === 5 || day.weekday === 6 ? 1.6 : 1;
  if (!rng.chance(TRIP_CHANCE * weekendish)) return;
  const dest = destination(rng, ctx, acc.city);
  const km = distanceKm(acc.home, dest.centre);
  const depart = day.start + rng.uniform(7, 19) * HOUR;
  const arrive = depart + journeyMs(rng, km);
  const nights = km < 300 && rng.chance(0.4) ? 0 : Math.min(5, 1 + Math.floor(rng.exp(1.2)));
  let returnDepart = localMidnight(depart) + nights * DAY + rng.uniform(9, 20) * HOUR;
  if (returnDepart < arrive + 3 * HOUR) returnDepart = arrive + rng.uniform(3, 6) * HOUR;
  const returnArrive = returnDepart + journeyMs(rng, km);
  const stay = roundGeo(scatter(rng, rng.pick(dest.districts).centre, 2));
  const hotel = nights > 0 ? merchantNear(rng, dest, stay, '7011', 3) : null;
  acc.trip = { dest, depart, arrive, returnDepart, returnArrive, stay, hotel, hotelPaid: false };
}

/** The hotel bill, paid at checkout a little before the return journey. */
export function hotelCheckout(ctx: SimContext, rng: Rng, acc: Account, day: Day): void {
  const trip = acc.trip;
  if (trip === null || trip.hotel === null || trip.hotelPaid) return;
  const t = Math.floor((trip.returnDepart - rng.uniform(0.5, 3) * HOUR) / 1000) * 1000;
  if (t < day.start || t >= day.end) return;
  trip.hotelPaid = true;
  if (t < trip.arrive + 2 * HOUR || trip.hotel.blocked.length > 0) return;
  const nights = Math.max(1, Math.round((trip.returnDepart - trip.arrive) / DAY));
  const amount = nights * Math.round(rng.lognormal(380, 0.4)) * 100;
  if (amount > available(acc)) return;
  const terminal = rng.pick(trip.hotel.terminals);
  if (terminal.blocked.length > 0) return;
  const ip = rng.chance(0.5) ? acc.ip : cityIp(rng, trip.dest);
  pay(ctx, rng, acc, terminal, t, amount, { ip, channel: rng.chance(0.4) ? 'card' : 'qr' });
}
