/**
 * `fengkong eval --html FILE`: the evaluation as one self-contained printable page — the key figures,
 * recall against the share of legitimate payments flagged drawn as a line (where a team picks its
 * operating point) and as a table with the score threshold of each share, what each outcome level
 * does, and recall per typology. Same style sheet and charts as the risk report, no script.
 */
import type { EvalReport } from '../eval/report.js';
import { CSS, figure, kpi, table } from './html-kit.js';
import { esc, lineChart } from './svg.js';

const pct = (v: number, digits = 2): string => (Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : 'n/a');
const f4 = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');

/** The page for `r`; `title` names what was evaluated (the decisions file). */
export function renderEvalHtml(r: EvalReport, title: string): string {
  const curve = r.curve.filter((c) => Number.isFinite(c.recall));
  const chart =
    curve.length === 0
      ? '<p>No fraud in the truth: no curve to draw.</p>'
      : figure(
          lineChart({
            id: 'curve',
            title: 'Recall against the share of legitimate payments flagged',
            labels: curve.map((c) => pct(c.share, c.share < 0.001 ? 2 : 1)),
            series: [{ name: 'recall', values: curve.map((c) => 100 * c.recall) }],
            format: (v) => `${Math.round(v)}%`,
          }),
          'Recall (fraud flagged) when the score flags at most the share of legitimate payments below it — the operating point a review budget sets.',
        );
  const thr = (t: number): string => (t === -Infinity ? 'any' : t === Infinity ? 'none' : t.toFixed(4));
  const body =
    `<h1>Evaluation</h1>\n<p class="meta">${esc(title)}</p>\n` +
    `<div class="kpis">${kpi('Decisions', r.decisions.toLocaleString('en-US'))}${kpi('Fraud', `${r.frauds.toLocaleString('en-US')} (${pct(r.frauds / r.decisions)})`)}` +
    `${kpi('ROC AUC', f4(r.rocAuc))}${kpi('Average precision', f4(r.averagePrecision))}${kpi('Legitimate flagged', pct(r.legitimateFlaggedShare, 3))}</div>\n` +
    `<h2>Recall against the share flagged</h2>\n${chart}\n` +
    table(['share of legitimate payments flagged', 'score ≥', 'recall', 'payments flagged'], r.curve.map((c) => [pct(c.share), thr(c.threshold), pct(c.recall), c.flagged.toLocaleString('en-US')])) +
    `\n<h2>What each outcome does</h2>\n` +
    table(['outcome', 'flagged', 'recall', 'false-positive rate', 'precision'], r.levels.map((l) => [l.level, l.flagged.toLocaleString('en-US'), pct(l.recall), pct(l.fpr, 3), pct(l.precision)])) +
    (r.typologies.length === 0 ? '' : `\n<h2>Recall per typology (outcome ≠ approve)</h2>\n` + table(['typology', 'flagged', 'fraud', 'recall'], r.typologies.map((t) => [t.typology, String(t.flagged), String(t.frauds), pct(t.recall)]), true));
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(`Evaluation — ${title}`)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
}
