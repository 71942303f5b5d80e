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
import { translator, type ReportLang, type Tr } from './i18n.js';

function summary(r: RiskReport, tr: Tr): string {
  const t = r.totals;
  const p = r.previousTotals;
  const na = tr('n/a');
  const vs = (label: string): string => tr('vs previous: {x}', { x: label || na });
  const kpis = [
    kpi(tr('Payments'), int(t.payments), vs(relative(p.payments, t.payments))),
    kpi(tr('Value'), yuan(t.amount), vs(relative(p.amount, t.amount))),
    kpi(tr('Flagged (not approved)'), pct(t.alertRate), vs(points(p.alertRate, t.alertRate))),
    kpi(tr('Declined'), pct(t.declineRate), vs(points(p.declineRate, t.declineRate))),
    kpi(tr('Fraud caught'), tr('{a} of {b}', { a: int(t.fraud.caught), b: int(t.fraud.total) }), tr('recall {r}; previous {p}', { r: pct(t.recall), p: pct(p.recall) })),
    kpi(tr('Fraud missed'), yuan(t.fraud.missedAmount), tr('{n} payments approved', { n: int(t.fraud.missed) })),
    kpi(tr('Money saved'), yuan(t.moneySaved), tr('fraud declined or challenged')),
    kpi(tr('Legitimate declined'), yuan(t.legitimateDeclinedAmount), tr('{n} payments', { n: int(t.legitimate.declined) })),
    kpi(tr('Alert precision'), pct(t.precision), vs(points(p.precision, t.precision))),
    kpi(tr('Mean score'), t.meanScore === null ? na : t.meanScore.toFixed(2), vs(p.meanScore === null ? na : p.meanScore.toFixed(2))),
    kpi(tr('Score drift (PSI)'), r.scores.psi === null ? na : r.scores.psi.toFixed(4), r.scores.band === null ? tr('no reference') : tr(r.scores.band)),
    kpi(tr('Open cases'), r.cases.available ? int(r.cases.open) : na, r.cases.available && r.cases.oldestDays !== null ? tr('oldest {d} days', { d: r.cases.oldestDays.toFixed(1) }) : ''),
  ];
  return `<section id="summary"><h2>${tr('Summary')}</h2><div class="kpis">${kpis.join('')}</div></section>`;
}

function comparison(r: RiskReport, tr: Tr): string {
  const t = r.totals;
  const p = r.previousTotals;
  const row = (label: string, a: PeriodFigures, b: PeriodFigures, pick: (x: PeriodFigures) => number, f: (n: number) => string): string[] => [
    tr(label),
    f(pick(a)),
    f(pick(b)),
    signed(pick(b) - pick(a)),
  ];
  const rows = [
    row('payments', p, t, (x) => x.payments, int),
    ...OUTCOMES.map((o) => [`  ${tr(o)}`, ...row(o, p, t, (x) => x.outcomes[o], int).slice(1)]),
    row('fraud payments', p, t, (x) => x.fraud.total, int),
    row('  caught (not approved)', p, t, (x) => x.fraud.caught, int),
    row('  missed (approved)', p, t, (x) => x.fraud.missed, int),
    row('legitimate declined', p, t, (x) => x.legitimate.declined, int),
    row('legitimate challenged', p, t, (x) => x.legitimate.challenged, int),
  ];
  const money = [
    [tr('payment value'), yuan(p.amount), yuan(t.amount)],
    [tr('fraud value'), yuan(p.fraud.totalAmount), yuan(t.fraud.totalAmount)],
    [tr('money saved (fraud declined or challenged)'), yuan(p.moneySaved), yuan(t.moneySaved)],
    [tr('  fraud declined'), yuan(p.fraud.declinedAmount), yuan(t.fraud.declinedAmount)],
    [tr('  fraud challenged'), yuan(p.fraud.challengedAmount), yuan(t.fraud.challengedAmount)],
    [tr('fraud reviewed (approved, queued)'), yuan(p.fraud.reviewedAmount), yuan(t.fraud.reviewedAmount)],
    [tr('fraud missed (approved)'), yuan(p.fraud.missedAmount), yuan(t.fraud.missedAmount)],
    [tr('legitimate value declined'), yuan(p.legitimateDeclinedAmount), yuan(t.legitimateDeclinedAmount)],
    [tr('legitimate value challenged'), yuan(p.legitimate.challengedAmount), yuan(t.legitimate.challengedAmount)],
  ];
  return (
    `<section id="outcomes"><h2>${tr('Outcomes and money')}</h2>` +
    `<p class="meta">${tr('Previous period: {from} to {to}.', { from: esc(r.previous.fromTs ?? ''), to: esc(r.previous.toTs ?? '') })}</p>` +
    table(['', tr('previous period'), tr('this period'), tr('change')], rows) +
    table([tr('money'), tr('previous period'), tr('this period')], money) +
    `</section>`
  );
}

