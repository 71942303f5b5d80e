/**
 * Number formatting of the reports, one place for the HTML and the terminal: grouped integers,
 * money (minor units shown as yuan), shares, and signed changes.
 */

/** 1,234,567 */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Minor units (fen) as yuan: ¥1,234.50 */
export const yuan = (fen: number): string =>
  (fen < 0 ? '-¥' : '¥') + (Math.abs(fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Minor units as short yuan for axes: ¥12.3k, ¥4.5M */
export function yuanShort(fen: number): string {
  const y = fen / 100;
  const a = Math.abs(y);
  if (a >= 1e8) return `¥${(y / 1e8).toFixed(a >= 1e9 ? 0 : 1)}亿`;
  if (a >= 1e6) return `¥${(y / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `¥${(y / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return `¥${y.toFixed(0)}`;
}

/** A share as a percentage: 12.34%; `n/a` for null. */
export const pct = (v: number | null, digits = 2): string => (v === null ? 'n/a' : `${(100 * v).toFixed(digits)}%`);

/** A percentage for axes: drops trailing zeros (0.5%, 12%). */
export const pctAxis = (v: number): string => `${Number((100 * v).toPrecision(3))}%`;

/** A signed change of a count: +12, −3, 0. */
export const signed = (n: number): string => (n > 0 ? `+${int(n)}` : n < 0 ? `−${int(-n)}` : '0');

/** Change of a share in percentage points: +0.42 pt; empty when either side is unknown. */
export const points = (a: number | null, b: number | null): string =>
  a === null || b === null ? '' : `${b - a >= 0 ? '+' : '−'}${Math.abs(100 * (b - a)).toFixed(2)} pt`;

/** Relative change: +12.3%; empty when the base is 0. */
export const relative = (before: number, after: number): string =>
  before === 0 ? '' : `${after >= before ? '+' : '−'}${Math.abs((100 * (after - before)) / before).toFixed(1)}%`;
