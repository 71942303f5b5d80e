/**
 * The risk report as one self-contained HTML file: inline CSS, inline SVG charts (svg.ts), no
 * script to run and nothing fetched, laid out for A4 paper in grey-scale; the report's JSON rides
 * along in a `<script type="application/json" id="fengkong-report">` block for machines.
 */
import { OUTCOMES } from '../rules/policy-types.js';
import { int, pct, pctAxis, points, relative, signed, yuan } from './format.js';
import { fraud, overTime, scores } from './html-charts.js';
import { CSS, figure, kpi, table } from './html-kit.js';
import type { RatedEntity } from './ratings.js';
import type { RiskReport } from './risk-report.js';
import { barChart, esc, hBarChart } from './svg.js';
import type { EntityFigures, PeriodFigures, TopEntities } from './tally.js';

const vs = (label: string): string => `vs previous: ${label}`;

function summary(r: RiskReport): string {
  const t = r.totals;
  const p = r.previousTotals;
  const kpis = [
    kpi('Payments', int(t.payments), vs(relative(p.payments, t.payments) || 'n/a')),
    kpi('Value', yuan(t.amount), vs(relative(p.amount, t.amount) || 'n/a')),
    kpi('Flagged (not approved)', pct(t.alertRate), vs(points(p.alertRate, t.alertRate) || 'n/a')),
    kpi('Declined', pct(t.declineRate), vs(points(p.declineRate, t.declineRate) || 'n/a')),
    kpi('Fraud caught', `${int(t.fraud.caught)} of ${int(t.fraud.total)}`, `recall ${pct(t.recall)}; previous ${pct(p.recall)}`),
    kpi('Fraud missed', yuan(t.fraud.missedAmount), `${int(t.fraud.missed)} payments approved`),
    kpi('Money saved', yuan(t.moneySaved), 'fraud declined or challenged'),
    kpi('Legitimate declined', yuan(t.legitimateDeclinedAmount), `${int(t.legitimate.declined)} payments`),
    kpi('Alert precision', pct(t.precision), vs(points(p.precision, t.precision) || 'n/a')),
    kpi('Mean score', t.meanScore === null ? 'n/a' : t.meanScore.toFixed(2), vs(p.meanScore === null ? 'n/a' : p.meanScore.toFixed(2))),
    kpi('Score drift (PSI)', r.scores.psi === null ? 'n/a' : r.scores.psi.toFixed(4), r.scores.band ?? 'no reference'),
    kpi('Open cases', r.cases.available ? int(r.cases.open) : 'n/a', r.cases.available && r.cases.oldestDays !== null ? `oldest ${r.cases.oldestDays.toFixed(1)} days` : ''),
  ];
  return `<section id="summary"><h2>Summary</h2><div class="kpis">${kpis.join('')}</div></section>`;
}

function comparison(r: RiskReport): string {
  const t = r.totals;
  const p = r.previousTotals;
  const row = (label: string, a: PeriodFigures, b: PeriodFigures, pick: (x: PeriodFigures) => number, f: (n: number) => string): string[] => [
    label,
    f(pick(a)),
    f(pick(b)),
    signed(pick(b) - pick(a)),
  ];
  const rows = [
    row('payments', p, t, (x) => x.payments, int),
    ...OUTCOMES.map((o) => row(`  ${o}`, p, t, (x) => x.outcomes[o], int)),
    row('fraud payments', p, t, (x) => x.fraud.total, int),
    row('  caught (not approved)', p, t, (x) => x.fraud.caught, int),
    row('  missed (approved)', p, t, (x) => x.fraud.missed, int),
    row('legitimate declined', p, t, (x) => x.legitimate.declined, int),
    row('legitimate challenged', p, t, (x) => x.legitimate.challenged, int),
  ];
  const money = [
    ['payment value', yuan(p.amount), yuan(t.amount)],
    ['fraud value', yuan(p.fraud.totalAmount), yuan(t.fraud.totalAmount)],
    ['money saved (fraud declined or challenged)', yuan(p.moneySaved), yuan(t.moneySaved)],
    ['  fraud declined', yuan(p.fraud.declinedAmount), yuan(t.fraud.declinedAmount)],
    ['  fraud challenged', yuan(p.fraud.challengedAmount), yuan(t.fraud.challengedAmount)],
    ['fraud reviewed (approved, queued)', yuan(p.fraud.reviewedAmount), yuan(t.fraud.reviewedAmount)],
    ['fraud missed (approved)', yuan(p.fraud.missedAmount), yuan(t.fraud.missedAmount)],
    ['legitimate value declined', yuan(p.legitimateDeclinedAmount), yuan(t.legitimateDeclinedAmount)],
    ['legitimate value challenged', yuan(p.legitimate.challengedAmount), yuan(t.legitimate.challengedAmount)],
  ];
  return (
    `<section id="outcomes"><h2>Outcomes and money</h2>` +
    `<p class="meta">Previous period: ${esc(r.previous.fromTs ?? '')} to ${esc(r.previous.toTs ?? '')}.</p>` +
    table(['', 'previous period', 'this period', 'change'], rows) +
    table(['money', 'previous period', 'this period'], money) +
    `</section>`
  );
}

