/**
 * The case queue as the risk report reads it (report/cases.ts CaseQueueReader), from the data
 * folder's `cases` table when there is one. Read defensively, on any connection (a read-only one
 * too): it looks for the table and for a state column (`state` or `status`) and a creation-time
 * column (`opened_at` or `created_at`, epoch ms or a date text), and says why when it cannot.
 */
import type { Database } from 'better-sqlite3';
import type { CaseQueue, CaseQueueReader, QueuedCase } from '../../report/cases.js';

function pick(columns: readonly string[], names: readonly string[]): string | undefined {
  return names.find((n) => columns.includes(n));
}

function timeOf(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
}

/** CaseQueueReader on a connection to the data folder's file. */
export class SqliteCaseQueueReader implements CaseQueueReader {
  constructor(private readonly db: Database) {}

  /** Never throws: a missing or unfamiliar table, or a failing read, is a note. */
  readCaseQueue(): CaseQueue {
    const db = this.db;
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
      const cases = rows.map(
        (r): QueuedCase => ({
          state: String(r.state),
          openedAt: timeOf(r.opened),
          issue: issue === undefined ? null : String(r.issue),
          subjectKind: subject === undefined ? null : String(r.subject),
          amount: typeof r.amount === 'number' ? r.amount : null,
        }),
      );
      return { available: true, cases, keeps: { issue: issue !== undefined, subjectKind: subject !== undefined, amount: amount !== undefined } };
    } catch (e) {
      return { available: false, note: `the cases table could not be read: ${(e as Error).message}` };
    }
  }
}
