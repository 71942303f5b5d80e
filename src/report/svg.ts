/**
 * Small inline-SVG charts for the printed report: vertical bars (stacked or side by side), a line
 * of rates, horizontal bars. Grey-scale by design — solid greys and a hatch, told apart without
 * colour on any printer — with a legend, axis ticks at round numbers, and text that scales with the
 * page (viewBox, no fixed pixel size). No script: the file reads as drawn.
 */

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** Fills series are drawn with, in order: greys from dark to light, then hatches. */
const FILLS = ['#333', '#8a8a8a', 'url(#HATCH)', '#c8c8c8', 'url(#DOTS)', '#fff'];

/** One series of a chart. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

/** Options shared by the charts. */
export interface ChartOptions {
  /** unique in the document: pattern ids are derived from it. */
  readonly id: string;
  /** accessible title. */
  readonly title: string;
  /** formats axis ticks (default: grouped integers). */
  readonly format?: (v: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const W = 680;
const H = 230;
const M = { top: 10, right: 12, bottom: 42, left: 64 };

const num = (v: number): string => (Math.round(v * 100) / 100).toString();
const intFmt = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Round tick values from 0 to at least `max`: 1, 2, 2.5 or 5 × 10^k steps, about five of them. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let k = 0; out.length === 0 || out[out.length - 1] < max; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

function defs(id: string): string {
  return (
    `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="2"/></pattern>` +
    `<pattern id="${id}-dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff"/>` +
    `<circle cx="2.5" cy="2.5" r="1.1" fill="#333"/></pattern></defs>`
  );
}

function fill(id: string, i: number): string {
  return FILLS[i % FILLS.length].replace('HATCH', `${id}-hatch`).replace('DOTS', `${id}-dots`);
}

function open(o: ChartOptions, w: number, h: number): string {
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(o.title)}">` +
    `<title>${esc(o.title)}</title>${defs(o.id)}`
  );
}

function legend(o: ChartOptions, names: readonly string[], x: number, y: number): string {
  let out = '';
  let cx = x;
  names.forEach((n, i) => {
    out += `<rect x="${num(cx)}" y="${y - 9}" width="10" height="10" fill="${fill(o.id, i)}" stroke="#333" stroke-width="0.6"/>`;
    out += `<text x="${num(cx + 14)}" y="${y}" class="lg">${esc(n)}</text>`;
    cx += 24 + n.length * 6.2;
  });
  return out;
}

/** X labels: every k-th so they never overlap. */
function xLabels(labels: readonly string[], x0: number, slot: number, y: number): string {
  const widest = Math.max(1, ...labels.map((l) => l.length)) * 6;
  const every = Math.max(1, Math.ceil(widest / slot));
  let out = '';
  for (let i = 0; i < labels.length; i += every) {
    out += `<text x="${num(x0 + slot * (i + 0.5))}" y="${y}" class="xl" text-anchor="middle">${esc(labels[i])}</text>`;
  }
  return out;
}

function yAxis(t: readonly number[], top: number, x0: number, x1: number, y: (v: number) => number, f: (v: number) => string, base?: number): string {
  let out = '';
  for (const v of t) {
    const yy = num(y(v));
    out += `<line x1="${x0}" x2="${x1}" y1="${yy}" y2="${yy}" class="grid"/>`;
    out += `<text x="${x0 - 6}" y="${num(y(v) + 4)}" class="yl" text-anchor="end">${esc(f(v))}</text>`;
  }
  return out + `<line x1="${x0}" x2="${x0}" y1="${top}" y2="${num(base ?? y(0))}" class="axis"/>`;
}

/**
 * Vertical bars per label: the series stacked on one another, or side by side (`stacked: false`).
 */