function rules(r: RiskReport): string {
  if (r.rules.length === 0) return `<section id="rules"><h2>Rule precision</h2><p>No decision in the period carried a reason.</p></section>`;
  const shown = r.rules.slice(0, 20);
  const chart = hBarChart({
    id: 'c-rules',
    title: 'Precision of the rules with the most hits',
    rows: shown.map((x) => ({ label: x.code, value: x.precision })),
    max: 1,
    format: pctAxis,
  });
  const rows = r.rules.map((x) => [
    x.code,
    int(x.hits),
    int(x.outcomes.decline),
    int(x.outcomes.challenge),
    int(x.outcomes.review),
    int(x.fraud),
    pct(x.precision, 1),
    pct(x.recall, 1),
    yuan(x.fraudAmount),
    yuan(x.legitimateAmount),
  ]);
  return (
    `<section id="rules"><h2>Rule precision</h2>` +
    figure(chart, `Share of each reason code's hits that were fraud by the labels known now (top ${shown.length} by hits).`) +
    table(['reason', 'hits', 'declined', 'challenged', 'reviewed', 'fraud', 'precision', 'recall', 'fraud value', 'legitimate value'], rows, true) +
    `<p class="note">A payment counts once per reason code it carried. Recall: the share of all fraud payments of the period the code was on.</p>` +
    `</section>`
  );
}

function entities(kind: string, t: TopEntities): string {
  const rated = [...t.byFraudAmount, ...t.byFlaggedShare].some((e) => e.rating !== undefined);
  const row = (e: EntityFigures): string[] => [
    e.id, int(e.payments), yuan(e.amount), int(e.flagged), pct(e.flaggedShare, 1), int(e.fraud), yuan(e.fraudAmount),
    ...(rated ? [e.rating === undefined ? '' : `${e.rating.grade} ${e.rating.score.toFixed(0)}`] : []),
  ];
  const head = [kind, 'payments', 'value', 'flagged', 'flagged share', 'fraud', 'fraud value', ...(rated ? ['rating now'] : [])];
  return (
    `<h3>By fraud value</h3>` +
    (t.byFraudAmount.length > 0 ? table(head, t.byFraudAmount.map(row), true) : '<p>No fraud by the labels known now.</p>') +
    `<h3>By share of payments flagged (at least ${int(t.minPayments)} payments)</h3>` +
    (t.byFlaggedShare.length > 0 ? table(head, t.byFlaggedShare.map(row), true) : '<p>None flagged.</p>')
  );
}

function ratings(r: RiskReport): string {
  const g = r.ratings;
  if (g === null) return '';
  const rows = (xs: readonly RatedEntity[]): string[][] =>
    xs.map((x) => [x.id, `${x.grade} ${x.score.toFixed(1)}`, x.drivers.join(', '), int(x.payments)]);
  const none = '<p>No merchant or terminal carries a rating above 0.</p>';
  return (
    `<section id="ratings"><h2>Highest risk ratings now</h2>` +
    `<p class="meta">The live engine's ratings from each merchant code's and terminal's last seven days of traffic, as of ${esc(g.asOf ?? 'its start')} — not over the report's period.</p>` +
    `<h3>Merchant codes</h3>` +
    (g.merchants.length > 0 ? table(['merchant', 'rating', 'drivers', 'payments (7 d)'], rows(g.merchants), true) : none) +
    `<h3>Terminals</h3>` +
    (g.terminals.length > 0 ? table(['terminal', 'rating', 'drivers', 'payments (7 d)'], rows(g.terminals), true) : none) +
    `</section>\n`
  );
}

