/**
 * Picking places the way people do: the nearest of a few shops of the kind they want, the nearest
 * metro station, a carrier IP of the city they are in. Shared by honest life and fraud scenarios.
 */
import { MCCS, type MccProfile } from './catalog.js';
import { distanceKm, type LatLon } from './geo.js';
import type { City, Merchant, Terminal } from './model.js';
import type { Rng } from './rng.js';

/** A random carrier address in a city. */
export function cityIp(rng: Rng, city: { ipPrefixes: readonly string[] }): string {
  return `${rng.pick(city.ipPrefixes)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** Nearest of a few randomly sampled merchants of one category: people shop near where they are. */
export function merchantNear(rng: Rng, city: City, pos: LatLon, mcc: string, tries = 4): Merchant | null {
  const list = city.byMcc.get(mcc);
  if (list === undefined || list.length === 0) return null;
  let best: Merchant | null = null;
  let bestD = Infinity;
  for (let i = 0; i < tries; i++) {
    const m = rng.pick(list);
    const d = distanceKm(pos, m.geo);
    if (d < bestD) {
      bestD = d;
      best = m;
    }
  }
  return best;
}

/** Nearest of a few sampled metro stations. */
export function stationNear(rng: Rng, city: City, pos: LatLon): Terminal {
  let best = rng.pick(city.stations);
  let bestD = distanceKm(pos, best.geo);
  for (let i = 0; i < 5; i++) {
    const s = rng.pick(city.stations);
    const d = distanceKm(pos, s.geo);
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

const SPEND_WEIGHTS = MCCS.map((m) => m.spendWeight);

/** A category drawn by everyday spending weights. */
export function everydayMcc(rng: Rng): MccProfile {
  return rng.weighted(MCCS, SPEND_WEIGHTS);
}