function rules(r: RiskReport, tr: Tr): string {
  if (r.rules.length === 0) return `<section id="rules"><h2>${tr('Rule precision')}</h2><p>${tr('No decision in the period carried a reason.')}</p></section>`;
  const shown = r.rules.slice(0, 20);
  const chart = hBarChart({
    id: 'c-rules',
    title: tr('Precision of the rules with the most hits'),
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
    `<section id="rules"><h2>${tr('Rule precision')}</h2>` +
    figure(chart, tr("Share of each reason code's hits that were fraud by the labels known now (top {n} by hits).", { n: shown.length })) +
    table(['reason', 'hits', 'declined', 'challenged', 'reviewed', 'fraud', 'precision', 'recall', 'fraud value', 'legitimate value'].map((h) => tr(h)), rows, true) +
    `<p class="note">${tr('A payment counts once per reason code it carried. Recall: the share of all fraud payments of the period the code was on.')}</p>` +
    `</section>`
  );
}

function entities(kind: string, t: TopEntities, tr: Tr): string {
  const rated = [...t.byFraudAmount, ...t.byFlaggedShare].some((e) => e.rating !== undefined);
  const row = (e: EntityFigures): string[] => [
    e.id, int(e.payments), yuan(e.amount), int(e.flagged), pct(e.flaggedShare, 1), int(e.fraud), yuan(e.fraudAmount),
    ...(rated ? [e.rating === undefined ? '' : `${e.rating.grade} ${e.rating.score.toFixed(0)}`] : []),
  ];
  const head = [kind, ...['payments', 'value', 'flagged', 'flagged share', 'fraud', 'fraud value', ...(rated ? ['rating now'] : [])].map((h) => tr(h))];
  return (
    `<h3>${tr('By fraud value')}</h3>` +
    (t.byFraudAmount.length > 0 ? table(head, t.byFraudAmount.map(row), true) : `<p>${tr('No fraud by the labels known now.')}</p>`) +
    `<h3>${tr('By share of payments flagged (at least {n} payments)', { n: int(t.minPayments) })}</h3>` +
    (t.byFlaggedShare.length > 0 ? table(head, t.byFlaggedShare.map(row), true) : `<p>${tr('None flagged.')}</p>`)
  );
}

function ratings(r: RiskReport, tr: Tr): string {
  const g = r.ratings;
  if (g === null) return '';
  const rows = (xs: readonly RatedEntity[]): string[][] =>
    xs.map((x) => [x.id, `${x.grade} ${x.score.toFixed(1)}`, x.drivers.join(', '), int(x.payments)]);
  const none = `<p>${tr('No merchant or terminal carries a rating above 0.')}</p>`;
  const head = (kind: string): string[] => [kind, 'rating', 'drivers', 'payments (7 d)'].map((h) => tr(h));
  return (
    `<section id="ratings"><h2>${tr('Highest risk ratings now')}</h2>` +
    `<p class="meta">${tr("The live engine's ratings from each merchant code's and terminal's last seven days of traffic, as of {at} — not over the report's period.", { at: esc(g.asOf ?? tr('its start')) })}</p>` +
    `<h3>${tr('Merchant codes')}</h3>` +
    (g.merchants.length > 0 ? table(head('merchant'), rows(g.merchants), true) : none) +
    `<h3>${tr('Terminals')}</h3>` +
    (g.terminals.length > 0 ? table(head('terminal'), rows(g.terminals), true) : none) +
    `</section>\n`
  );
}

function cases(r: RiskReport, tr: Tr): string {
  const c = r.cases;
  if (!c.available) return `<section id="cases"><h2>${tr('Open cases')}</h2><p>${tr('Not available: {why}.', { why: esc(c.note) })}</p></section>`;
  const chart = barChart({ id: 'c-cases', title: tr('Open cases by age'), labels: c.byAge.map((b) => b.label), series: [{ name: tr('open cases'), values: c.byAge.map((b) => b.count) }], height: 180 });
  const rows: string[][] = [];
  const add = (what: string, counts: Readonly<Record<string, number>> | null): void => {
    if (counts === null) return;
    for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) rows.push([`${tr(what)}: ${k}`, int(n)]);
  };
  add('state', c.byState);
  add('issue', c.byIssue);
  add('subject', c.bySubject);
  return (
    `<section id="cases"><h2>${tr('Open cases')}</h2>` +
    `<p>${tr('{open} open of {total}', { open: int(c.open), total: int(c.total) })}` +
    (c.medianDays !== null ? tr('; median age {m} days, oldest {o} days', { m: c.medianDays.toFixed(1), o: (c.oldestDays ?? 0).toFixed(1) }) : '') +
    (c.openAmount !== null && c.open > 0 ? tr('; {amount} at stake', { amount: yuan(c.openAmount) }) : '') +
    `${tr(' (as of {at}).', { at: esc(r.generatedTs) })}</p>` +
    (c.open > 0 ? figure(chart, tr('Open cases by time since they were opened.')) : '') +
    (rows.length > 0 ? table([tr('open cases by'), tr('count')], rows) : '') +
    `</section>`
  );
}

