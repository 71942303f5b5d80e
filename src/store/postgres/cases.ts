/**
 * The case store on a cluster's PostgreSQL schema, the twin of SQLite's cases.ts: every node reads
 * and works the same queue. `transaction` opens one transaction that every adapter of the pool joins
 * for the call chain inside it (tx.ts, inScope) — the audit log's appends included — holding the
 * cluster's `cases` advisory lock, so changes from any node run one after the other as SQLite's
 * IMMEDIATE transactions do: case numbers are 1, 2, 3, … without gaps or clashes, and a service's
 * read-then-change (an assignment records the assignee it replaced) sees what the last one committed.
 * `background` takes the lock only when it is free (BUSY otherwise). One unresolved case per subject
 * and issue is enforced by the database (a partial unique index). Free texts — item notes and
 * details, case notes — are sealed (PgCrypt), as in SQLite.
 */
import type { Pool, PoolClient } from 'pg';
import { FengkongError, StoreError } from '../../errors.js';
import { BUSY, type CasePage, type CaseStore, type GroupResult, type LastResolution, type OpenResult } from '../../cases/store.js';
import {
  PRIORITY_BANDS, priorityOf, type CaseChange, type CaseNote, type CaseQuery, type CaseRecord, type CaseStatus, type CaseSummary,
  type OpenCaseRequest, type PriorityBand, type Resolution, type SubjectKind,
} from '../../cases/types.js';
import { CASE_COLUMNS, ITEM_COLUMNS, toItem, toSummary, type CaseRow, type ItemRow } from './case-rows.js';
import { queueCursor, queueWhere } from './case-queue.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import type { PgCluster } from './pool.js';
import { inScope, inScopeIfFree, scopedClient } from './tx.js';

/** The priority bands with a lower bound; the last one (from -Infinity) is the count's ELSE. */
const BANDED = PRIORITY_BANDS.slice(0, -1);

