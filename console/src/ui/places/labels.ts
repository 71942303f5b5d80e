/**
 * Naming and labelling the places plots: the nearest gazetteer city of a point (within a radius, else
 * its coordinates), points close on the drawing grouped so one label names them, the cities inside
 * the drawn extent as faint references, and a greedy placer that keeps labels from overprinting each
 * other. Plain functions of numbers, so they are tested without a browser.
 */
import type { Geo } from '../../api/types';
import type { Lang } from '../../i18n/detect';
import { GAZETTEER, type City } from './gazetteer';
import { distanceKm, type PlotPoint, type Projection } from './plot';

/** A point is named after a city whose centre is at most this far: a prefecture city's urban area. */
export const CITY_RADIUS_KM = 60;

/** The nearest city to `g` within `maxKm`, with its distance, or null when none is that close. */
export function nearestCity(g: Geo, maxKm = CITY_RADIUS_KM, cities: readonly City[] = GAZETTEER): { city: City; km: number } | null {
  let best: City | null = null;
  let bestKm = Infinity;
  for (const c of cities) {
    // a cheap box test first: a degree of latitude is 111 km, so most cities are skipped at once
    if (Math.abs(c.lat - g.lat) * 111 > Math.min(maxKm, bestKm)) continue;
    const d = distanceKm(g, c);
    if (d < bestKm) {
      bestKm = d;
      best = c;
    }
  }
  return best === null || bestKm > maxKm ? null : { city: best, km: bestKm };
}

/** The city's name in the console's language. */
export function cityName(c: City, lang: Lang): string {
  return lang === 'zh-CN' ? c.zh : c.en;
}

/** Coordinates as a label: `22.54, 114.06` (two decimals: about 1 km, the places' grouping). */
export function formatLatLon(g: Geo): string {
  return `${g.lat.toFixed(2)}, ${g.lon.toFixed(2)}`;
}

/** What a point is called on the plot: its nearest city within CITY_RADIUS_KM, else its coordinates. */
export function placeName(g: Geo, lang: Lang): string {
  const n = nearestCity(g);
  return n === null ? formatLatLon(g) : cityName(n.city, lang);
}

/** Marks drawn near each other, labelled once. */
export interface Cluster<T> {
  /** The first member's position on the drawing: where the label goes. */
  readonly at: PlotPoint;
  readonly members: T[];
}

/**
 * Groups items whose drawn positions are within `cellPx` of a cluster's first member, in order, so
 * one label names a crowd of marks instead of overprinting them.
 */
export function clusterPoints<T>(items: readonly T[], at: (item: T) => PlotPoint, cellPx: number): Cluster<T>[] {
  const out: Cluster<T>[] = [];
  for (const it of items) {
    const p = at(it);
    const c = out.find((x) => Math.hypot(x.at.x - p.x, x.at.y - p.y) <= cellPx);
    if (c === undefined) out.push({ at: p, members: [it] });
    else c.members.push(it);
  }
  return out;
}

/**
 * The cities whose centres fall inside the drawing (at least `marginPx` from its edges), capitals
 * first, at most `max`, leaving out names already on the plot: the faint reference labels that say
 * where the drawn extent is.
 */
export function referenceCities(proj: Projection, width: number, height: number, marginPx: number, max: number, exclude: ReadonlySet<City> = new Set()): { city: City; at: PlotPoint }[] {
  const inside: { city: City; at: PlotPoint }[] = [];
  for (const city of GAZETTEER) {
    if (exclude.has(city)) continue;
    const at = proj.project(city);
    if (at.x < marginPx || at.x > width - marginPx || at.y < marginPx || at.y > height - marginPx) continue;
    inside.push({ city, at });
  }
  return inside.slice(0, max); // the gazetteer lists capitals first
}

/** A label's box on the drawing. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** About how wide `text` is at `fontPx`: a Han character is square, a Latin one a little over half. */
export function textWidth(text: string, fontPx: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? fontPx : fontPx * 0.6;
  return Math.ceil(w);
}

/** A label to place beside a mark of radius `r` at (`x`, `y`). */
export interface LabelRequest {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly r: number;
  readonly text: string;
  readonly fontPx: number;
  /** Placed even when every position overlaps something (the least overlapping); else dropped. */
  readonly must: boolean;
}

/** A placed label: where its text starts and how it is anchored (SVG text-anchor), and its box. */
export interface PlacedLabel {
  readonly id: string;
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly box: Box;
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function candidates(q: LabelRequest): PlacedLabel[] {
  const w = textWidth(q.text, q.fontPx);
  const h = q.fontPx + 2;
  const gap = q.r + 3;
  const at = (x: number, y: number, anchor: PlacedLabel['anchor']): PlacedLabel => {
    const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
    return { id: q.id, text: q.text, x, y, anchor, box: { x: left, y: y - q.fontPx, w, h } };
  };
  const base = q.y + q.fontPx / 2 - 1; // text baseline centred on the mark
  return [
    at(q.x + gap, base, 'start'),
    at(q.x - gap, base, 'end'),
    at(q.x, q.y - gap - 2, 'middle'),
    at(q.x, q.y + gap + q.fontPx, 'middle'),
    at(q.x + gap, q.y - gap, 'start'),
    at(q.x - gap, q.y - gap, 'end'),
    at(q.x + gap, q.y + gap + q.fontPx - 2, 'start'),
    at(q.x - gap, q.y + gap + q.fontPx - 2, 'end'),
  ];
}

/**
 * Places labels in order (put the important ones first), each at the first of eight positions around
 * its mark that stays inside the `width` × `height` drawing and overlaps neither a placed label nor an
 * obstacle (the marks, the scale bar); a `must` label that fits nowhere takes the least overlapping
 * position, any other is dropped.
 */
export function placeLabels(reqs: readonly LabelRequest[], width: number, height: number, obstacles: readonly Box[] = []): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  for (const q of reqs) {
    let best: PlacedLabel | null = null;
    let bestCost = Infinity;
    for (const c of candidates(q)) {
      const b = c.box;
      const outside = Math.max(0, -b.x) + Math.max(0, b.x + b.w - width) + Math.max(0, -b.y) + Math.max(0, b.y + b.h - height);
      let cost = outside * 1000;
      for (const p of placed) cost += overlap(b, p.box) * 10;
      for (const o of obstacles) cost += overlap(b, o);
      if (cost < bestCost) {
        bestCost = cost;
        best = c;
      }
      if (cost === 0) break;
    }
    if (best !== null && (bestCost === 0 || q.must)) placed.push(best);
  }
  return placed;
}