/** The report's JSON, safe inside a script element (no `</script>`, no `<!--`). */
export function embeddedJson(r: RiskReport): string {
  return JSON.stringify(r).replace(/</g, '\\u003c');
}

/** The whole HTML document, in English or Chinese (`missing` collects phrases without a translation: tests). */
export function renderRiskReportHtml(r: RiskReport, lang: ReportLang = 'en', missing?: Set<string>): string {
  const tr = translator(lang, missing);
  const title = tr('Risk assessment {from} to {to}', { from: r.range.fromTs ?? '', to: r.range.toTs ?? '' });
  return (
    `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<header><h1>${tr('Risk assessment')}</h1>` +
    `<p class="meta">${tr('Payments with event time from {from} up to (not including) {to}, per {bucket} in UTC{tz}. Compared with the previous period of equal length. Generated {at} from journal entries up to seq {seq}; fraud and legitimate by the labels known then.', {
      from: esc(r.range.fromTs ?? ''), to: esc(r.range.toTs ?? ''), bucket: esc(tr(r.bucket)), tz: esc(r.timeZone), at: esc(r.generatedTs), seq: int(r.run.lastSeq),
    })}</p></header>\n` +
    summary(r, tr) +
    '\n' +
    overTime(r, tr) +
    '\n' +
    fraud(r, tr) +
    '\n' +
    comparison(r, tr) +
    '\n' +
    scores(r, tr) +
    '\n' +
    rules(r, tr) +
    '\n' +
    `<section id="merchants"><h2>${tr('Riskiest merchants')}</h2>${entities(tr('merchant'), r.merchants, tr)}</section>\n` +
    `<section id="terminals"><h2>${tr('Riskiest terminals')}</h2>${entities(tr('terminal'), r.terminals, tr)}</section>\n` +
    ratings(r, tr) +
    cases(r, tr) +
    '\n' +
    `<section id="notes"><h2>${tr('How to read this')}</h2><p class="note">` +
    tr('Outcomes are the decisions as answered, read from the journal. A payment is fraud when its own label says so (the latest label wins), else when its account carries a fraud label; every other payment counts as legitimate, unlabelled ones included. Labels confirmed after the period count. Caught: not approved (declined, challenged or reviewed). Money saved: fraud value declined or challenged. Precision: fraud caught / payments flagged. Made in {s} s over {n} journaled payments.', {
      s: (r.run.durationMs / 1000).toFixed(1), n: int(r.run.paymentsRead),
    }) +
    `</p></section>\n` +
    `<script type="application/json" id="fengkong-report">${embeddedJson(r)}</script>\n` +
    `</body>\n</html>\n`
  );
}
