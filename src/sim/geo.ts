/**
 * Plain geometry on WGS 84 coordinates, enough to place shops around a district and to keep travel
 * between cities physically possible for honest people (and impossible for the impossible_travel typology).
 */
import type { Rng } from './rng.js';

/** Latitude/longitude in degrees, the contract's `geo` shape. */
export interface LatLon {
  lat: number;
  lon: number;
}

const EARTH_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance in kilometres. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** A point moved by (north, east) kilometres; fine at city scale. */
export function offsetKm(p: LatLon, northKm: number, eastKm: number): LatLon {
  return {
    lat: p.lat + northKm / 111.2,
    lon: p.lon + eastKm / (111.2 * Math.cos(p.lat * RAD)),
  };
}

/** A point scattered around a centre with a normal spread of `sigmaKm` in each direction. */
export function scatter(rng: Rng, centre: LatLon, sigmaKm: number): LatLon {
  return offsetKm(centre, rng.normal() * sigmaKm, rng.normal() * sigmaKm);
}

/** Rounds to 5 decimals (about a metre): what a terminal or registry would report. */
export function roundGeo(p: LatLon): LatLon {
  return { lat: Math.round(p.lat * 1e5) / 1e5, lon: Math.round(p.lon * 1e5) / 1e5 };
}
