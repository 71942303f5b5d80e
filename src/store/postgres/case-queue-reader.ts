/**
 * The case queue as the risk report reads it (report/cases.ts CaseQueueReader), from a cluster's
 * `cases` table (PgCaseStore's, migration-made, so its columns are known: no probing as the SQLite
 * reader must do for older data folders). The columns read are stored clear (state, opening time,
 * issue, subject kind, amount); nothing sealed is opened.
 *
 * Resolved cases only count towards the total, so they are counted in PostgreSQL and handed over
 * as one shared placeholder each, instead of fetching rows the report never looks at.
 */
import type { CaseQueue, CaseQueueReader, QueuedCase } from '../../report/cases.js';
import type { PgCluster } from './pool.js';

/** What a resolved case is to the report: finished, nothing more read. */
const RESOLVED: QueuedCase = Object.freeze({ state: 'resolved', openedAt: NaN, issue: null, subjectKind: null, amount: null });

/** CaseQueueReader on a cluster's schema. */
export class PgCaseQueueReader implements CaseQueueReader<'async'> {
  constructor(private readonly pg: PgCluster) {}

  /** Never rejects: a failing read is a note naming where. */
  async readCaseQueue(): Promise<CaseQueue> {
    try {
      const open = await this.pg.pool.query<{ status: string; opened_at: string; issue: string; subject_kind: string; amount: string }>(
        "SELECT status, opened_at, issue, subject_kind, amount FROM cases WHERE status <> 'resolved'",
      );
      const done = await this.pg.pool.query<{ n: string }>("SELECT count(*) AS n FROM cases WHERE status = 'resolved'");
      const cases: QueuedCase[] = open.rows.map((r) => ({
        state: r.status,
        openedAt: Number(r.opened_at),
        issue: r.issue,
        subjectKind: r.subject_kind,
        amount: Number(r.amount),
      }));
      const resolved = Number(done.rows[0]?.n ?? 0);
      for (let i = 0; i < resolved; i++) cases.push(RESOLVED);
      return { available: true, cases, keeps: { issue: true, subjectKind: true, amount: true } };
    } catch (e) {
      return { available: false, note: `the cluster's cases (schema ${this.pg.schema} on ${this.pg.where}) could not be read: ${(e as Error).message}` };
    }
  }
}
