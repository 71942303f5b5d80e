/**
 * Open cases and their age, for the risk report. The report reads the case queue through a port of
 * its own (CaseQueueReader), which tells what it could read and why not: the report does not own
 * the queue, and a data folder may have none (or one an older fengkong wrote). The adapter reads
 * the store as it finds it (SqliteCaseQueueReader, PgCaseQueueReader); the counting is here.
 */
import type { Result, ResultKind } from '../io/result-kind.js';

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

/** One case as the report counts it; fields the store does not keep are null. */
export interface QueuedCase {
  /** The state as stored (`open`, `investigating`, `resolved`, …); CLOSED states are finished. */
  readonly state: string;
  /** When it was opened, epoch ms; NaN when the store's value is no time (the case counts, without an age). */
  readonly openedAt: number;
  readonly issue: string | null;
  readonly subjectKind: string | null;
  readonly amount: number | null;
}

/** What the report can learn of the case queue: every case and which optional fields the store keeps, or why it cannot. */
export type CaseQueue =
  | { readonly available: false; readonly note: string }
  | {
      readonly available: true;
      readonly cases: readonly QueuedCase[];
      readonly keeps: { readonly issue: boolean; readonly subjectKind: boolean; readonly amount: boolean };
    };

/**
 * The port the report reads cases through; never throws (a missing or unfamiliar queue is a note).
 * Generic over its adapter's kind (io/result-kind.ts): the data folder's reader answers at once, a
 * cluster's (PostgreSQL) with a promise.
 */
export interface CaseQueueReader<K extends ResultKind = 'sync'> {
  readCaseQueue(): Result<K, CaseQueue>;
}

/** The report's section on `queue`, ages measured at `now`. */
export function casesSection(queue: CaseQueue, now: number): CasesSection {
  if (!queue.available) return queue;
  const { cases, keeps } = queue;
  const ages: number[] = [];
  const byState: Record<string, number> = {};
  const byIssue: Record<string, number> = {};
  const bySubject: Record<string, number> = {};
  let openAmount = 0;
  for (const c of cases) {
    if (CLOSED.includes(c.state.toLowerCase())) continue;
    byState[c.state] = (byState[c.state] ?? 0) + 1;
    if (keeps.issue) byIssue[String(c.issue)] = (byIssue[String(c.issue)] ?? 0) + 1;
    if (keeps.subjectKind) bySubject[String(c.subjectKind)] = (bySubject[String(c.subjectKind)] ?? 0) + 1;
    if (c.amount !== null) openAmount += c.amount;
    ages.push(Number.isFinite(c.openedAt) ? Math.max(0, (now - c.openedAt) / DAY) : NaN);
  }
  const known = ages.filter((a) => !Number.isNaN(a)).sort((a, b) => a - b);
  const byAge = AGE_BANDS.map((b) => ({ label: b.label, count: 0 }));
  for (const a of known) byAge[AGE_BANDS.findIndex((b) => a < b.upToDays)].count++;
  return {
    available: true,
    asOf: now,
    total: cases.length,
    open: ages.length,
    byState,
    byAge,
    oldestDays: known.length > 0 ? known[known.length - 1] : null,
    medianDays: known.length > 0 ? known[Math.floor((known.length - 1) / 2)] : null,
    byIssue: keeps.issue ? byIssue : null,
    bySubject: keeps.subjectKind ? bySubject : null,
    openAmount: keeps.amount ? openAmount : null,
  };
}
