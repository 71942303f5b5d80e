/**
 * The places plot of a case: the payments' places, the account's home (or the terminal's bound
 * address) as points in a box scaled to fit them all, north up, with an equirectangular projection
 * corrected for latitude so distances look right at the scale of a city or a country. No map tiles.
 */
import type { Geo } from '../../api/types';

/** A point to draw. */
export interface PlotPoint {
  readonly x: number;
  readonly y: number;
}

/** A projection from degrees to the drawing's pixels. */
export interface Projection {
  readonly project: (g: Geo) => PlotPoint;
  /** Kilometres per pixel (for the scale bar). */
  readonly kmPerPx: number;
}

const KM_PER_DEG_LAT = 111.32;

/**
 * Fits `points` in a `width` × `height` box with `pad` pixels around, keeping the aspect (a km is as
 * long east as north). One point, or all at one place, is centred with a 1 km span.
 */
export function fitProjection(points: readonly Geo[], width: number, height: number, pad: number): Projection {
  if (points.length === 0) return { project: () => ({ x: width / 2, y: height / 2 }), kmPerPx: 1 };
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const p of points) {
    minLat = Math.min(minLat, p.lat);
    maxLat = Math.max(maxLat, p.lat);
    minLon = Math.min(minLon, p.lon);
    maxLon = Math.max(maxLon, p.lon);
  }
  const midLat = (minLat + maxLat) / 2;
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kmPerDegLon, 1);
  const spanY = Math.max((maxLat - minLat) * KM_PER_DEG_LAT, 1);
  const innerW = Math.max(width - 2 * pad, 1);
  const innerH = Math.max(height - 2 * pad, 1);
  const kmPerPx = Math.max(spanX / innerW, spanY / innerH);
  const cx = (minLon + maxLon) / 2;
  const cy = midLat;
  return {
    kmPerPx,
    project: (g) => ({
      x: Math.round((width / 2 + ((g.lon - cx) * kmPerDegLon) / kmPerPx) * 10) / 10,
      y: Math.round((height / 2 - ((g.lat - cy) * KM_PER_DEG_LAT) / kmPerPx) * 10) / 10,
    }),
  };
}

/** Great-circle distance in km (haversine), rounded to 0.1 km. */
export function distanceKm(a: Geo, b: Geo): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h))) * 10) / 10;
}

/** A round length for a scale bar of about `targetPx` pixels: 1, 2 or 5 × 10ⁿ km, and its pixels. */
export function scaleBar(kmPerPx: number, targetPx = 100): { km: number; px: number } {
  const raw = kmPerPx * targetPx;
  const e = 10 ** Math.floor(Math.log10(raw));
  const km = [1, 2, 5, 10].map((m) => m * e).reduce((best, c) => (Math.abs(c - raw) < Math.abs(best - raw) ? c : best));
  return { km, px: Math.round(km / kmPerPx) };
}