export function barChart(
  o: ChartOptions & { labels: readonly string[]; series: readonly Series[]; stacked?: boolean; log?: boolean },
): string {
  const w = o.width ?? W;
  const h = o.height ?? H;
  const f = o.format ?? intFmt;
  const log = o.log === true;
  const stacked = !log && (o.stacked ?? true);
  const n = o.labels.length;
  let max = 0;
  let minPositive = Infinity;
  for (let i = 0; i < n; i++) {
    if (stacked) max = Math.max(max, o.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
    else {
      for (const s of o.series) {
        const v = s.values[i] ?? 0;
        max = Math.max(max, v);
        if (v > 0) minPositive = Math.min(minPositive, v);
      }
    }
  }
  const top = M.top + (o.series.length > 1 ? 16 : 0);
  const x0 = M.left;
  const x1 = w - M.right;
  const yBase = h - M.bottom;
  let t: number[];
  let y: (v: number) => number;
  if (log && max > 0) {
    // powers of ten from below the smallest bar to above the largest; zero sits on the axis
    const lo = Math.floor(Math.log10(minPositive));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
    t = [];
    for (let k = lo; k <= hi; k++) t.push(10 ** k);
    y = (v: number): number => (v <= 0 ? yBase : yBase - ((Math.log10(v) - lo + 0.35) / (hi - lo + 0.35)) * (yBase - top));
  } else {
    t = ticks(max);
    y = (v: number): number => yBase - (v / t[t.length - 1]) * (yBase - top);
  }
  const slot = (x1 - x0) / Math.max(n, 1);
  const gap = Math.min(slot * 0.2, 6);
  let out = open(o, w, h) + yAxis(t, top, x0, x1, y, f, yBase);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    o.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      let bx: number;
      let bw: number;
      let yTop: number;
      let yBot: number;
      if (stacked) {
        bx = x0 + slot * i + gap / 2;
        bw = slot - gap;
        yBot = y(acc);
        acc += v;
        yTop = y(acc);
      } else {
        bw = (slot - gap) / o.series.length;
        bx = x0 + slot * i + gap / 2 + bw * k;
        yBot = y(0);
        yTop = y(v);
      }
      out +=
        `<rect x="${num(bx)}" y="${num(yTop)}" width="${num(Math.max(bw, 0.5))}" height="${num(Math.max(yBot - yTop, 0.5))}" ` +
        `fill="${fill(o.id, k)}" stroke="#222" stroke-width="0.4"><title>${esc(`${o.labels[i]} ${s.name}: ${f(v)}`)}</title></rect>`;
    });
  }
  out += `<line x1="${x0}" x2="${x1}" y1="${yBase}" y2="${yBase}" class="axis"/>`;
  out += xLabels(o.labels, x0, slot, yBase + 16);
  if (o.series.length > 1) out += legend(o, o.series.map((s) => s.name), x0, M.top + 6);
  return out + '</svg>';
}

