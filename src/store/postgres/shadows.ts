/**
 * Shadow runs and their compared decisions on a cluster's PostgreSQL schema, the twin of SQLite's
 * shadow.ts (migration 10, the same tables): every node reads the runs and records any node wrote.
 * Run ids are `max + 1` under the cluster's `shadows` advisory lock, so they are 1, 2, 3, … in
 * creation order without gap or clash whichever node creates them (a sequence would leave gaps on
 * rollback). A batch is one transaction and one INSERT whatever its size (the columns handed over
 * as arrays and `unnest`ed, so no parameter limit applies), its totals saved in the same transaction.
 * Nothing is sealed, as in SQLite: the records are ids, amounts, outcomes, scores and reason codes,
 * no event (docs/security.md, "Encryption at rest").
 */
import type { Outcome } from '../../rules/policy-types.js';
import type { ShadowTotals } from '../../policy/shadow-tally.js';
import { SHADOW_MAX_PAGE, type LabelledRow, type ShadowPage, type ShadowRecord, type ShadowRunInfo, type ShadowStore } from '../../policy/shadow-types.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { inTransaction, underLock } from './tx.js';

interface RunRow {
  run: number;
  version: number;
  policy: string;
  /** bigint columns: the driver hands them over as text. */
  started_at: string;
  started_by: string;
  start_seq: string;
  running_since: string | null;
  stopped_at: string | null;
  stopped_by: string | null;
  stop_reason: string | null;
  summary: string | null;
  resumed_from: number | null;
}

interface DecisionRow {
  seq: string;
  tx_id: string;
  t: string;
  amount: string;
  live_policy: string;
  live_outcome: string;
  live_score: number;
  live_reasons: string;
  shadow_outcome: string;
  shadow_score: number;
  shadow_reasons: string;
  changed: boolean;
  label: boolean | null;
}

const RUN_COLUMNS = 'run, version, policy, started_at, started_by, start_seq, running_since, stopped_at, stopped_by, stop_reason, summary, resumed_from';
const DECISION_COLUMNS =
  'seq, tx_id, t, amount, live_policy, live_outcome, live_score, live_reasons, shadow_outcome, shadow_score, shadow_reasons, changed, label';
/** The array type of each column of a batch's INSERT, in DECISION_COLUMNS order after run and version. */
const BATCH_TYPES = ['bigint', 'text', 'bigint', 'bigint', 'text', 'text', 'float8', 'text', 'text', 'float8', 'text', 'boolean', 'boolean'];
const INSERT_BATCH =
  `INSERT INTO shadow_decisions (run, version, ${DECISION_COLUMNS}) ` +
  `SELECT $1::integer, $2::integer, * FROM unnest(${BATCH_TYPES.map((t, i) => `$${i + 3}::${t}[]`).join(', ')})`;

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function toRun(r: RunRow): ShadowRunInfo {
  return {
    run: r.run,
    version: r.version,
    policy: r.policy,
    startedAt: Number(r.started_at),
    startedBy: r.started_by,
    startSeq: Number(r.start_seq),
    runningSince: num(r.running_since),
    stoppedAt: num(r.stopped_at),
    stoppedBy: r.stopped_by,
    stopReason: r.stop_reason,
    summary: r.summary === null ? null : (JSON.parse(r.summary) as ShadowTotals),
    resumedFrom: r.resumed_from,
  };
}

function toRecord(r: DecisionRow): ShadowRecord {
  return {
    seq: Number(r.seq),
    txId: r.tx_id,
    t: Number(r.t),
    amount: Number(r.amount),
    live: { policy: r.live_policy, outcome: r.live_outcome as Outcome, score: r.live_score, reasons: JSON.parse(r.live_reasons) as string[] },
    shadow: { outcome: r.shadow_outcome as Outcome, score: r.shadow_score, reasons: JSON.parse(r.shadow_reasons) as string[] },
    changed: r.changed,
    label: r.label,
  };
}

/** A batch's records as one array per column (the parameters of INSERT_BATCH after run and version). */
function columnsOf(records: readonly ShadowRecord[]): unknown[][] {
  const cols: unknown[][] = BATCH_TYPES.map(() => new Array<unknown>(records.length));
  records.forEach((r, i) => {
    const row = [
      r.seq, r.txId, r.t, r.amount,
      r.live.policy, r.live.outcome, r.live.score, JSON.stringify(r.live.reasons),
      r.shadow.outcome, r.shadow.score, JSON.stringify(r.shadow.reasons),
      r.changed, r.label,
    ];
    row.forEach((v, c) => (cols[c][i] = v));
  });
  return cols;
}

/** ShadowStore<'async'> on a cluster's pool; see the module comment. */
export class PgShadowStore implements ShadowStore<'async'> {
  /** A store on a migrated schema (see `open`). */
  constructor(private readonly pg: PgCluster) {}

  /**
   * The shadow store of cluster `pg`, its schema migrated first. No PgCrypt: nothing here is
   * sealed, in SQLite either (see the module comment).
   */
  static async open(pg: PgCluster): Promise<PgShadowStore> {
    await migrate(pg);
    return new PgShadowStore(pg);
  }

