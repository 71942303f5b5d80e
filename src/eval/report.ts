/**
 * The evaluation report of a set of decisions: ranking quality of the score (ROC AUC, average
 * precision, card precision top-k per day) and what each outcome level actually does (recall,
 * false-positive rate, recall per fraud typology). One structure feeds both the text table and
 * `--json`, so the two never disagree.
 */
import { OUTCOMES } from '../rules/policy-types.js';
import { averagePrecision, cardPrecisionTopK, confusion, rocAuc, type CardPrecision, type Confusion } from './metrics.js';
import { operatingCurve, type CurvePoint } from './operating-curve.js';
import type { EvalRows } from './read.js';

/** One outcome level: flagged = the outcome is at least this severe. */
export interface OutcomeLevel extends Confusion {
  readonly level: string;
  readonly flagged: number;
}

/** Recall of one fraud typology at the "flagged" level (outcome ≠ approve). */
export interface TypologyRecall {
  readonly typology: string;
  readonly frauds: number;
  readonly flagged: number;
  readonly recall: number;
}

/** Everything `fengkong eval` reports. NaN figures (no fraud, no legitimate payment) become null in JSON. */
export interface EvalReport {
  readonly decisions: number;
  readonly frauds: number;
  readonly legitimate: number;
  readonly withoutTruth: number;
  readonly badLines: number;
  readonly rocAuc: number;
  readonly averagePrecision: number;
  /** ≥review (= flagged, outcome ≠ approve), ≥challenge, decline. */
  readonly levels: readonly OutcomeLevel[];
  readonly typologies: readonly TypologyRecall[];
  /** share of legitimate payments flagged (outcome ≠ approve). */
  readonly legitimateFlaggedShare: number;
  /** null when no card or day was known; `cardPrecisionNote` says why. */
  readonly cardPrecision: CardPrecision | null;
  readonly cardPrecisionNote: string | null;
  /** Recall against the share of legitimate payments flagged, ranking by score (operating-curve.ts). */
  readonly curve: readonly CurvePoint[];
}

/** Computes the report; `k` is the card precision's top k (100 in the Handbook). */
export function evaluate(rows: EvalRows, k = 100): EvalReport {
  const { n, score, label, outcome } = rows;
  let frauds = 0;
  for (let i = 0; i < n; i++) frauds += label[i];
  // review, challenge, decline in rising rank; ≥review is the same as "flagged" (≠ approve)
  const levelsDef = OUTCOMES.slice(1).map((o, i): [string, number] => [o === 'decline' ? 'decline' : `≥${o}`, i + 1]);
  const levels = levelsDef.map(([level, rank]) => {
    const flags = Array.from({ length: n }, (_, i) => outcome[i] >= rank);
    const c = confusion(flags, label);
    return { level, flagged: c.tp + c.fp, ...c };
  });
  const byTyp = new Map<string, { frauds: number; flagged: number }>();
  for (let i = 0; i < n; i++) {
    if (label[i] === 0) continue;
    const t = rows.typology[i] || '(unknown)';
    let e = byTyp.get(t);
    if (e === undefined) byTyp.set(t, (e = { frauds: 0, flagged: 0 }));
    e.frauds++;
    if (outcome[i] >= 1) e.flagged++;
  }
  const typologies = [...byTyp.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([typology, e]) => ({ typology, frauds: e.frauds, flagged: e.flagged, recall: e.flagged / e.frauds }));
  let cardPrecision: CardPrecision | null = null;
  let cardPrecisionNote: string | null = null;
  let missing = 0;
  for (let i = 0; i < n; i++) if (rows.card[i] === '' || rows.day[i] === '') missing++;
  if (n === 0) cardPrecisionNote = 'no decisions';
  else if (missing === n) {
    cardPrecisionNote = 'skipped: neither the decisions nor the truth carry accountId and ts; pass --events events.jsonl';
  } else {
    if (missing > 0) cardPrecisionNote = `${missing} decisions without account or day were left out`;
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => rows.card[i] !== '' && rows.day[i] !== '');
    cardPrecision = cardPrecisionTopK(
      keep.map((i) => rows.day[i]),
      keep.map((i) => rows.card[i]),
      keep.map((i) => score[i]),
      keep.map((i) => label[i]),
      k,
    );
  }
  return {
    decisions: n,
    frauds,
    legitimate: n - frauds,
    withoutTruth: rows.withoutTruth,
    badLines: rows.badLines,
    rocAuc: rocAuc(score, label),
    averagePrecision: averagePrecision(score, label),
    levels,
    typologies,
    legitimateFlaggedShare: levels[0].fpr,
    cardPrecision,
    cardPrecisionNote,
    curve: operatingCurve(score, label),
  };
}

const f4 = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');

/** The report as an aligned text table for a terminal. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  lines.push(
    `decisions ${r.decisions}, frauds ${r.frauds} (${pct(r.frauds / r.decisions)}), legitimate ${r.legitimate}` +
      (r.withoutTruth > 0 ? `, ${r.withoutTruth} without truth (counted legitimate)` : '') +
      (r.badLines > 0 ? `, ${r.badLines} unreadable lines skipped` : ''),
  );
  lines.push(`score       ROC AUC ${f4(r.rocAuc)}   average precision ${f4(r.averagePrecision)}`);
  if (r.cardPrecision !== null) {
    const cp = r.cardPrecision;
    lines.push(`card precision top-${cp.k} per day: mean ${f4(cp.mean)} over ${cp.days.length} days`);
    for (const d of cp.days) lines.push(`  ${d.day}  ${f4(d.precision)}  (${d.found} of ${d.fraudCards} fraudulent cards, ${d.cards} cards)`);
  }
  if (r.cardPrecisionNote !== null) lines.push(`card precision: ${r.cardPrecisionNote}`);
  lines.push('');
  lines.push('outcome      flagged     recall   false-pos rate   precision');
  for (const l of r.levels) {
    lines.push(`${(l.level === '≥review' ? '≥review*' : l.level).padEnd(11)} ${String(l.flagged).padStart(8)}   ${pct(l.recall).padStart(8)}   ${pct(l.fpr).padStart(14)}   ${pct(l.precision).padStart(9)}`);
  }
  lines.push(`* flagged (outcome ≠ approve): legitimate payments flagged ${pct(r.legitimateFlaggedShare)}`);
  if (r.curve.length > 0 && r.frauds > 0) {
    lines.push('');
    lines.push('recall against the share of legitimate payments flagged (by score; the threshold that stays within it)');
    lines.push('  share flagged   score ≥     recall   flagged');
    for (const c of r.curve) {
      const thr = c.threshold === -Infinity ? 'any' : c.threshold === Infinity ? 'none' : c.threshold.toFixed(4);
      lines.push(`  ${pct(c.share).padStart(13)}   ${thr.padStart(8)}   ${pct(c.recall).padStart(8)}   ${String(c.flagged).padStart(7)}`);
    }
  }
  if (r.typologies.length > 0) {
    lines.push('');
    lines.push('recall per typology (outcome ≠ approve)');
    const w = Math.max(...r.typologies.map((t) => t.typology.length));
    for (const t of r.typologies) lines.push(`  ${t.typology.padEnd(w)}  ${String(t.flagged).padStart(6)} / ${String(t.frauds).padEnd(6)} ${pct(t.recall).padStart(8)}`);
  }
  return lines.join('\n') + '\n';
}

/** The report as JSON text; NaN (undefined figures) become null. */
export function reportJson(r: EvalReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
