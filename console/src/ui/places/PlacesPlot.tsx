/**
 * The one places plot of the console (a case's evidence, a merchant's page): marks in a box scaled to
 * fit them, north up, a scale bar, each crowd of marks labelled with its nearest city (or its
 * coordinates) in the console's language, and the cities inside the extent as faint references. No
 * map tiles, no network: the gazetteer is in the bundle.
 */
import type { ReactNode } from 'react';
import type { Geo } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber } from '../format';
import { cityName, clusterPoints, nearestCity, placeLabels, referenceCities, formatLatLon, type Box, type LabelRequest } from './labels';
import { fitProjection, scaleBar, type PlotPoint } from './plot';
import type { City } from './gazetteer';

/** What a mark stands for: payments made there, a terminal's bound address, or the reference address (home, the merchant's). */
export type MarkKind = 'place' | 'bound' | 'anchor';

/** One mark of the plot. */
export interface PlotMark {
  readonly key: string;
  readonly kind: MarkKind;
  readonly geo: Geo;
  /** The tooltip (the place's city or coordinates is added). */
  readonly title: string;
  /** Payments made there: a bigger circle for more (places only). */
  readonly weight?: number;
  /** A short text inside the mark (a place's number in the table beside). */
  readonly text?: string;
  /** Draws a faint line to this point (the distance the table lists). */
  readonly lineTo?: Geo;
}

/** The plot's legend: one entry per kind drawn, in the caller's words. */
export interface LegendEntry {
  readonly kind: MarkKind;
  readonly label: string;
}

const W = 460;
const FONT = 11;
const REF_FONT = 10;
/** Marks closer than this on the drawing share one city label. */
const CLUSTER_PX = 26;
/** The same name is written again only this far from where it already is. */
const SAME_NAME_PX = 140;
const MAX_REFERENCES = 8;
const DRAW_ORDER: Readonly<Record<MarkKind, number>> = { bound: 0, anchor: 1, place: 2 };

function radius(m: PlotMark): number {
  return m.kind === 'place' ? 5 + Math.min(8, m.weight ?? 1) : 7;
}

function Mark({ m, q, name }: { m: PlotMark; q: PlotPoint; name: string }): ReactNode {
  const r = radius(m);
  const title = <title>{`${m.title} · ${name}`}</title>;
  if (m.kind === 'anchor') {
    return (
      <g data-testid="plot-anchor">
        {title}
        <rect x={q.x - 7} y={q.y - 7} width={14} height={14} className="anchor" />
      </g>
    );
  }
  if (m.kind === 'bound') {
    return (
      <g data-testid="plot-bound">
        {title}
        <path d={`M ${q.x} ${q.y - 8} L ${q.x + 8} ${q.y} L ${q.x} ${q.y + 8} L ${q.x - 8} ${q.y} Z`} className="bound" />
      </g>
    );
  }
  return (
    <g data-testid="plot-place">
      {title}
      <circle cx={q.x} cy={q.y} r={r} className="place" />
      {m.text === undefined ? null : <text x={q.x} y={q.y + 4} textAnchor="middle" className="place-label">{m.text}</text>}
    </g>
  );
}