  createRun(r: { version: number; policy: string; startedAt: number; startedBy: string; startSeq: number; resumedFrom?: number }): Promise<number> {
    return asStoreError(this.pg, 'create a shadow run', () => underLock(this.pg.pool, this.pg.schema, 'shadows', async (c) => {
      const res = await c.query<{ run: number }>(
        `INSERT INTO shadow_runs (run, version, policy, started_at, started_by, start_seq, resumed_from)
         SELECT coalesce(max(run), 0) + 1, $1, $2, $3, $4, $5, $6 FROM shadow_runs RETURNING run`,
        [r.version, r.policy, r.startedAt, r.startedBy, r.startSeq, r.resumedFrom ?? null],
      );
      return res.rows[0].run;
    }));
  }

  markRunning(run: number, at: number, policy: string): Promise<void> {
    return this.write('mark a shadow run running', 'UPDATE shadow_runs SET running_since = $1, policy = $2 WHERE run = $3', [at, policy, run]);
  }

  batch(run: number, version: number, records: readonly ShadowRecord[], summary: ShadowTotals | null): Promise<void> {
    return asStoreError(this.pg, 'record shadow decisions', () => inTransaction(this.pg.pool, async (c) => {
      if (records.length > 0) await c.query(INSERT_BATCH, [run, version, ...columnsOf(records)]);
      if (summary !== null) await c.query('UPDATE shadow_runs SET summary = $1 WHERE run = $2', [JSON.stringify(summary), run]);
    }));
  }

  label(run: number, seq: number, fraud: boolean): Promise<LabelledRow | undefined> {
    return asStoreError(this.pg, 'label a shadow decision', async () => {
      const r = (
        await this.pg.pool.query<{ amount: string; live_outcome: string; shadow_outcome: string }>(
          'UPDATE shadow_decisions SET label = $1 WHERE run = $2 AND seq = $3 RETURNING amount, live_outcome, shadow_outcome',
          [fraud, run, seq],
        )
      ).rows[0];
      return r === undefined ? undefined : { amount: Number(r.amount), live: r.live_outcome as Outcome, shadow: r.shadow_outcome as Outcome };
    });
  }

  saveSummary(run: number, summary: ShadowTotals): Promise<void> {
    return this.write('save a shadow run\'s totals', 'UPDATE shadow_runs SET summary = $1 WHERE run = $2', [JSON.stringify(summary), run]);
  }

  stopRun(run: number, at: number, by: string, reason: string, summary: ShadowTotals | null): Promise<void> {
    return this.write(
      'stop a shadow run',
      'UPDATE shadow_runs SET stopped_at = $1, stopped_by = $2, stop_reason = $3, summary = coalesce($4, summary) WHERE run = $5',
      [at, by, reason, summary === null ? null : JSON.stringify(summary), run],
    );
  }

  /** The dangling runs are read and stopped in one transaction, their rows locked: another node's stop of the same runs waits, then finds none. */
  stopDangling(at: number, reason: string): Promise<ShadowRunInfo[]> {
    return asStoreError(this.pg, 'stop dangling shadow runs', () => inTransaction(this.pg.pool, async (c) => {
      const rows = (await c.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE stopped_at IS NULL ORDER BY run FOR UPDATE`)).rows;
      if (rows.length > 0) {
        await c.query(
          "UPDATE shadow_runs SET stopped_at = $1, stopped_by = 'system', stop_reason = $2, resume = true WHERE run = ANY($3::integer[])",
          [at, reason, rows.map((r) => r.run)],
        );
      }
      return rows.map(toRun);
    }));
  }

  markResume(run: number, resume: boolean): Promise<void> {
    return this.write('mark a shadow run to resume', 'UPDATE shadow_runs SET resume = $1 WHERE run = $2', [resume, run]);
  }

  toResume(): Promise<ShadowRunInfo[]> {
    return this.runs(
      `SELECT ${RUN_COLUMNS} FROM shadow_runs r WHERE resume AND run = (SELECT max(run) FROM shadow_runs WHERE version = r.version) ORDER BY run`,
      [],
    );
  }

  async run(run: number): Promise<ShadowRunInfo | undefined> {
    return (await this.runs(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE run = $1`, [run]))[0];
  }

  async latestRun(version: number): Promise<ShadowRunInfo | undefined> {
    return (await this.runs(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE version = $1 ORDER BY run DESC LIMIT 1`, [version]))[0];
  }

  decisions(run: number, page: ShadowPage): Promise<ShadowRecord[]> {
    const limit = Math.min(page.limit ?? 100, SHADOW_MAX_PAGE);
    const before = page.before ?? Number.MAX_SAFE_INTEGER;
    const sql =
      `SELECT ${DECISION_COLUMNS} FROM shadow_decisions WHERE run = $1 AND seq < $2` +
      (page.changed === true ? ' AND changed' : page.changed === false ? ' AND NOT changed' : '') +
      ' ORDER BY seq DESC LIMIT $3';
    return asStoreError(this.pg, 'read shadow decisions', async () => (await this.pg.pool.query<DecisionRow>(sql, [run, before, limit])).rows.map(toRecord));
  }

  /** Nothing to release: the pool is the cluster's, closed by whoever opened it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async write(what: string, sql: string, params: unknown[]): Promise<void> {
    await asStoreError(this.pg, what, () => this.pg.pool.query(sql, params));
  }

  private runs(sql: string, params: unknown[]): Promise<ShadowRunInfo[]> {
    return asStoreError(this.pg, 'read shadow runs', async () => (await this.pg.pool.query<RunRow>(sql, params)).rows.map(toRun));
  }
}
