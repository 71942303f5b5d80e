/**
 * A case's evidence as `GET /v1/cases/{id}` gathers it: the reasons, the payments newest first, the
 * devices, the accounts related by shared devices or merchants (a small radial graph and a list), and
 * the places of the payments plotted against the account's home (or the terminal's bound address).
 */
import { useState, type ReactNode } from 'react';
import { ShowAll } from './ShowAll';
import type { Evidence as EvidenceData, Geo } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { OUTCOME_NAMES } from '../../ui/names';
import { hrefOfRecord } from '../../ui/route';
import { labelPlace, radialLayout, relatedAccounts, type LinkKind, type Related } from './graph';
import { placeName } from '../../ui/places/labels';
import { distanceKm } from '../../ui/places/plot';
import { PlacesPlot, type LegendEntry, type PlotMark } from '../../ui/places/PlacesPlot';

/** Where the evidence measures distances from: the account's home, the merchant's address or the terminal's bound address. */
export function anchorOf(e: EvidenceData): { geo: Geo; kind: 'home' | 'address' | 'boundAddress' } | null {
  if (e.home != null) return { geo: e.home, kind: 'home' };
  if (e.boundAddress != null) return { geo: e.boundAddress, kind: 'boundAddress' };
  if (e.address != null) return { geo: e.address, kind: 'address' };
  return null;
}

function distanceFromAnchor(x: Record<string, unknown>): number | null {
  for (const [k, v] of Object.entries(x)) if (/^distanceFrom(Home|Address|BoundAddress)Km$/.test(k) && typeof v === 'number') return v;
  return null;
}

const FIRST_PAYMENTS = 20;