function cases(r: RiskReport): string {
  const c = r.cases;
  if (!c.available) return `<section id="cases"><h2>Open cases</h2><p>Not available: ${esc(c.note)}.</p></section>`;
  const chart = barChart({ id: 'c-cases', title: 'Open cases by age', labels: c.byAge.map((b) => b.label), series: [{ name: 'open cases', values: c.byAge.map((b) => b.count) }], height: 180 });
  const rows: string[][] = [];
  const add = (what: string, counts: Readonly<Record<string, number>> | null): void => {
    if (counts === null) return;
    for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) rows.push([`${what}: ${k}`, int(n)]);
  };
  add('state', c.byState);
  add('issue', c.byIssue);
  add('subject', c.bySubject);
  return (
    `<section id="cases"><h2>Open cases</h2>` +
    `<p>${int(c.open)} open of ${int(c.total)}` +
    (c.medianDays !== null ? `; median age ${c.medianDays.toFixed(1)} days, oldest ${(c.oldestDays ?? 0).toFixed(1)} days` : '') +
    (c.openAmount !== null && c.open > 0 ? `; ${yuan(c.openAmount)} at stake` : '') +
    ` (as of ${esc(r.generatedTs)}).</p>` +
    (c.open > 0 ? figure(chart, 'Open cases by time since they were opened.') : '') +
    (rows.length > 0 ? table(['open cases by', 'count'], rows) : '') +
    `</section>`
  );
}

/** The report's JSON, safe inside a script element (no `</script>`, no `<!--`). */
export function embeddedJson(r: RiskReport): string {
  return JSON.stringify(r).replace(/</g, '\\u003c');
}

/** The whole HTML document. */
export function renderRiskReportHtml(r: RiskReport): string {
  const title = `Risk assessment ${r.range.fromTs ?? ''} to ${r.range.toTs ?? ''}`;
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<header><h1>Risk assessment</h1>` +
    `<p class="meta">Payments with event time from ${esc(r.range.fromTs ?? '')} up to (not including) ${esc(r.range.toTs ?? '')}, ` +
    `per ${esc(r.bucket)} in UTC${esc(r.timeZone)}. Compared with the previous period of equal length. ` +
    `Generated ${esc(r.generatedTs)} from journal entries up to seq ${int(r.run.lastSeq)}; fraud and legitimate by the labels known then.</p></header>\n` +
    summary(r) +
    '\n' +
    overTime(r) +
    '\n' +
    fraud(r) +
    '\n' +
    comparison(r) +
    '\n' +
    scores(r) +
    '\n' +
    rules(r) +
    '\n' +
    `<section id="merchants"><h2>Riskiest merchants</h2>${entities('merchant', r.merchants)}</section>\n` +
    `<section id="terminals"><h2>Riskiest terminals</h2>${entities('terminal', r.terminals)}</section>\n` +
    ratings(r) +
    cases(r) +
    '\n' +
    `<section id="notes"><h2>How to read this</h2><p class="note">` +
    `Outcomes are the decisions as answered, read from the journal. A payment is fraud when its own label says so (the latest label wins), ` +
    `else when its account carries a fraud label; every other payment counts as legitimate, unlabelled ones included. Labels confirmed after the period count. ` +
    `Caught: not approved (declined, challenged or reviewed). Money saved: fraud value declined or challenged. Precision: fraud caught / payments flagged. ` +
    `Made in ${(r.run.durationMs / 1000).toFixed(1)} s over ${int(r.run.paymentsRead)} journaled payments.</p></section>\n` +
    `<script type="application/json" id="fengkong-report">${embeddedJson(r)}</script>\n` +
    `</body>\n</html>\n`
  );
}