/** CaseStore<'async'> on a cluster's pool; see the module comment. */
export class PgCaseStore implements CaseStore<'async'> {
  /** A store on a migrated cluster; `fresh` as `open` found it. */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt, readonly fresh: boolean) {}

  /**
   * The case store of cluster `pg`: schema migrated, data keys opened (or the Crypt given used). The
   * first store opened on the schema, whichever node, creates the feed's row and is `fresh`.
   */
  static async open(pg: PgCluster, opts: { masterKeyFile?: string; crypt?: PgCrypt } = {}): Promise<PgCaseStore> {
    await migrate(pg);
    const crypt = opts.crypt ?? (await PgCrypt.open(pg, { masterKeyFile: opts.masterKeyFile }));
    try {
      const r = await pg.pool.query('INSERT INTO case_feed (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
      return new PgCaseStore(pg, crypt, r.rowCount === 1);
    } catch (e) {
      throw new StoreError(`cannot open the case tables (schema ${pg.schema} on ${pg.where}): ${(e as Error).message}`, { cause: e });
    }
  }

  /** The transaction's connection inside `transaction`/`background`, the pool outside. */
  private get q(): Pool | PoolClient {
    return scopedClient(this.pg.pool) ?? this.pg.pool;
  }

  private async rows<R extends object>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.q.query<R>(sql, args)).rows;
    } catch (e) {
      throw this.storeError(e);
    }
  }

  private storeError(e: unknown): unknown {
    if (e instanceof FengkongError || !(e instanceof Error) || !('severity' in e)) return e;
    return new StoreError(`case store (schema ${this.pg.schema} on ${this.pg.where}): ${e.message}`, { cause: e });
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inScope(this.pg.pool, this.pg.schema, 'cases', fn).catch((e: unknown) => {
      throw this.storeError(e);
    });
  }

  async background<T>(fn: () => Promise<T>): Promise<T | typeof BUSY> {
    try {
      const r = await inScopeIfFree(this.pg.pool, this.pg.schema, 'cases', fn);
      return r.ran ? r.value : BUSY;
    } catch (e) {
      throw this.storeError(e);
    }
  }

  private async row(n: number): Promise<CaseRow | undefined> {
    return (await this.rows<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [n]))[0];
  }

  async summary(n: number): Promise<CaseSummary | undefined> {
    const r = await this.row(n);
    return r === undefined ? undefined : toSummary(r);
  }

  async get(n: number, maxItems = 1_000): Promise<CaseRecord | undefined> {
    const r = await this.row(n);
    if (r === undefined) return undefined;
    const items = await this.rows<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM case_items WHERE case_id = $1 ORDER BY n LIMIT $2`, [n, maxItems]);
    const notes = await this.rows<{ n: number; author: string; at: string; text: string }>('SELECT n, author, at, text FROM case_notes WHERE case_id = $1 ORDER BY n', [n]);
    const history = await this.rows<{ n: number; at: string; actor: string; action: string; from_v: string | null; to_v: string | null }>(
      'SELECT n, at, actor, action, from_v, to_v FROM case_history WHERE case_id = $1 ORDER BY n', [n],
    );
    return {
      ...toSummary(r),
      itemList: await Promise.all(items.map((i) => toItem(i, this.crypt))),
      notes: await Promise.all(notes.map(async (x): Promise<CaseNote> => ({ n: x.n, author: x.author, at: Number(x.at), text: await this.crypt.openText(x.text) }))),
      history: history.map((h): CaseChange => ({ n: h.n, at: Number(h.at), actor: h.actor, action: h.action, from: h.from_v, to: h.to_v })),
    };
  }

  private async openFor(kind: SubjectKind, id: string, issue: string): Promise<CaseRow | undefined> {
    return (await this.rows<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE subject_kind = $1 AND subject_id = $2 AND issue = $3 AND status <> 'resolved'`, [
      kind, id, issue,
    ]))[0];
  }

  /** Inserts a new case numbered one above the highest (gap-free: callers hold the `cases` lock). */
  private async insertCase(q: OpenCaseRequest, now: number): Promise<number> {
    const [r] = await this.rows<{ id: number }>(
      `INSERT INTO cases (id, subject_kind, subject_id, issue, status, risk, amount, priority, opened_at, opened_by, updated_at, item_count)
       SELECT coalesce(max(id), 0) + 1, $1, $2, $3, 'open', $4, $5, $6, $7, $8, $7, 1 FROM cases RETURNING id`,
      [q.subjectKind, q.subjectId, q.issue, q.risk, q.amount, priorityOf(q.risk, q.amount), now, q.actor],
    );
    return r.id;
  }

  private async insertItem(n: number, k: number, q: OpenCaseRequest, now: number, detail: string | null): Promise<void> {
    await this.rows(
      'INSERT INTO case_items (case_id, n, kind, ref, tx_id, risk, amount, note, actor, at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [n, k, q.source.kind, q.source.ref ?? null, q.txId ?? null, q.risk, q.amount, this.crypt.sealOpt(q.note ?? null), q.actor, now, detail],
    );
  }

  private async updateTotals(n: number, risk: number, amount: number, count: number, now: number): Promise<void> {
    await this.rows('UPDATE cases SET risk = $1, amount = $2, priority = $3, item_count = $4, updated_at = $5 WHERE id = $6', [
      risk, amount, priorityOf(risk, amount), count, now, n,
    ]);
  }

  private sealDetail(q: OpenCaseRequest): string | null {
    return q.detail === undefined ? null : this.crypt.sealText(JSON.stringify(q.detail));
  }

  async openOrJoin(req: OpenCaseRequest, now: number, maxItems: number): Promise<OpenResult> {
    const g = await this.openGroup([req], now, maxItems);
    return { n: g.n, created: g.created, itemAdded: g.added[0], before: g.before, after: (await this.summary(g.n))! };
  }

  /**
   * As SQLite's openGroup; always under the `cases` lock (joining the caller's transaction, or in one
   * of its own when called outside one), so a new case's number is gap-free and unique even then.
   */
  openGroup(reqs: readonly OpenCaseRequest[], now: number, maxItems: number): Promise<GroupResult> {
    return this.transaction(() => this.openGroupLocked(reqs, now, maxItems));
  }

  private async openGroupLocked(reqs: readonly OpenCaseRequest[], now: number, maxItems: number): Promise<GroupResult> {
    const first = reqs[0];
    const open = await this.openFor(first.subjectKind, first.subjectId, first.issue);
    const known = new Map<string, { n: number; risk: number }>();
    let n: number;
    let risk: number;
    let amount = 0;
    let count = 0;
    if (open === undefined) {
      n = await this.insertCase(first, now);
      risk = first.risk;
    } else {
      n = open.id;
      risk = open.risk;
      amount = Number(open.amount);
      count = open.item_count;
      const refs = reqs.flatMap((q) => (q.source.ref === undefined ? [] : [q.source.ref]));
      if (refs.length > 0) {
        const had = await this.rows<{ n: number; ref: string; risk: number }>('SELECT n, ref, risk FROM case_items WHERE case_id = $1 AND ref = ANY($2::text[])', [n, refs]);
        for (const row of had) known.set(row.ref, { n: row.n, risk: row.risk });
      }
    }
    const added: boolean[] = [];
    let addedCount = 0;
    for (const q of reqs) {
      const ref = q.source.ref ?? null;
      const detail = this.sealDetail(q);
      if (q.risk > risk) risk = q.risk;
      const had = ref === null ? undefined : known.get(ref);
      if (had !== undefined) {
        had.risk = Math.max(had.risk, q.risk);
        await this.rows('UPDATE case_items SET risk = $1, detail = $2 WHERE case_id = $3 AND n = $4', [had.risk, detail, n, had.n]);
        added.push(false);
        continue;
      }
      count++;
      amount += q.amount;
      if (count <= maxItems) await this.insertItem(n, count, q, now, detail);
      if (ref !== null) known.set(ref, { n: count, risk: q.risk });
      added.push(true);
      addedCount++;
    }
    const touched = open === undefined ? reqs.length > 1 : addedCount > 0 || risk !== open.risk;
    if (touched) await this.updateTotals(n, risk, amount, count, now);
    if (open === undefined) await this.history(n, now, first.actor, 'open', null, 'open');
    const before = open === undefined ? null : toSummary(open);
    return { n, created: open === undefined, added, addedCount, before, after: (await this.summary(n))! };
  }

  async history(n: number, at: number, actor: string, action: string, from: string | null, to: string | null): Promise<void> {
    await this.rows(
      'INSERT INTO case_history (case_id, n, at, actor, action, from_v, to_v) SELECT $1, coalesce(max(n), 0) + 1, $2, $3, $4, $5, $6 FROM case_history WHERE case_id = $1',
      [n, at, actor, action, from, to],
    );
  }

  async assign(n: number, assignee: string | null, now: number): Promise<void> {
    await this.rows('UPDATE cases SET assignee = $1, updated_at = $2 WHERE id = $3', [assignee, now, n]);
  }

  async addNote(n: number, author: string, text: string, now: number): Promise<CaseNote> {
    const [r] = await this.rows<{ n: number }>(
      'INSERT INTO case_notes (case_id, n, author, at, text) SELECT $1, coalesce(max(n), 0) + 1, $2, $3, $4 FROM case_notes WHERE case_id = $1 RETURNING n',
      [n, author, now, this.crypt.sealText(text)],
    );
    await this.rows('UPDATE cases SET updated_at = $1 WHERE id = $2', [now, n]);
    return { n: r.n, author, at: now, text };
  }

  async setStatus(n: number, status: CaseStatus, now: number): Promise<void> {
    await this.rows('UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3', [status, now, n]);
  }

  async resolve(n: number, resolution: Resolution, typology: string | null, actor: string, now: number): Promise<void> {
    await this.rows(
      "UPDATE cases SET status = 'resolved', resolution = $1, typology = $2, resolved_at = $3, resolved_by = $4, updated_at = $3, labels_pending = true WHERE id = $5",
      [resolution, typology, now, actor, n],
    );
  }

  async labelsEmitted(n: number, count: number): Promise<void> {
    await this.rows('UPDATE cases SET labels = $1, labels_pending = false WHERE id = $2', [count, n]);
  }

  async pendingLabels(): Promise<number[]> {
    return (await this.rows<{ id: number }>('SELECT id FROM cases WHERE labels_pending ORDER BY id')).map((r) => r.id);
  }

  async payments(n: number): Promise<string[]> {
    const rows = await this.rows<{ tx_id: string }>('SELECT tx_id FROM case_items WHERE case_id = $1 AND tx_id IS NOT NULL GROUP BY tx_id ORDER BY min(n)', [n]);
    return rows.map((r) => r.tx_id);
  }

  async lastResolved(kind: SubjectKind, id: string, issue: string): Promise<LastResolution | undefined> {
    const [r] = await this.rows<{ resolution: string; resolved_at: string }>(
      "SELECT resolution, resolved_at FROM cases WHERE subject_kind = $1 AND subject_id = $2 AND issue = $3 AND status = 'resolved' ORDER BY resolved_at DESC LIMIT 1",
      [kind, id, issue],
    );
    return r === undefined ? undefined : { resolution: r.resolution as Resolution, resolvedAt: Number(r.resolved_at) };
  }

  async feedSeq(): Promise<number> {
    return Number((await this.rows<{ seq: string }>('SELECT seq FROM case_feed WHERE id = 1'))[0]?.seq ?? 0);
  }

  async setFeedSeq(seq: number): Promise<void> {
    await this.rows('UPDATE case_feed SET seq = greatest(seq, $1) WHERE id = 1', [seq]);
  }

  async list(q: CaseQuery): Promise<CasePage> {
    const { sql, args, limit } = queueWhere(q);
    const rows = await this.rows<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM cases${sql} ORDER BY priority DESC, opened_at ASC, id ASC LIMIT $${args.length + 1}`,
      [...args, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { cases: page.map(toSummary), next: rows.length > limit && last !== undefined ? queueCursor(last) : null };
  }

  async activeFor(kind: SubjectKind, id: string): Promise<CaseSummary[]> {
    return (await this.list({ subjectKind: kind, subjectId: id, status: 'active', limit: 100 })).cases;
  }

  async openByBand(): Promise<Record<PriorityBand, number>> {
    const [r] = await this.rows<Record<string, string>>(
      `SELECT count(*) AS total${BANDED.map((_, i) => `, count(*) FILTER (WHERE priority >= $${i + 1}) AS at_least_${i}`).join('')} ` +
        "FROM cases WHERE status IN ('open', 'investigating')",
      BANDED.map((b) => b.from),
    );
    const out = {} as Record<PriorityBand, number>;
    let above = 0;
    BANDED.forEach((b, i) => {
      const atLeast = Number(r[`at_least_${i}`]);
      out[b.band] = atLeast - above;
      above = atLeast;
    });
    out[PRIORITY_BANDS[BANDED.length].band] = Number(r.total) - above;
    return out;
  }
}
