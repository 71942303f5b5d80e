/**
 * Decisions per second as this page has polled it: the overview answers one figure per call, so the
 * trend is the series of answers seen since the page opened (kept in the page, not a global store),
 * and says so in its caption.
 */

/** Points of the trend: seconds since the epoch and the rate then. */
export interface RateHistory {
  readonly seconds: readonly number[];
  readonly values: readonly number[];
}

/** The empty history. */
export const EMPTY_HISTORY: RateHistory = { seconds: [], values: [] };

/**
 * The history with the figure of `at` added: a repeated or older `at` (a cached answer shown again)
 * changes nothing, and at most `max` points are kept.
 */
export function addPoint(h: RateHistory, at: string, rate: number, max: number): RateHistory {
  const t = Date.parse(at) / 1000;
  if (!Number.isFinite(t) || !Number.isFinite(rate)) return h;
  const last = h.seconds.at(-1);
  if (last !== undefined && t <= last) return h;
  const from = Math.max(0, h.seconds.length + 1 - max);
  return { seconds: [...h.seconds.slice(from), t], values: [...h.values.slice(from), rate] };
}
