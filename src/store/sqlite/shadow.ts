/**
 * Shadow runs and their compared decisions, in their own file beside the journal (`shadow.db` in
 * the data folder) on their own connection: WAL with `synchronous = NORMAL`, so a batch commit
 * never waits for the disk (the WAL is synced at checkpoints only), and the shadow's writes never
 * take the journal's write lock nor grow its WAL. The records are derived data: a power loss may
 * lose the last batches (the journal still holds every payment and live decision), never an answer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import type { Outcome } from '../../rules/policy-types.js';
import type { ShadowTotals } from '../../policy/shadow-tally.js';
import { SHADOW_MAX_PAGE, type LabelledRow, type ShadowPage, type ShadowRecord, type ShadowRunInfo, type ShadowStore } from '../../policy/shadow-types.js';

/** The file inside the data folder. */
export const SHADOW_DB_FILE = 'shadow.db';

const DDL = `
CREATE TABLE IF NOT EXISTS shadow_runs (
  run           INTEGER PRIMARY KEY,
  version       INTEGER NOT NULL,
  policy        TEXT    NOT NULL,
  started_at    INTEGER NOT NULL,
  started_by    TEXT    NOT NULL,
  start_seq     INTEGER NOT NULL,
  running_since INTEGER,
  stopped_at    INTEGER,
  stopped_by    TEXT,
  stop_reason   TEXT,
  summary       TEXT,
  resume        INTEGER NOT NULL DEFAULT 0,
  resumed_from  INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS shadow_runs_version ON shadow_runs (version, run);
CREATE TABLE IF NOT EXISTS shadow_decisions (
  run            INTEGER NOT NULL,
  version        INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  tx_id          TEXT    NOT NULL,
  t              INTEGER NOT NULL,
  amount         INTEGER NOT NULL,
  live_policy    TEXT    NOT NULL,
  live_outcome   TEXT    NOT NULL,
  live_score     REAL    NOT NULL,
  live_reasons   TEXT    NOT NULL,
  shadow_outcome TEXT    NOT NULL,
  shadow_score   REAL    NOT NULL,
  shadow_reasons TEXT    NOT NULL,
  changed        INTEGER NOT NULL,
  label          INTEGER,
  PRIMARY KEY (run, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shadow_decisions_changed ON shadow_decisions (run, seq) WHERE changed = 1;
`;

interface RunRow {
  run: number;
  version: number;
  policy: string;
  started_at: number;
  started_by: string;
  start_seq: number;
  running_since: number | null;
  stopped_at: number | null;
  stopped_by: string | null;
  stop_reason: string | null;
  summary: string | null;
  resumed_from: number | null;
}

type DecisionRow = [number, string, number, number, string, string, number, string, string, number, string, number, number | null];

const RUN_COLUMNS = 'run, version, policy, started_at, started_by, start_seq, running_since, stopped_at, stopped_by, stop_reason, summary, resumed_from';
/** Columns added after the first release, with their definitions (added to an older file at open). */
const ADDED_RUN_COLUMNS: readonly [string, string][] = [
  ['resume', 'INTEGER NOT NULL DEFAULT 0'],
  ['resumed_from', 'INTEGER'],
];
const DECISION_COLUMNS =
  'seq, tx_id, t, amount, live_policy, live_outcome, live_score, live_reasons, shadow_outcome, shadow_score, shadow_reasons, changed, label';

function toRun(r: RunRow): ShadowRunInfo {
  return {
    run: r.run,
    version: r.version,
    policy: r.policy,
    startedAt: r.started_at,
    startedBy: r.started_by,
    startSeq: r.start_seq,
    runningSince: r.running_since,
    stoppedAt: r.stopped_at,
    stoppedBy: r.stopped_by,
    stopReason: r.stop_reason,
    summary: r.summary === null ? null : (JSON.parse(r.summary) as ShadowTotals),
    resumedFrom: r.resumed_from,
  };
}

function toRecord(r: DecisionRow): ShadowRecord {
  return {
    seq: r[0],
    txId: r[1],
    t: r[2],
    amount: r[3],
    live: { policy: r[4], outcome: r[5] as Outcome, score: r[6], reasons: JSON.parse(r[7]) as string[] },
    shadow: { outcome: r[8] as Outcome, score: r[9], reasons: JSON.parse(r[10]) as string[] },
    changed: r[11] === 1,
    label: r[12] === null ? null : r[12] === 1,
  };
}

/** The shadow store of a data folder. */
export class SqliteShadowStore implements ShadowStore<'sync'> {
  readonly file: string;
  private readonly db: Database;
  private readonly insertRow: Statement<unknown[]>;
  private readonly labelRow: Statement<[number, number, number], { amount: number; live_outcome: string; shadow_outcome: string }>;
  private readonly saveRow: Statement<[string, number]>;
  private readonly tx: Transaction<(run: number, version: number, records: readonly ShadowRecord[], summary: ShadowTotals | null) => void>;

