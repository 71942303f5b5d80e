/**
 * The merchant's terminals' bound addresses against its registered address, drawn with the case
 * page's projection (north up, a km as long east as north, no map tiles).
 */
import type { ReactNode } from 'react';
import type { Geo } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber } from '../../ui/format';
import { distanceKm, fitProjection, scaleBar } from '../cases/plot';
import type { MerchantView } from './types';

const W = 420;
const H = 260;
/** Terminals closer than this many pixels in the plot are labelled together. */
const LABEL_CELL = 24;

/** The plot, or a line saying no address is known. */
export function TerminalPlaces({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const terms = (v.terminals ?? []).filter((x): x is typeof x & { boundAddress: Geo } => x.boundAddress !== null);
  const points: Geo[] = [...terms.map((x) => x.boundAddress), ...(v.address === null ? [] : [v.address])];
  if (points.length === 0) return <p className="muted">{t('merchants.noPlaces')}</p>;
  const proj = fitProjection(points, W, H, 40);
  const bar = scaleBar(proj.kmPerPx, 90);
  const a = v.address === null ? null : proj.project(v.address);
  // terminals bound within a few pixels of each other share one label, so names never overprint
  const labels = new Map<string, string>();
  const near = new Map<string, string[]>();
  for (const x of terms) {
    const q = proj.project(x.boundAddress);
    const key = `${Math.round(q.x / LABEL_CELL)},${Math.round(q.y / LABEL_CELL)}`;
    near.set(key, [...(near.get(key) ?? []), x.terminalId]);
  }
  for (const ids of near.values()) labels.set(ids[0], ids.length <= 2 ? ids.join(', ') : `${ids[0]}, ${ids[1]} +${ids.length - 2}`);
  return (
    <figure className="figure">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('merchants.placesLabel', { n: terms.length })} data-testid="merchant-places">
        <rect x={0.5} y={0.5} width={W - 1} height={H - 1} className="plot-frame" />
        {terms.map((x) => {
          const q = proj.project(x.boundAddress);
          return (
            <g key={x.terminalId}>
              {a === null ? null : <line x1={a.x} y1={a.y} x2={q.x} y2={q.y} className="edge edge-distance" />}
              <title>
                {`${x.terminalId}: ${x.boundAddress.lat.toFixed(4)}, ${x.boundAddress.lon.toFixed(4)}`}
                {v.address === null ? '' : ` · ${t('evidence.km', { km: formatNumber(distanceKm(v.address, x.boundAddress), 1) })}`}
              </title>
              <circle cx={q.x} cy={q.y} r={7} className="place" />
              {labels.get(x.terminalId) === undefined ? null : (
                <text x={q.x > W / 2 ? q.x - 10 : q.x + 10} y={q.y - 10} textAnchor={q.x > W / 2 ? 'end' : 'start'} className="node-label">{labels.get(x.terminalId)}</text>
              )}
            </g>
          );
        })}
        {a === null ? null : (
          <g>
            <title>{t('merchants.address')}</title>
            <rect x={a.x - 6} y={a.y - 6} width={12} height={12} className="anchor" />
          </g>
        )}
        <g transform={`translate(${W - bar.px - 16}, ${H - 16})`}>
          <line x1={0} y1={0} x2={bar.px} y2={0} className="scale" />
          <text x={bar.px / 2} y={-5} textAnchor="middle" className="node-label">{t('evidence.km', { km: formatNumber(bar.km, 1) })}</text>
        </g>
        <text x={12} y={20} className="node-label">{t('evidence.north')}</text>
      </svg>
      <figcaption className="legend">
        <span className="key key-place" aria-hidden="true" /> {t('merchants.terminals')}
        <span className="key key-anchor" aria-hidden="true" /> {t('merchants.address')}
      </figcaption>
      <p className="muted hint">{t('merchants.placesNote')}</p>
    </figure>
  );
}
