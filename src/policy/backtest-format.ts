/**
 * The short human summary of a backtest report: live and draft side by side (outcomes, alert rate,
 * fraud caught and missed with its value, legitimate value in the way, precision and recall) and
 * the outcome changes. The JSON report carries everything else.
 */
import { OUTCOMES } from '../rules/policy-types.js';
import type { BacktestReport, PolicyStats } from './backtest-report.js';

const int = (n: number): string => n.toLocaleString('en-US');
/** Minor units (fen) as yuan. */
const yuan = (fen: number): string =>
  '¥' + (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
const signed = (n: number): string => (n > 0 ? `+${int(n)}` : n < 0 ? `-${int(-n)}` : '0');
const pts = (a: number | null, b: number | null): string =>
  a === null || b === null ? '' : `${b - a >= 0 ? '+' : ''}${(100 * (b - a)).toFixed(2)} pt`;

function row(label: string, live: string, draft: string, change = ''): string {
  return `  ${label.padEnd(22)}${live.padStart(26)}${draft.padStart(26)}  ${change}`.trimEnd();
}

const countAndValue = (n: number, fen: number): string => `${int(n)} (${yuan(fen)})`;

function money(label: string, pick: (s: PolicyStats) => [number, number], r: BacktestReport): string {
  const [ln, lv] = pick(r.live);
  const [dn, dv] = pick(r.draft);
  const dy = dv - lv;
  return row(label, countAndValue(ln, lv), countAndValue(dn, dv), `${signed(dn - ln)} (${dy < 0 ? '-' : '+'}${yuan(Math.abs(dy))})`);
}

/** The summary, a dozen lines for a terminal. */
export function formatBacktest(r: BacktestReport): string {
  const out: string[] = [];
  const range = `${r.range.fromTs ?? 'the start'} … ${r.range.toTs ?? 'the end'}`;
  out.push(`backtest of "${r.run.draftPolicy}" (${r.run.draftRules} rules${r.run.model ? ' + model' : ''}) over ${range}`);
  const warm = r.run.warmUpMs === null ? 'whole journal' : `${(r.run.warmUpMs / 86_400_000).toFixed(1)} d`;
  out.push(
    `  ${int(r.run.transactions)} payments compared; ${int(r.run.eventsReplayed)} events replayed ` +
      `(warm-up ${warm}, ${int(r.run.warmUpEvents)} before the range` +
      (r.run.preludeEvents > 0 ? `, after ${int(r.run.preludeEvents)} older registrations, account events and labels` : '') +
      `) in ${(r.run.durationMs / 1000).toFixed(1)} s` +
      (r.run.withoutLiveDecision > 0 ? `; ${int(r.run.withoutLiveDecision)} without a readable live decision skipped` : '') +
      (r.run.actionsApplied > 0 ? `; ${int(r.run.actionsApplied)} account/merchant action steps applied where they took effect` : ''),
  );
  const l = r.labels;
  out.push(
    `  labels known now: ${int(l.fraud)} fraud` + (l.fraudByEntity > 0 ? ` (${int(l.fraudByEntity)} through ${l.entityScopes.join('/')} labels)` : '') +
      `, ${int(l.legitimateLabelled)} labelled legitimate, ${int(l.unlabelled)} unlabelled (counted legitimate)`,
  );
  out.push('');
  out.push(row('', `live (${r.live.policies.join(', ') || '-'})`, `draft (${r.run.draftPolicy})`, 'change'));
  for (const o of OUTCOMES) out.push(row(o, int(r.live.outcomes[o]), int(r.draft.outcomes[o]), signed(r.draft.outcomes[o] - r.live.outcomes[o])));
  out.push(row('alert rate', pct(r.live.alertRate), pct(r.draft.alertRate), pts(r.live.alertRate, r.draft.alertRate)));
  out.push(money('fraud caught', (s) => [s.fraud.caught, s.fraud.caughtAmount], r));
  out.push(money('  of which declined', (s) => [s.fraud.caughtByDecline, s.fraud.caughtByDeclineAmount], r));
  out.push(money('fraud missed', (s) => [s.fraud.missed, s.fraud.missedAmount], r));
  out.push(money('legitimate declined', (s) => [s.legitimate.declined, s.legitimate.declinedAmount], r));
  out.push(money('legitimate challenged', (s) => [s.legitimate.challenged, s.legitimate.challengedAmount], r));
  out.push(money('legitimate reviewed', (s) => [s.legitimate.reviewed, s.legitimate.reviewedAmount], r));
  out.push(row('precision', pct(r.live.precision), pct(r.draft.precision), pts(r.live.precision, r.draft.precision)));
  out.push(row('recall', pct(r.live.recall), pct(r.draft.recall), pts(r.live.recall, r.draft.recall)));
  out.push('');
  const moves: [string, number][] = [];
  for (const a of OUTCOMES) for (const b of OUTCOMES) if (a !== b && r.transitions[a][b] > 0) moves.push([`${a}→${b}`, r.transitions[a][b]]);
  moves.sort((x, y) => y[1] - x[1]);
  out.push(
    `  outcome changes: ${int(r.changed.total)} payments` +
      (moves.length > 0 ? ` (${moves.map(([k, n]) => `${k} ${int(n)}`).join(', ')})` : '') +
      (r.changed.truncated ? `; the report lists the first ${int(r.changed.transactions.length)}` : ''),
  );
  for (const a of r.ruleActions ?? []) {
    out.push(`  rule ${a.rule} would ${a.action}: ${int(a.taken)} times` + (a.capped > 0 ? `, ${int(a.capped)} more past the cap` : ''));
  }
  return out.join('\n') + '\n';
}
