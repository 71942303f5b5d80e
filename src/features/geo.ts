/** Great-circle geometry for "impossible place" features; pure and allocation-free. */

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Haversine distance in km between two WGS 84 points. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const a = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Implied speed in km/h to cover `km` in `ms`. Short gaps are floored at one minute so that two
 * payments a few seconds apart at neighbouring shops do not read as supersonic.
 */
export function speedKmh(km: number, ms: number): number {
  const hours = Math.max(ms, 60_000) / 3_600_000;
  return km / hours;
}