/** The plot of `marks` (nothing when there is none: the caller says why). */
export function PlacesPlot({ marks, legend, ariaLabel, testId, height = 300 }: { marks: readonly PlotMark[]; legend: readonly LegendEntry[]; ariaLabel: string; testId: string; height?: number }): ReactNode {
  const { t, lang } = useI18n();
  const H = height;
  const proj = fitProjection(marks.map((m) => m.geo), W, H, 48);
  const bar = scaleBar(proj.kmPerPx, 90);
  const at = new Map(marks.map((m) => [m.key, proj.project(m.geo)]));
  const pos = (m: PlotMark): PlotPoint => at.get(m.key)!;
  const named = new Map(marks.map((m) => [m.key, nearestCity(m.geo)]));
  const nameOf = (m: PlotMark): string => {
    const n = named.get(m.key);
    return n == null ? formatLatLon(m.geo) : cityName(n.city, lang);
  };
  // anchors first, then the marks with most payments: the labels placed first keep the best positions
  const order = [...marks].sort((a, b) => (a.kind === 'anchor' ? 0 : 1) - (b.kind === 'anchor' ? 0 : 1) || (b.weight ?? 0) - (a.weight ?? 0));
  const clusters = clusterPoints(order, pos, CLUSTER_PX);
  const written: { text: string; at: PlotPoint }[] = [];
  const reqs: LabelRequest[] = [];
  const usedCities = new Set<City>();
  for (const [i, c] of clusters.entries()) {
    const text = nameOf(c.members[0]);
    const city = named.get(c.members[0].key);
    if (city != null) usedCities.add(city.city);
    if (written.some((w) => w.text === text && Math.hypot(w.at.x - c.at.x, w.at.y - c.at.y) < SAME_NAME_PX)) continue;
    written.push({ text, at: c.at });
    reqs.push({ id: `c${i}`, x: c.at.x, y: c.at.y, r: Math.max(...c.members.map(radius)), text, fontPx: FONT, must: reqs.length < 6 });
  }
  const refs = referenceCities(proj, W, H, 14, MAX_REFERENCES, usedCities);
  for (const r of refs) reqs.push({ id: `r:${r.city.en}`, x: r.at.x, y: r.at.y, r: 2, text: cityName(r.city, lang), fontPx: REF_FONT, must: false });
  const obstacles: Box[] = [
    ...marks.map((m) => {
      const q = pos(m);
      const r = radius(m) + 1;
      return { x: q.x - r, y: q.y - r, w: 2 * r, h: 2 * r };
    }),
    { x: W - bar.px - 20, y: H - 34, w: bar.px + 20, h: 34 },
    { x: 0, y: 0, w: 44, h: 28 },
  ];
  const labels = placeLabels(reqs, W, H, obstacles);
  return (
    <figure className="figure">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={ariaLabel} data-testid={testId}>
        <rect x={0.5} y={0.5} width={W - 1} height={H - 1} className="plot-frame" />
        {refs.map((r) => <circle key={r.city.en} cx={r.at.x} cy={r.at.y} r={2} className="ref-city" />)}
        {marks.map((m) => {
          if (m.lineTo === undefined) return null;
          const a = pos(m);
          const b = proj.project(m.lineTo);
          return <line key={`l-${m.key}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} className={m.kind === 'bound' ? 'edge edge-bound' : 'edge edge-distance'} />;
        })}
        {/* bound addresses under the home, payment places (translucent) on top: a place at a terminal's own address stays visible */}
        {[...marks].sort((a, b) => DRAW_ORDER[a.kind] - DRAW_ORDER[b.kind]).map((m) => <Mark key={m.key} m={m} q={pos(m)} name={nameOf(m)} />)}
        {labels.map((l) => (
          <text key={l.id} x={l.x} y={l.y} textAnchor={l.anchor} className={l.id.startsWith('r:') ? 'ref-label' : 'city-label'} data-testid={l.id.startsWith('r:') ? 'plot-ref-label' : 'plot-city-label'}>
            {l.text}
          </text>
        ))}
        <g transform={`translate(${W - bar.px - 16}, ${H - 16})`}>
          <line x1={0} y1={0} x2={bar.px} y2={0} className="scale" />
          <text x={bar.px / 2} y={-5} textAnchor="middle" className="node-label">{t('evidence.km', { km: formatNumber(bar.km, 1) })}</text>
        </g>
        <text x={12} y={20} className="node-label">{t('evidence.north')}</text>
      </svg>
      <figcaption className="legend">
        {legend.map((l) => (
          <span key={l.kind} className="legend-entry">
            <span className={`key key-${l.kind}`} aria-hidden="true" /> {l.label}
          </span>
        ))}
        <span className="legend-entry">
          <span className="key key-ref" aria-hidden="true" /> {t('places.legendCity')}
        </span>
      </figcaption>
    </figure>
  );
}
