/**
 * The report's sections over time: volumes and outcomes, fraud caught and missed with the money,
 * and the score distribution with its drift against the previous period.
 */
import { int, pct, pctAxis, yuanShort } from './format.js';
import { figure, table } from './html-kit.js';
import type { RiskReport } from './risk-report.js';
import { barChart, esc, lineChart } from './svg.js';
import type { Tr } from './i18n.js';

/** Payments, flagged payments by outcome, alert and decline rates per bucket. */
export function overTime(r: RiskReport, t: Tr): string {
  const labels = r.series.map((b) => b.label);
  const unit = t(r.bucket);
  const volume = barChart({
    id: 'c-volume',
    title: t('Payments per {unit}', { unit }),
    labels,
    series: [{ name: t('payments'), values: r.series.map((b) => b.payments) }],
  });
  const flagged = barChart({
    id: 'c-flagged',
    title: t('Flagged payments per {unit} by outcome', { unit }),
    labels,
    series: (['decline', 'challenge', 'review'] as const).map((o) => ({ name: t(o), values: r.series.map((b) => b.outcomes[o]) })),
  });
  const rates = lineChart({
    id: 'c-rates',
    title: t('Alert and decline rate per {unit}', { unit }),
    labels,
    format: pctAxis,
    series: [
      { name: t('flagged share'), values: r.series.map((b) => b.alertRate) },
      { name: t('declined share'), values: r.series.map((b) => b.declineRate) },
    ],
  });
  return (
    `<section id="volumes"><h2>${t('Volumes and outcomes over time')}</h2>` +
    figure(volume, t('Payments per {unit} (event time, {tz}).', { unit, tz: r.timeZone })) +
    figure(flagged, t('Payments not approved per {unit}, by outcome.', { unit })) +
    figure(rates, t('Share of payments flagged (not approved) and declined per {unit}.', { unit })) +
    `</section>`
  );
}

/** Fraud caught and missed per bucket, and the money. */
export function fraud(r: RiskReport, t: Tr): string {
  const labels = r.series.map((b) => b.label);
  const caught = barChart({
    id: 'c-fraud',
    title: t('Fraud payments per {unit}: caught and missed', { unit: t(r.bucket) }),
    labels,
    series: [
      { name: t('declined'), values: r.series.map((b) => b.fraud.declined) },
      { name: t('challenged'), values: r.series.map((b) => b.fraud.challenged) },
      { name: t('reviewed'), values: r.series.map((b) => b.fraud.reviewed) },
      { name: t('missed (approved)'), values: r.series.map((b) => b.fraud.missed) },
    ],
  });
  const money = barChart({
    id: 'c-money',
    title: t('Money saved and legitimate money declined per {unit}', { unit: t(r.bucket) }),
    labels,
    stacked: false,
    format: yuanShort,
    series: [
      { name: t('money saved'), values: r.series.map((b) => b.moneySaved) },
      { name: t('fraud missed'), values: r.series.map((b) => b.fraud.missedAmount) },
      { name: t('legitimate declined'), values: r.series.map((b) => b.legitimateDeclinedAmount) },
    ],
  });
  const l = r.labels;
  return (
    `<section id="fraud"><h2>${t('Fraud caught and missed')}</h2>` +
    `<p>${t('By the labels known when the report was made: {n} fraud payments in the period', { n: int(l.fraud) })}` +
    (l.fraudByEntity > 0 ? t(' ({n} through {scopes} labels)', { n: int(l.fraudByEntity), scopes: esc(l.entityScopes.join('/')) }) : '') +
    `${t(', {legit} labelled legitimate, {none} without a label (counted legitimate).', { legit: int(l.legitimateLabelled), none: int(l.unlabelled) })}</p>` +
    figure(caught, t('Fraud payments by what was decided on them. Declined and challenged payments did not go through; reviewed ones did and were queued for an analyst.')) +
    figure(money, t('Money saved (fraud value declined or challenged), fraud value missed, and legitimate value declined.')) +
    `</section>`
  );
}

/** The score histogram of both periods and the PSI. */
export function scores(r: RiskReport, t: Tr): string {
  const s = r.scores;
  const share = (h: readonly number[]): number[] => {
    const n = h.reduce((a, b) => a + b, 0);
    return h.map((v) => (n > 0 ? v / n : 0));
  };
  const cur = share(s.current);
  const prev = share(s.previous);
  const labels = s.bins.map((b) => `${b.from}–${b.to}`);
  const chart = barChart({
    id: 'c-scores',
    title: t('Score distribution, this period and the previous'),
    labels,
    stacked: false,
    log: true,
    format: pctAxis,
    series: [
      { name: t('this period'), values: cur },
      { name: t('previous period'), values: prev },
    ],
  });
  const rows = labels.map((b, i) => [b, int(s.previous[i]), pct(prev[i]), int(s.current[i]), pct(cur[i])]);
  const verdict =
    s.psi === null
      ? t('No PSI: one of the periods has no scored payments.')
      : t('PSI {psi} — {band}.', { psi: s.psi.toFixed(4), band: t(s.band === 'stable' ? 'stable (< 0.1)' : s.band === 'moderate' ? 'a moderate shift (0.1–0.25)' : 'a significant shift (≥ 0.25)') });
  return (
    `<section id="scores"><h2>${t('Score distribution and drift')}</h2>` +
    `<p><span class="badge">${esc(verdict)}</span></p>` +
    figure(chart, t('Share of payments per score bin (log scale). The previous period of equal length is the reference (expected) distribution.')) +
    table([t('score'), t('previous'), t('share'), t('this period'), t('share')], rows) +
    `<p class="note">${t("PSI = Σ (a − e) · ln(a / e) over {bins} fixed bins, a = this period's share, e = the previous period's; shares below {floor} are raised to it.", { bins: s.bins.length, floor: s.floor })}</p>` +
    `</section>`
  );
}
