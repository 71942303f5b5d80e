/**
 * A merchant's places: its terminals' bound addresses and its registered address against where its
 * latest payments were actually made, in the console's one places plot (city labels, no map tiles),
 * and the payment places as a table with each one's distance from its terminal's bound address — a
 * terminal paying far from where it is bound has been moved or cloned.
 */
import type { ReactNode } from 'react';
import type { Geo } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber, formatTime } from '../../ui/format';
import { placeName } from '../../ui/places/labels';
import { PlacesPlot, type LegendEntry, type PlotMark } from '../../ui/places/PlacesPlot';
import type { MerchantView } from './types';

/** The plot (and what it was read from), or a line saying nothing is located. */
export function TerminalPlaces({ v }: { v: MerchantView }): ReactNode {
  const { t } = useI18n();
  const terms = (v.terminals ?? []).filter((x): x is typeof x & { boundAddress: Geo } => x.boundAddress !== null);
  const places = v.paymentPlaces?.places ?? [];
  if (terms.length === 0 && places.length === 0 && v.address === null) return <p className="muted">{t('merchants.noPlaces')}</p>;
  const marks: PlotMark[] = [
    ...places.map((p, i): PlotMark => ({
      key: `p-${i}`, kind: 'place', geo: p, weight: p.payments, text: String(i + 1),
      title: t('merchants.paymentPlaceTitle', { i: i + 1, terminal: p.terminalId, n: p.payments }),
      ...(p.boundAddress === null ? {} : { lineTo: p.boundAddress }),
    })),
    ...terms.map((x): PlotMark => ({
      key: `t-${x.terminalId}`, kind: 'bound', geo: x.boundAddress,
      title: `${x.terminalId}: ${x.boundAddress.lat.toFixed(4)}, ${x.boundAddress.lon.toFixed(4)}`,
      ...(v.address === null ? {} : { lineTo: v.address }),
    })),
    ...(v.address === null ? [] : [{ key: 'address', kind: 'anchor', geo: v.address, title: t('merchants.address') } satisfies PlotMark]),
  ];
  const legend: LegendEntry[] = [
    ...(places.length === 0 ? [] : [{ kind: 'place', label: t('merchants.legendPaymentPlace') } satisfies LegendEntry]),
    { kind: 'bound', label: t('merchants.legendTerminal') },
    ...(v.address === null ? [] : [{ kind: 'anchor', label: t('merchants.address') } satisfies LegendEntry]),
  ];
  const pp = v.paymentPlaces;
  return (
    <>
      <PlacesPlot marks={marks} legend={legend} ariaLabel={t('merchants.placesLabel', { n: terms.length, p: places.length })} testId="merchant-places" />
      {pp === undefined ? null : (
        <p className="muted hint">{t('merchants.placesNote', { n: pp.paymentsRead, none: pp.withoutGeo })}</p>
      )}
    </>
  );
}

/** The payment places as a table: terminal, city and coordinates, payments, last one, distance from the terminal's bound address. */
export function PaymentPlacesTable({ v }: { v: MerchantView }): ReactNode {
  const { t, lang } = useI18n();
  const places = v.paymentPlaces?.places ?? [];
  if (places.length === 0) return <p className="muted">{t('merchants.noPaymentPlaces')}</p>;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="payment-places">
        <caption className="sr-only">{t('merchants.paymentPlaces')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('merchants.terminal')}</th>
            <th scope="col">{t('evidence.latLon')}</th>
            <th scope="col" className="num">{t('evidence.paymentsCount')}</th>
            <th scope="col">{t('merchants.firstPayment')}</th>
            <th scope="col">{t('merchants.lastPayment')}</th>
            <th scope="col" className="num">{t('merchants.fromBound')}</th>
          </tr>
        </thead>
        <tbody>
          {places.map((p, i) => (
            <tr key={`${i}-${p.terminalId}`}>
              <th scope="row">{i + 1}</th>
              <td>{p.terminalId}</td>
              <td>{`${placeName(p, lang)} · ${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`}</td>
              <td className="num">{formatNumber(p.payments)}</td>
              <td>{formatTime(p.first)}</td>
              <td>{formatTime(p.last)}</td>
              <td className="num">{p.distanceFromBoundAddressKm === null ? '—' : t('evidence.km', { km: formatNumber(p.distanceFromBoundAddressKm, 1) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
