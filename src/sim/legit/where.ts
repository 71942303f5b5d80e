/**
 * Where an account holder is at a moment: at home, away on a trip, or on a train or plane (no
 * payments then). Keeping this one function the only source of whereabouts is what makes honest
 * travel physically consistent: the last payment at home precedes the departure, the first payment
 * away follows the arrival.
 */
import type { LatLon } from '../geo.js';
import type { Account, City } from '../model.js';

/** A holder's whereabouts; `away` is true on a trip. */
export interface Whereabouts {
  readonly city: City;
  readonly pos: LatLon;
  readonly away: boolean;
}

/** Whereabouts at time t, or null while travelling between cities. */
export function whereAt(acc: Account, t: number): Whereabouts | null {
  const trip = acc.trip;
  if (trip === null || t < trip.depart || t >= trip.returnArrive) return { city: acc.city, pos: acc.home, away: false };
  if (t < trip.arrive || t >= trip.returnDepart) return null;
  return { city: trip.dest, pos: trip.stay, away: true };
}

/** True when the holder is at home for the whole span [from, to]. */
export function homeThroughout(acc: Account, from: number, to: number): boolean {
  const trip = acc.trip;
  return trip === null || to < trip.depart || from >= trip.returnArrive;
}