/** Lines of values per label (rates over time); null values break the line. */
export function lineChart(o: ChartOptions & { labels: readonly string[]; series: readonly { name: string; values: readonly (number | null)[] }[] }): string {
  const w = o.width ?? W;
  const h = o.height ?? H;
  const f = o.format ?? intFmt;
  const n = o.labels.length;
  let max = 0;
  for (const s of o.series) for (const v of s.values) if (v !== null && v > max) max = v;
  const t = ticks(max);
  const top = M.top + (o.series.length > 1 ? 16 : 0);
  const x0 = M.left;
  const x1 = w - M.right;
  const yBase = h - M.bottom;
  const y = (v: number): number => yBase - (v / t[t.length - 1]) * (yBase - top);
  const slot = (x1 - x0) / Math.max(n, 1);
  const dashes = ['', '6 3', '2 3', '8 3 2 3'];
  const marks = ['circle', 'square', 'triangle', 'diamond'];
  let out = open(o, w, h) + yAxis(t, top, x0, x1, y, f);
  o.series.forEach((s, k) => {
    let d = '';
    let pen = false;
    let dots = '';
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const cx = x0 + slot * (i + 0.5);
      const cy = y(v);
      d += `${pen ? 'L' : 'M'}${num(cx)} ${num(cy)}`;
      pen = true;
      if (n <= 60) dots += marker(marks[k % marks.length], cx, cy, `${o.labels[i]} ${s.name}: ${f(v)}`);
    });
    const dash = dashes[k % dashes.length];
    out += `<path d="${d}" fill="none" stroke="#222" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` + dots;
  });
  out += `<line x1="${x0}" x2="${x1}" y1="${yBase}" y2="${yBase}" class="axis"/>`;
  out += xLabels(o.labels, x0, slot, yBase + 16);
  if (o.series.length > 1) {
    let cx = x0;
    o.series.forEach((s, k) => {
      const dash = dashes[k % dashes.length];
      out += `<line x1="${num(cx)}" x2="${num(cx + 22)}" y1="${M.top + 2}" y2="${M.top + 2}" stroke="#222" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
      out += marker(marks[k % marks.length], cx + 11, M.top + 2, s.name);
      out += `<text x="${num(cx + 28)}" y="${M.top + 6}" class="lg">${esc(s.name)}</text>`;
      cx += 40 + s.name.length * 6.2;
    });
  }
  return out + '</svg>';
}

function marker(kind: string, x: number, y: number, title: string): string {
  const t = `<title>${esc(title)}</title>`;
  if (kind === 'circle') return `<circle cx="${num(x)}" cy="${num(y)}" r="2.6" fill="#222">${t}</circle>`;
  if (kind === 'square') return `<rect x="${num(x - 2.5)}" y="${num(y - 2.5)}" width="5" height="5" fill="#fff" stroke="#222">${t}</rect>`;
  if (kind === 'triangle') return `<path d="M${num(x)} ${num(y - 3)}L${num(x + 3)} ${num(y + 2.5)}L${num(x - 3)} ${num(y + 2.5)}Z" fill="#222">${t}</path>`;
  return `<path d="M${num(x)} ${num(y - 3.2)}L${num(x + 3.2)} ${num(y)}L${num(x)} ${num(y + 3.2)}L${num(x - 3.2)} ${num(y)}Z" fill="#fff" stroke="#222">${t}</path>`;
}

/** Horizontal bars, one per row, values 0–max (shares: max 1), with the value printed at the bar's end. */
export function hBarChart(o: ChartOptions & { rows: readonly { label: string; value: number | null }[]; max?: number }): string {
  const w = o.width ?? W;
  const row = 18;
  const h = M.top + o.rows.length * row + 24;
  const f = o.format ?? intFmt;
  const labelW = Math.min(320, 16 + Math.max(4, ...o.rows.map((r) => r.label.length)) * 6.8);
  const x0 = labelW;
  const x1 = w - 70;
  const max = o.max ?? Math.max(0, ...o.rows.map((r) => r.value ?? 0));
  const t = ticks(max, 4);
  const top = t[t.length - 1] || 1;
  const x = (v: number): number => x0 + (v / top) * (x1 - x0);
  const yEnd = M.top + o.rows.length * row;
  let out = open(o, w, h);
  for (const v of t) {
    out += `<line x1="${num(x(v))}" x2="${num(x(v))}" y1="${M.top}" y2="${yEnd}" class="grid"/>`;
    out += `<text x="${num(x(v))}" y="${yEnd + 14}" class="xl" text-anchor="middle">${esc(f(v))}</text>`;
  }
  o.rows.forEach((r, i) => {
    const y = M.top + i * row;
    out += `<text x="${x0 - 6}" y="${y + 13}" class="yl" text-anchor="end">${esc(r.label)}</text>`;
    if (r.value === null) {
      out += `<text x="${x0 + 4}" y="${y + 13}" class="lg">n/a</text>`;
      return;
    }
    out += `<rect x="${x0}" y="${y + 3}" width="${num(Math.max(x(r.value) - x0, 0.5))}" height="${row - 6}" fill="${fill(o.id, 1)}" stroke="#222" stroke-width="0.4"/>`;
    out += `<text x="${num(x(r.value) + 4)}" y="${y + 13}" class="lg">${esc(f(r.value))}</text>`;
  });
  out += `<line x1="${x0}" x2="${x0}" y1="${M.top}" y2="${yEnd}" class="axis"/>`;
  return out + '</svg>';
}