  /** Opens (creating when missing) `shadow.db` in `dataDir`. */
  constructor(dataDir: string) {
    this.file = join(dataDir, SHADOW_DB_FILE);
    try {
      mkdirSync(dataDir, { recursive: true });
      this.db = new BetterSqlite3(this.file, { timeout: 1000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(DDL);
      const have = new Set((this.db.prepare('PRAGMA table_info(shadow_runs)').all() as { name: string }[]).map((c) => c.name));
      for (const [name, def] of ADDED_RUN_COLUMNS) if (!have.has(name)) this.db.exec(`ALTER TABLE shadow_runs ADD COLUMN ${name} ${def}`);
    } catch (e) {
      throw new StoreError(`cannot open ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    this.insertRow = this.db.prepare(`INSERT INTO shadow_decisions (run, version, ${DECISION_COLUMNS}) VALUES (${Array(15).fill('?').join(', ')})`);
    this.labelRow = this.db.prepare('UPDATE shadow_decisions SET label = ? WHERE run = ? AND seq = ? RETURNING amount, live_outcome, shadow_outcome');
    this.saveRow = this.db.prepare('UPDATE shadow_runs SET summary = ? WHERE run = ?');
    this.tx = this.db.transaction((run: number, version: number, records: readonly ShadowRecord[], summary: ShadowTotals | null) => {
      for (let i = 0; i < records.length; i++) this.insert(run, version, records[i]);
      if (summary !== null) this.saveRow.run(JSON.stringify(summary), run);
    });
  }

  createRun(r: { version: number; policy: string; startedAt: number; startedBy: string; startSeq: number; resumedFrom?: number }): number {
    const info = this.db
      .prepare('INSERT INTO shadow_runs (version, policy, started_at, started_by, start_seq, resumed_from) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.version, r.policy, r.startedAt, r.startedBy, r.startSeq, r.resumedFrom ?? null);
    return Number(info.lastInsertRowid);
  }

  markRunning(run: number, at: number, policy: string): void {
    this.db.prepare('UPDATE shadow_runs SET running_since = ?, policy = ? WHERE run = ?').run(at, policy, run);
  }

  batch(run: number, version: number, records: readonly ShadowRecord[], summary: ShadowTotals | null): void {
    this.tx(run, version, records, summary);
  }

  private insert(run: number, version: number, r: ShadowRecord): void {
    this.insertRow.run(
      run, version, r.seq, r.txId, r.t, r.amount,
      r.live.policy, r.live.outcome, r.live.score, JSON.stringify(r.live.reasons),
      r.shadow.outcome, r.shadow.score, JSON.stringify(r.shadow.reasons),
      r.changed ? 1 : 0, r.label === null ? null : r.label ? 1 : 0,
    );
  }

  label(run: number, seq: number, fraud: boolean): LabelledRow | undefined {
    const row = this.labelRow.get(fraud ? 1 : 0, run, seq);
    return row === undefined ? undefined : { amount: row.amount, live: row.live_outcome as Outcome, shadow: row.shadow_outcome as Outcome };
  }

  saveSummary(run: number, summary: ShadowTotals): void {
    this.saveRow.run(JSON.stringify(summary), run);
  }

  stopRun(run: number, at: number, by: string, reason: string, summary: ShadowTotals | null): void {
    this.db
      .prepare('UPDATE shadow_runs SET stopped_at = ?, stopped_by = ?, stop_reason = ?, summary = coalesce(?, summary) WHERE run = ?')
      .run(at, by, reason, summary === null ? null : JSON.stringify(summary), run);
  }

  stopDangling(at: number, reason: string): ShadowRunInfo[] {
    const rows = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE stopped_at IS NULL ORDER BY run`).all() as RunRow[];
    if (rows.length > 0) {
      this.db.prepare("UPDATE shadow_runs SET stopped_at = ?, stopped_by = 'system', stop_reason = ?, resume = 1 WHERE stopped_at IS NULL").run(at, reason);
    }
    return rows.map(toRun);
  }

  markResume(run: number, resume: boolean): void {
    this.db.prepare('UPDATE shadow_runs SET resume = ? WHERE run = ?').run(resume ? 1 : 0, run);
  }

  toResume(): ShadowRunInfo[] {
    const sql =
      `SELECT ${RUN_COLUMNS} FROM shadow_runs r WHERE resume = 1 ` +
      'AND run = (SELECT max(run) FROM shadow_runs WHERE version = r.version) ORDER BY run';
    return (this.db.prepare(sql).all() as RunRow[]).map(toRun);
  }

  run(run: number): ShadowRunInfo | undefined {
    const r = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE run = ?`).get(run) as RunRow | undefined;
    return r === undefined ? undefined : toRun(r);
  }

  latestRun(version: number): ShadowRunInfo | undefined {
    const r = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM shadow_runs WHERE version = ? ORDER BY run DESC LIMIT 1`).get(version) as RunRow | undefined;
    return r === undefined ? undefined : toRun(r);
  }

  decisions(run: number, page: ShadowPage): ShadowRecord[] {
    const limit = Math.min(page.limit ?? 100, SHADOW_MAX_PAGE);
    const before = page.before ?? Number.MAX_SAFE_INTEGER;
    const sql =
      `SELECT ${DECISION_COLUMNS} FROM shadow_decisions WHERE run = ? AND seq < ?` +
      (page.changed === true ? ' AND changed = 1' : page.changed === false ? ' AND changed = 0' : '') +
      ' ORDER BY seq DESC LIMIT ?';
    return (this.db.prepare(sql).raw(true).all(run, before, limit) as DecisionRow[]).map(toRecord);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