function Payments({ e }: { e: EvidenceData }): ReactNode {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  if (e.payments.length === 0) return <p className="muted">{t('evidence.noPayments')}</p>;
  const payments = all ? e.payments : e.payments.slice(0, FIRST_PAYMENTS);
  return (
    <div className="table-wrap">
      <table className="data" data-testid="evidence-payments">
        <caption className="sr-only">{t('evidence.payments')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('evidence.time')}</th>
            <th scope="col" className="wrap">{t('evidence.paymentDevice')}</th>
            <th scope="col" className="num">{t('evidence.amount')}</th>
            <th scope="col">{t('evidence.outcome')}</th>
            <th scope="col" className="num">{t('evidence.score')}</th>
            <th scope="col">{t('evidence.reasons')}</th>
            <th scope="col" className="wrap">{t('evidence.merchantTerminal')}</th>
            <th scope="col" className="num wrap">{t('evidence.fromAnchor')}</th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => {
            const d = distanceFromAnchor(p as unknown as Record<string, unknown>);
            return (
              <tr key={p.seq}>
                <td className="time">{formatTime(p.ts)}</td>
                <th scope="row" className="id">
                  {p.txId}
                  {p.deviceId === null && p.ip === null ? null : (
                    <span className="stat-note">{[p.deviceId, p.ip].filter((x) => x !== null).join(' · ')}</span>
                  )}
                </th>
                <td className="num">{formatMoney(p.amount)}</td>
                <td>{p.outcome === null ? '—' : <span className={`outcome outcome-${p.outcome}`}>{t(OUTCOME_NAMES[p.outcome])}</span>}</td>
                <td className="num">{p.score === null ? '—' : formatNumber(p.score, 1)}</td>
                <td className="codes">{p.reasons.length === 0 ? <span className="muted">—</span> : p.reasons.map((r) => <code key={r}>{r}</code>)}</td>
                <td>
                  <a href={hrefOfRecord('merchants', p.merchantId)}>{p.merchantId}</a>
                  <span className="stat-note">{p.terminalId}</span>
                </td>
                <td className="num">
                  {d === null ? '—' : t('evidence.km', { km: formatNumber(d, 1) })}
                  {p.speedFromPreviousKmh === undefined ? null : <span className="stat-note">{t('evidence.speed', { kmh: formatNumber(p.speedFromPreviousKmh) })}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ShowAll shown={payments.length} total={e.payments.length} onShowAll={() => setAll(true)} />
    </div>
  );
}

function Reasons({ e }: { e: EvidenceData }): ReactNode {
  const { t } = useI18n();
  if (e.reasons.length === 0) return <p className="muted">{t('evidence.noReasons')}</p>;
  return (
    <div className="table-wrap">
    <table className="data">
      <caption className="sr-only">{t('evidence.reasonsTitle')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('evidence.reason')}</th>
          <th scope="col" className="num">{t('evidence.paymentsCount')}</th>
          <th scope="col">{t('evidence.meaning')}</th>
        </tr>
      </thead>
      <tbody>
        {e.reasons.map((r) => (
          <tr key={r.code}>
            <th scope="row"><code>{r.code}</code></th>
            <td className="num">{formatNumber(r.payments)}</td>
            <td>{r.description ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

function Devices({ e }: { e: EvidenceData }): ReactNode {
  const { t } = useI18n();
  if (e.devices.length === 0) return <p className="muted">{t('evidence.noDevices')}</p>;
  return (
    <div className="table-wrap">
    <table className="data">
      <caption className="sr-only">{t('evidence.devices')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('evidence.device')}</th>
          <th scope="col">{t('evidence.firstSeen')}</th>
          <th scope="col">{t('evidence.alsoUsedBy')}</th>
        </tr>
      </thead>
      <tbody>
        {e.devices.map((d) => {
          const others = d.alsoUsedBy ?? d.accounts ?? [];
          return (
            <tr key={d.deviceId}>
              <th scope="row" className="id">{d.deviceId}</th>
              <td className="time">{d.firstSeen == null ? '—' : formatTime(d.firstSeen)}</td>
              <td>
                {others.length === 0 ? (
                  <span className="muted">{t('evidence.nobodyElse')}</span>
                ) : (
                  others.map((a) => (
                    <a key={a} className="chip" href={hrefOfRecord('accounts', a)}>{a}</a>
                  ))
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </div>
  );
}

const VIA_NAMES: Readonly<Record<LinkKind, 'evidence.viaDevice' | 'evidence.viaMerchant' | 'evidence.viaIp'>> = {
  device: 'evidence.viaDevice',
  merchant: 'evidence.viaMerchant',
  ip: 'evidence.viaIp',
};

const GRAPH_W = 520;
const GRAPH_H = 340;

function short(id: string): string {
  return id.length > 14 ? `${id.slice(0, 5)}…${id.slice(-6)}` : id;
}

function NodeLabel({ x, y, text }: { x: number; y: number; text: string }): ReactNode {
  const l = labelPlace({ x, y }, GRAPH_W / 2, GRAPH_H / 2, 13);
  return (
    <text x={l.x} y={l.y} className="node-label" textAnchor={l.anchor}>
      {text}
    </text>
  );
}

function Graph({ subject, related }: { subject: string; related: readonly Related[] }): ReactNode {
  const { t } = useI18n();
  if (related.length === 0) return <p className="muted">{t('evidence.noRelated')}</p>;
  const nodes = radialLayout(related, GRAPH_W / 2, GRAPH_H / 2, 135);
  return (
    <figure className="figure">
      <svg viewBox={`0 0 ${GRAPH_W} ${GRAPH_H}`} width="100%" role="group" aria-label={t('evidence.graphLabel', { n: related.length, subject })} data-testid="related-graph">
        {nodes.map((n) => (
          <line key={`l-${n.accountId}`} x1={GRAPH_W / 2} y1={GRAPH_H / 2} x2={n.x} y2={n.y} className={`edge edge-${n.via.includes('device') ? 'device' : n.via.includes('ip') ? 'ip' : 'merchant'}`} />
        ))}
        <circle cx={GRAPH_W / 2} cy={GRAPH_H / 2} r={16} className="node node-subject" />
        <text x={GRAPH_W / 2} y={GRAPH_H / 2 + 30} className="node-label" textAnchor="middle">{short(subject)}</text>
        {nodes.map((n) => (
          <a key={n.accountId} href={hrefOfRecord('accounts', n.accountId)}>
            <title>{`${n.accountId}: ${n.via.map((v) => t(VIA_NAMES[v])).join(', ')}`}</title>
            <circle cx={n.x} cy={n.y} r={9} className={n.labelledFraud ? 'node node-fraud' : 'node'} />
            <NodeLabel x={n.x} y={n.y} text={short(n.accountId)} />
          </a>
        ))}
      </svg>
      <figcaption className="legend">
        <span className="key key-subject" aria-hidden="true" /> {t('evidence.legendSubject')}
        <span className="key key-device" aria-hidden="true" /> {t('evidence.viaDevice')}
        <span className="key key-ip" aria-hidden="true" /> {t('evidence.viaIp')}
        <span className="key key-merchant" aria-hidden="true" /> {t('evidence.viaMerchant')}
        <span className="key key-fraud" aria-hidden="true" /> {t('evidence.legendFraud')}
      </figcaption>
    </figure>
  );
}

const FIRST_RELATED = 10;

function RelatedList({ related }: { related: readonly Related[] }): ReactNode {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  if (related.length === 0) return null;
  const shown = all ? related : related.slice(0, FIRST_RELATED);
  return (
    <div className="table-wrap">
    <table className="data" data-testid="related-accounts">
      <caption className="sr-only">{t('evidence.related')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('evidence.account')}</th>
          <th scope="col">{t('evidence.shares')}</th>
          <th scope="col">{t('evidence.fraudLabel')}</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((r) => (
          <tr key={r.accountId}>
            <th scope="row" className="nowrap"><a href={hrefOfRecord('accounts', r.accountId)}>{r.accountId}</a></th>
            <td>
              {r.via.map((v) => t(VIA_NAMES[v])).join(', ')}
              {r.shared.length === 0 ? null : <span className="muted"> · {r.shared.slice(0, 4).join(', ')}{r.shared.length > 4 ? '…' : ''}</span>}
            </td>
            <td>{r.labelledFraud ? t('evidence.labelledFraud') : <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <ShowAll shown={shown.length} total={related.length} onShowAll={() => setAll(true)} />
    </div>
  );
}

const ANCHOR_NAMES = { home: 'evidence.home', address: 'evidence.address', boundAddress: 'evidence.boundAddress' } as const;

function Places({ e }: { e: EvidenceData }): ReactNode {
  const { t, lang } = useI18n();
  const anchor = anchorOf(e);
  const bound = e.boundTerminals ?? [];
  if (e.places.length === 0 && anchor === null && bound.length === 0) return <p className="muted">{t('evidence.noPlaces')}</p>;
  const anchorName = anchor === null ? '' : t(ANCHOR_NAMES[anchor.kind]);
  const marks: PlotMark[] = [
    ...e.places.map((p, i): PlotMark => ({
      key: `p-${p.lat},${p.lon}`, kind: 'place', geo: p, weight: p.payments, text: String(i + 1),
      title: `${i + 1}: ${p.lat.toFixed(4)}, ${p.lon.toFixed(4)} · ${t('evidence.paymentsN', { n: p.payments })}`,
      ...(anchor === null ? {} : { lineTo: anchor.geo }),
    })),
    ...bound.map((b): PlotMark => ({
      key: `b-${b.terminalId}`, kind: 'bound', geo: b.boundAddress,
      title: t('evidence.boundTerminalTitle', { terminal: b.terminalId, merchant: b.merchantId, n: b.payments }),
    })),
    ...(anchor === null ? [] : [{ key: 'anchor', kind: 'anchor', geo: anchor.geo, title: anchorName } satisfies PlotMark]),
  ];
  const legend: LegendEntry[] = [
    { kind: 'place', label: t('evidence.legendPlace') },
    ...(bound.length === 0 ? [] : [{ kind: 'bound', label: t('evidence.legendBound') } satisfies LegendEntry]),
    ...(anchor === null ? [] : [{ kind: 'anchor', label: anchorName } satisfies LegendEntry]),
  ];
  return (
    <>
      <PlacesPlot marks={marks} legend={legend} ariaLabel={t('evidence.placesLabel', { n: e.places.length })} testId="places-plot" />
      <div className="table-wrap">
      <table className="data" data-testid="places">
        <caption className="sr-only">{t('evidence.places')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('evidence.latLon')}</th>
            <th scope="col" className="num">{t('evidence.paymentsCount')}</th>
            <th scope="col" className="num">{anchor === null ? t('evidence.fromAnchor') : t('evidence.fromNamed', { name: anchorName })}</th>
          </tr>
        </thead>
        <tbody>
          {e.places.map((p, i) => (
            <tr key={`${p.lat},${p.lon}`}>
              <th scope="row">{i + 1}</th>
              <td>{`${placeName(p, lang)} · ${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`}</td>
              <td className="num">{formatNumber(p.payments)}</td>
              <td className="num">{anchor === null ? '—' : t('evidence.km', { km: formatNumber(distanceKm(p, anchor.geo), 1) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </>
  );
}

/** The evidence sections of a case. */
export function Evidence({ e, subjectId }: { e: EvidenceData; subjectId: string }): ReactNode {
  const { t } = useI18n();
  const related = relatedAccounts(e, subjectId);
  return (
    <>
      <section className="panel" aria-labelledby="ev-payments">
        <h2 id="ev-payments">{t('evidence.paymentsTitle', { n: e.payments.length })}</h2>
        <Payments e={e} />
      </section>
      <div className="grid">
        <section className="panel" aria-labelledby="ev-reasons">
          <h2 id="ev-reasons">{t('evidence.reasonsTitle')}</h2>
          <Reasons e={e} />
        </section>
        <section className="panel" aria-labelledby="ev-places">
          <h2 id="ev-places">{t('evidence.places')}</h2>
          <Places e={e} />
        </section>
      </div>
      <div className="grid">
        <section className="panel" aria-labelledby="ev-devices">
          <h2 id="ev-devices">{t('evidence.devices')}</h2>
          <Devices e={e} />
        </section>
        <section className="panel" aria-labelledby="ev-related">
          <h2 id="ev-related">{t('evidence.related')}</h2>
          <Graph subject={subjectId} related={related} />
          <RelatedList related={related} />
        </section>
      </div>
    </>
  );
}
