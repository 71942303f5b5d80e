/**
 * The report's sections over time: volumes and outcomes, fraud caught and missed with the money,
 * and the score distribution with its drift against the previous period.
 */
import { int, pct, pctAxis, yuanShort } from './format.js';
import { figure, table } from './html-kit.js';
import type { RiskReport } from './risk-report.js';
import { barChart, esc, lineChart } from './svg.js';

/** Payments, flagged payments by outcome, alert and decline rates per bucket. */
export function overTime(r: RiskReport): string {
  const labels = r.series.map((b) => b.label);
  const unit = r.bucket;
  const volume = barChart({
    id: 'c-volume',
    title: `Payments per ${unit}`,
    labels,
    series: [{ name: 'payments', values: r.series.map((b) => b.payments) }],
  });
  const flagged = barChart({
    id: 'c-flagged',
    title: `Flagged payments per ${unit} by outcome`,
    labels,
    series: (['decline', 'challenge', 'review'] as const).map((o) => ({ name: o, values: r.series.map((b) => b.outcomes[o]) })),
  });
  const rates = lineChart({
    id: 'c-rates',
    title: `Alert and decline rate per ${unit}`,
    labels,
    format: pctAxis,
    series: [
      { name: 'flagged share', values: r.series.map((b) => b.alertRate) },
      { name: 'declined share', values: r.series.map((b) => b.declineRate) },
    ],
  });
  return (
    `<section id="volumes"><h2>Volumes and outcomes over time</h2>` +
    figure(volume, `Payments per ${unit} (event time, ${r.timeZone}).`) +
    figure(flagged, `Payments not approved per ${unit}, by outcome.`) +
    figure(rates, `Share of payments flagged (not approved) and declined per ${unit}.`) +
    `</section>`
  );
}

/** Fraud caught and missed per bucket, and the money. */
export function fraud(r: RiskReport): string {
  const labels = r.series.map((b) => b.label);
  const caught = barChart({
    id: 'c-fraud',
    title: `Fraud payments per ${r.bucket}: caught and missed`,
    labels,
    series: [
      { name: 'declined', values: r.series.map((b) => b.fraud.declined) },
      { name: 'challenged', values: r.series.map((b) => b.fraud.challenged) },
      { name: 'reviewed', values: r.series.map((b) => b.fraud.reviewed) },
      { name: 'missed (approved)', values: r.series.map((b) => b.fraud.missed) },
    ],
  });
  const money = barChart({
    id: 'c-money',
    title: `Money saved and legitimate money declined per ${r.bucket}`,
    labels,
    stacked: false,
    format: yuanShort,
    series: [
      { name: 'money saved', values: r.series.map((b) => b.moneySaved) },
      { name: 'fraud missed', values: r.series.map((b) => b.fraud.missedAmount) },
      { name: 'legitimate declined', values: r.series.map((b) => b.legitimateDeclinedAmount) },
    ],
  });
  const l = r.labels;
  return (
    `<section id="fraud"><h2>Fraud caught and missed</h2>` +
    `<p>By the labels known when the report was made: ${int(l.fraud)} fraud payments in the period` +
    (l.fraudByEntity > 0 ? ` (${int(l.fraudByEntity)} through ${esc(l.entityScopes.join('/'))} labels)` : '') +
    `, ${int(l.legitimateLabelled)} labelled legitimate, ${int(l.unlabelled)} without a label (counted legitimate).</p>` +
    figure(caught, 'Fraud payments by what was decided on them. Declined and challenged payments did not go through; reviewed ones did and were queued for an analyst.') +
    figure(money, 'Money saved (fraud value declined or challenged), fraud value missed, and legitimate value declined.') +
    `</section>`
  );
}

/** The score histogram of both periods and the PSI. */
export function scores(r: RiskReport): string {
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
    title: 'Score distribution, this period and the previous',
    labels,
    stacked: false,
    log: true,
    format: pctAxis,
    series: [
      { name: 'this period', values: cur },
      { name: 'previous period', values: prev },
    ],
  });
  const rows = labels.map((b, i) => [b, int(s.previous[i]), pct(prev[i]), int(s.current[i]), pct(cur[i])]);
  const verdict =
    s.psi === null
      ? 'No PSI: one of the periods has no scored payments.'
      : `PSI ${s.psi.toFixed(4)} — ${s.band === 'stable' ? 'stable (< 0.1)' : s.band === 'moderate' ? 'a moderate shift (0.1–0.25)' : 'a significant shift (≥ 0.25)'}.`;
  return (
    `<section id="scores"><h2>Score distribution and drift</h2>` +
    `<p><span class="badge">${esc(verdict)}</span></p>` +
    figure(chart, 'Share of payments per score bin (log scale). The previous period of equal length is the reference (expected) distribution.') +
    table(['score', 'previous', 'share', 'this period', 'share'], rows) +
    `<p class="note">PSI = Σ (a − e) · ln(a / e) over ${s.bins.length} fixed bins, a = this period's share, e = the previous period's; shares below ${s.floor} are raised to it.</p>` +
    `</section>`
  );
}
