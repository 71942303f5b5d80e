/**
 * The PostgreSQL projection of a cluster's journal (docs/scale-out.md, build plan step 3): every
 * partition's entries, copied from JetStream by the projector, so any node reads a decision or the
 * history without asking the partition's owner. Inserting is idempotent — a JetStream message
 * delivered twice (redelivery after a crash, two projectors at once) adds nothing the second time —
 * but never silent about a contradiction: a position or a transaction id already holding *another*
 * entry is a StoreError, because it means two journals were mixed under one cluster name.
 */
import type { PoolClient } from 'pg';
import { StoreError } from '../../errors.js';
import type { JournalEntry, StoredDecision } from '../../log/journal.js';
import type { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { inTransaction } from './tx.js';

/** The entries of one partition to project: consecutive or not, in any order. */
export interface PartitionEntries {
  readonly partition: number;
  readonly entries: readonly JournalEntry[];
}

/** What one projection did: rows added, and entries that were already there (identical). */
export interface ProjectResult {
  readonly inserted: number;
  readonly duplicates: number;
}

interface Row {
  readonly partition: number;
  readonly e: JournalEntry;
}

/** The columns compared when an entry was already projected (the event is sealed with a fresh nonce, so not compared). */
interface StoredRow {
  partition: number;
  seq: string;
  tx_id: string | null;
  type: string;
  decision: string | null;
  received_at: string;
}

const INSERT = `
INSERT INTO journal (partition, seq, tx_id, type, event, decision, received_at, account_token, merchant_token)
SELECT * FROM unnest($1::integer[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bytea[], $9::bytea[])
ON CONFLICT DO NOTHING
RETURNING partition, seq`;

/** Token kinds of the payment index columns (PgCrypt.token). */
const ACCOUNT_TOKEN = 'journal.account';
const MERCHANT_TOKEN = 'journal.merchant';

/**
 * The account and merchant code of a transaction's event text, or null when it has none: the row is
 * projected all the same (only not listed by account or merchant), never holding the projection back.
 */
function payer(event: string): { accountId: string; merchantId: string } | null {
  let o: { accountId?: unknown; merchantId?: unknown } | null;
  try {
    o = JSON.parse(event) as { accountId?: unknown; merchantId?: unknown } | null;
  } catch {
    return null;
  }
  return typeof o?.accountId === 'string' && typeof o.merchantId === 'string' ? { accountId: o.accountId, merchantId: o.merchantId } : null;
}

/**
 * The `journal` table of one cluster's schema. Events are sealed with the cluster's data key as the
 * SQLite journal seals them; tx_id, type, decision and received_at stay clear (the decision is what
 * a client was answered, looked up by id; tx_id is the lookup key).
 */
export class PgJournalProjection {
  /** A projection on a migrated schema (see `open`). */
  constructor(
    private readonly pg: PgCluster,
    private readonly crypt: PgCrypt,
  ) {}

  /** The projection of cluster `pg`, its schema migrated first (the projector may be the first to start). */
  static async open(pg: PgCluster, crypt: PgCrypt): Promise<PgJournalProjection> {
    await migrate(pg);
    return new PgJournalProjection(pg, crypt);
  }

  /** Runs `fn`, a driver failure becoming a StoreError naming what was read and where (asStoreError). */
  private run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return asStoreError(this.pg, what, fn);
  }

  /** Projects the entries of one partition in one transaction (see projectMany). */
  project(partition: number, entries: readonly JournalEntry[]): Promise<ProjectResult> {
    return this.projectMany([{ partition, entries }]);
  }

  /**
   * Projects entries of several partitions in ONE transaction: all of it is committed when this
   * resolves, or none. Rows go in in (partition, seq) order, so two projectors inserting
   * overlapping batches lock rows in one order and cannot deadlock; a row another transaction is
   * inserting makes this one wait for its commit, then count it as a duplicate.
   */
  projectMany(groups: readonly PartitionEntries[]): Promise<ProjectResult> {
    const rows: Row[] = [];
    for (const g of groups) for (const e of g.entries) rows.push({ partition: g.partition, e });
    if (rows.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
    rows.sort((a, b) => a.partition - b.partition || a.e.seq - b.e.seq);
    const cols = {
      partition: rows.map((r) => r.partition),
      seq: rows.map((r) => r.e.seq),
      txId: rows.map((r) => r.e.txId),
      type: rows.map((r) => r.e.type),
      event: rows.map((r) => this.crypt.sealText(r.e.event)),
      decision: rows.map((r) => r.e.decision),
      receivedAt: rows.map((r) => r.e.receivedAt),
      account: [] as (Buffer | null)[],
      merchant: [] as (Buffer | null)[],
    };
    for (const r of rows) {
      const ids = r.e.type === 'transaction' ? payer(r.e.event) : null;
      cols.account.push(ids === null ? null : this.crypt.tokenBytes(ACCOUNT_TOKEN, ids.accountId));
      cols.merchant.push(ids === null ? null : this.crypt.tokenBytes(MERCHANT_TOKEN, ids.merchantId));
    }
    return this.run('project journal entries', () =>
      inTransaction(this.pg.pool, async (c) => {
        const r = await c.query<{ partition: number; seq: string }>(INSERT, [cols.partition, cols.seq, cols.txId, cols.type, cols.event, cols.decision, cols.receivedAt, cols.account, cols.merchant]);
        const inserted = r.rowCount ?? 0;
        if (inserted < rows.length) {
          const added = new Set(r.rows.map((x) => `${x.partition}:${x.seq}`));
          await this.checkDuplicates(c, rows.filter((x) => !added.has(`${x.partition}:${x.e.seq}`)));
        }
        return { inserted, duplicates: rows.length - inserted };
      }),
    );
  }

  /**
   * Entries not inserted must be the very entries already stored at their position; anything else
   * (another entry there, or their tx_id stored at another position) throws and rolls back.
   */
  private async checkDuplicates(c: PoolClient, skipped: readonly Row[]): Promise<void> {
    const r = await c.query<StoredRow>(
      `SELECT j.partition, j.seq, j.tx_id, j.type, j.decision, j.received_at
         FROM journal j JOIN unnest($1::integer[], $2::bigint[]) AS k(partition, seq) ON j.partition = k.partition AND j.seq = k.seq`,
      [skipped.map((x) => x.partition), skipped.map((x) => x.e.seq)],
    );
    const stored = new Map(r.rows.map((x) => [`${x.partition}:${x.seq}`, x]));
    for (const { partition, e } of skipped) {
      const s = stored.get(`${partition}:${e.seq}`);
      if (s === undefined) {
        const other = await c.query<{ partition: number; seq: string }>('SELECT partition, seq FROM journal WHERE tx_id = $1', [e.txId]);
        const at = other.rows[0];
        throw new StoreError(
          `transaction ${JSON.stringify(e.txId)} at partition ${partition} seq ${e.seq} is already projected at partition ${at?.partition ?? '?'} seq ${at?.seq ?? '?'}: one id decided twice — the journals of two clusters (or of a stream recreated under the same --cluster) are mixed`,
        );
      }
      if (s.tx_id !== e.txId || s.type !== e.type || s.decision !== e.decision || Number(s.received_at) !== e.receivedAt) {
        throw new StoreError(
          `partition ${partition} seq ${e.seq} is already projected with another entry (tx ${JSON.stringify(s.tx_id)}, not ${JSON.stringify(e.txId)}): the journal stream was recreated under the same --cluster; project it into a fresh schema`,
        );
      }
    }
  }

  /** The decision answered for `txId`, with its event opened, if it was projected (as Journal.decision). */
  decision(txId: string): Promise<StoredDecision | undefined> {
    return this.run('read decision', async () => {
      const r = await this.pg.pool.query<{ seq: string; event: string; decision: string | null }>('SELECT seq, event, decision FROM journal WHERE tx_id = $1', [txId]);
      const row = r.rows[0];
      if (row === undefined || row.decision === null) return undefined;
      return { seq: Number(row.seq), txId, event: await this.crypt.openText(row.event), decision: row.decision };
    });
  }

  /**
   * The last control entry projected for `partition` (a policy publication or mode change placed in
   * its journal: docs/scale-out.md), its event opened; undefined when none is projected. A node
   * starting builds its replica with that policy, so it need not rebuild when it meets the entry.
   */
  lastControl(partition: number): Promise<{ seq: number; event: string } | undefined> {
    return this.run('read the last control entry', async () => {
      const r = await this.pg.pool.query<{ seq: string; event: string }>(
        `SELECT seq, event FROM journal WHERE partition = $1 AND type = 'control' ORDER BY seq DESC LIMIT 1`,
        [partition],
      );
      const row = r.rows[0];
      return row === undefined ? undefined : { seq: Number(row.seq), event: await this.crypt.openText(row.event) };
    });
  }

  /**
   * An account's payments below `beforeSeq` of `partition`, newest first, at most `limit`, events
   * opened: a cluster node's account pages read them here (no payment index beside an owner).
   */
  paymentsOf(accountId: string, partition: number, beforeSeq: number, limit: number): Promise<Array<{ seq: number; event: string; decision: string | null }>> {
    return this.paymentsBy('account_token', this.crypt.tokenBytes(ACCOUNT_TOKEN, accountId), partition, beforeSeq, limit);
  }

  /**
   * A merchant code's latest payments of `partition`, newest first, at most `limit`, events opened;
   * `null`: of every partition, newest received first (a merchant's payments come from all of them).
   */
  merchantPayments(merchantId: string, partition: number | null, limit: number): Promise<Array<{ seq: number; event: string; decision: string | null }>> {
    return this.paymentsBy('merchant_token', this.crypt.tokenBytes(MERCHANT_TOKEN, merchantId), partition, Number.MAX_SAFE_INTEGER, limit);
  }

  /** Payments by a token column, newest first: of one partition by seq, or (`null`) of all by the time received. */
  private paymentsBy(column: 'account_token' | 'merchant_token', token: Buffer, partition: number | null, beforeSeq: number, limit: number): Promise<Array<{ seq: number; event: string; decision: string | null }>> {
    return this.run('read payments', async () => {
      const r =
        partition === null
          ? await this.pg.pool.query<{ seq: string; event: string; decision: string | null }>(
              `SELECT seq, event, decision FROM journal WHERE ${column} = $1 ORDER BY received_at DESC, partition, seq DESC LIMIT $2`,
              [token, limit],
            )
          : await this.pg.pool.query<{ seq: string; event: string; decision: string | null }>(
              `SELECT seq, event, decision FROM journal WHERE ${column} = $1 AND partition = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`,
              [token, partition, beforeSeq, limit],
            );
      return Promise.all(r.rows.map(async (x) => ({ seq: Number(x.seq), event: await this.crypt.openText(x.event), decision: x.decision })));
    });
  }

  /**
   * Every `input` entry projected for `partition` (account and merchant actions placed by the owner:
   * docs/scale-out.md), in seq order, events opened: what a backtest applies at their positions.
   */
  inputs(partition: number): Promise<Array<{ seq: number; event: string }>> {
    return this.run('read the input entries', async () => {
      const r = await this.pg.pool.query<{ seq: string; event: string }>(`SELECT seq, event FROM journal WHERE partition = $1 AND type = 'input' ORDER BY seq`, [partition]);
      return Promise.all(r.rows.map(async (row) => ({ seq: Number(row.seq), event: await this.crypt.openText(row.event) })));
    });
  }

  /**
   * The highest seq projected for `partition` (0: none). With redelivery or several projectors,
   * entries below it may still be on their way; `count` tells a complete prefix from a gap.
   */
  lastSeq(partition: number): Promise<number> {
    return this.run('read projected seq', async () => {
      const r = await this.pg.pool.query<{ m: string | null }>('SELECT max(seq) AS m FROM journal WHERE partition = $1', [partition]);
      return Number(r.rows[0]?.m ?? 0);
    });
  }

  /**
   * How many entries of `partition` with `after` < seq ≤ `upTo` are projected: `upTo - after` when none
   * of them is missing. Reads the primary key's range only, so checking a window as it grows costs
   * what the window grew by.
   */
  countBetween(partition: number, after: number, upTo: number): Promise<number> {
    return this.run('count projected entries', async () => {
      const r = await this.pg.pool.query<{ n: string }>('SELECT count(*) AS n FROM journal WHERE partition = $1 AND seq > $2 AND seq <= $3', [partition, after, upTo]);
      return Number(r.rows[0]?.n ?? 0);
    });
  }

  /**
   * Calls `cb` with the transaction id of every entry of `partition` up to `upToSeq`, in seq order,
   * `page` rows per query (keyset on the primary key), and resolves with how many entries (payments or
   * not) it saw: `upToSeq` when the projection holds all of them. A node starting from a snapshot
   * fills its set of decided ids with them, as the embedded server reads its journal's ids.
   */
  txIdsUpTo(partition: number, upToSeq: number, cb: (txId: string) => void, page = 50_000): Promise<number> {
    return this.run('read transaction ids', async () => {
      let after = 0;
      let seen = 0;
      for (;;) {
        const r = await this.pg.pool.query<{ seq: string; tx_id: string | null }>(
          'SELECT seq, tx_id FROM journal WHERE partition = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4',
          [partition, after, upToSeq, page],
        );
        for (const row of r.rows) if (row.tx_id !== null) cb(row.tx_id);
        seen += r.rows.length;
        if (r.rows.length < page) return seen;
        after = Number(r.rows[r.rows.length - 1].seq);
      }
    });
  }

  /** How many entries of `partition` are projected: equal to lastSeq when nothing below it is missing. */
  count(partition: number): Promise<number> {
    return this.run('count projected entries', async () => {
      const r = await this.pg.pool.query<{ n: string }>('SELECT count(*) AS n FROM journal WHERE partition = $1', [partition]);
      return Number(r.rows[0]?.n ?? 0);
    });
  }
}
