/**
 * Open cases and their age, for the risk report, read from the data folder's `cases` table when
 * there is one (the case queue lives beside the journal). The report does not own that table, so it
 * reads it defensively: it looks for the table and for a state column (`state` or `status`) and a
 * creation-time column (`opened_at` or `created_at`, epoch ms), and says why when it cannot.
 */
import type { Database } from 'better-sqlite3';

/** States that mean a case is finished; anything else is open. */
const CLOSED = ['closed', 'resolved', 'dismissed', 'done', 'cancelled', 'canceled', 'rejected', 'archived'];

const DAY = 86_400_000;

/** Age bands of open cases, in days: [0,1), [1,3), [3,7), [7,30), [30,∞). */
export const AGE_BANDS: readonly { readonly label: string; readonly upToDays: number }[] = [
  { label: '< 1 day', upToDays: 1 },
  { label: '1–3 days', upToDays: 3 },
  { label: '3–7 days', upToDays: 7 },
  { label: '7–30 days', upToDays: 30 },
  { label: '≥ 30 days', upToDays: Infinity },
];

/** What the report says about cases. */
export type CasesSection =
  | { readonly available: false; readonly note: string }
  | {
      readonly available: true;
      /** wall-clock epoch ms the ages are measured at. */
      readonly asOf: number;
      readonly total: number;
      readonly open: number;
      /** open cases per state. */
      readonly byState: Readonly<Record<string, number>>;
      /** open cases per age band (AGE_BANDS order). */
      readonly byAge: readonly { readonly label: string; readonly count: number }[];
      /** age of the oldest and the median open case, days; null without open cases. */
      readonly oldestDays: number | null;
      readonly medianDays: number | null;
      /** open cases per issue and per subject kind (account, merchant, terminal); null when the table has no such column. */
      readonly byIssue: Readonly<Record<string, number>> | null;
      readonly bySubject: Readonly<Record<string, number>> | null;
      /** value at stake in open cases (minor units); null when the table has no amount column. */
      readonly openAmount: number | null;
    };

function pick(columns: readonly string[], names: readonly string[]): string | undefined {
  return names.find((n) => columns.includes(n));
}

/** Reads open cases from `db`; never throws for a missing or unfamiliar table. */
export function readCases(db: Database, now: number): CasesSection {
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cases'").get();
    if (table === undefined) return { available: false, note: 'no case queue in this data folder (no cases table)' };
    const columns = (db.prepare("SELECT name FROM pragma_table_info('cases')").all() as { name: string }[]).map((c) => c.name);
    const state = pick(columns, ['state', 'status']);
    const opened = pick(columns, ['opened_at', 'created_at', 'openedAt', 'createdAt']);
    if (state === undefined || opened === undefined) {
      return { available: false, note: `the cases table has no state/status or opened_at/created_at column (columns: ${columns.join(', ')})` };
    }
    const issue = pick(columns, ['issue']);
    const subject = pick(columns, ['subject_kind', 'subjectKind']);
    const amount = pick(columns, ['amount']);
    const col = (c: string | undefined, as: string): string => (c === undefined ? `NULL AS ${as}` : `"${c}" AS ${as}`);
    const rows = db
      .prepare(`SELECT "${state}" AS state, "${opened}" AS opened, ${col(issue, 'issue')}, ${col(subject, 'subject')}, ${col(amount, 'amount')} FROM cases`)
      .all() as { state: unknown; opened: unknown; issue: unknown; subject: unknown; amount: unknown }[];
    const ages: number[] = [];
    const byState: Record<string, number> = {};
    const byIssue: Record<string, number> = {};
    const bySubject: Record<string, number> = {};
    let openAmount = 0;
    for (const r of rows) {
      const s = String(r.state);
      if (CLOSED.includes(s.toLowerCase())) continue;
      byState[s] = (byState[s] ?? 0) + 1;
      if (issue !== undefined) byIssue[String(r.issue)] = (byIssue[String(r.issue)] ?? 0) + 1;
      if (subject !== undefined) bySubject[String(r.subject)] = (bySubject[String(r.subject)] ?? 0) + 1;
      if (typeof r.amount === 'number') openAmount += r.amount;
      const t = typeof r.opened === 'number' ? r.opened : typeof r.opened === 'string' ? Date.parse(r.opened) : NaN;
      ages.push(Number.isFinite(t) ? Math.max(0, (now - t) / DAY) : NaN);
    }
    const known = ages.filter((a) => !Number.isNaN(a)).sort((a, b) => a - b);
    const byAge = AGE_BANDS.map((b) => ({ label: b.label, count: 0 }));
    for (const a of known) byAge[AGE_BANDS.findIndex((b) => a < b.upToDays)].count++;
    return {
      available: true,
      asOf: now,
      total: rows.length,
      open: ages.length,
      byState,
      byAge,
      oldestDays: known.length > 0 ? known[known.length - 1] : null,
      medianDays: known.length > 0 ? known[Math.floor((known.length - 1) / 2)] : null,
      byIssue: issue === undefined ? null : byIssue,
      bySubject: subject === undefined ? null : bySubject,
      openAmount: amount === undefined ? null : openAmount,
    };
  } catch (e) {
    return { available: false, note: `the cases table could not be read: ${(e as Error).message}` };
  }
}
