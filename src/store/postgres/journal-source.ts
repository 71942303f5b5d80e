/**
 * A cluster's history read back from its PostgreSQL projection (`journal`, journal-projection.ts)
 * as the reports and the backtest read a data folder's journal: the JournalSource port of
 * log/journal-reads.ts, a page at a time by keyset on the primary key (partition, seq), so a
 * report over a year of payments holds one page in memory, never the history.
 *
 * What it promises beyond the rows:
 * - **Only contract events.** An entry whose type is not one of EVENT_TYPES (a cluster's internal
 *   control entries, e.g. policy publications) is passed over without its event being fetched or
 *   opened — but it still occupies its seq, so the seq check below counts it.
 * - **No silent hole.** Every seq of a range read is checked, control entries included: a seq
 *   missing below one that is there (the projector is still catching up, or rows were lost) is a
 *   StoreError naming it, never a report over part of the history.
 * - **One partition.** Seqs are per partition, and the readers above order history by seq. A
 *   cluster has one partition today (docs/scale-out.md, step 4); a projection holding any other
 *   partition is refused when opened rather than read in a wrong order (a partitioned cluster's
 *   history must be merged by event time with the control entries at their stamps).
 */
import { EVENT_TYPES, type EventType } from '../../contract/events.js';
import { isSealedText, sealedTextBytes } from '../../crypto/sealed-text.js';
import { ConfigError, StoreError } from '../../errors.js';
import type { JournalEntry, JournalRange } from '../../log/journal.js';
import type { JournalSource } from '../../log/journal-reads.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';
import type { PgCrypt } from './crypt.js';
import { asStoreError, type PgCluster } from './pool.js';

/** Rows of the first page of a read that may stop early (a bisection probe reads one entry). */
const FIRST_PAGE = 16;
/**
 * The largest page: about 1 MB of sealed events, the round trip well amortised. Measured against
 * 4,096 and 2,048 on a backtest of 66,578 entries: ~10 % less CPU (less garbage outliving a page).
 */
const MAX_PAGE = 1024;

interface Row {
  seq: string;
  type: string;
  tx_id: string | null;
  event: string | null;
  decision: string | null;
  received_at: string;
}

const SELECT = `
SELECT seq, type, tx_id,
       CASE WHEN type = ANY($4::text[]) THEN event END AS event,
       CASE WHEN type = ANY($4::text[]) THEN decision END AS decision,
       received_at
  FROM journal
 WHERE partition = $1 AND seq > $2 AND seq <= $3
 ORDER BY seq
 LIMIT $5`;

/** The event types a range read hands over: contract events, narrowed by the range's filters. */
function wantedTypes(range: JournalRange): EventType[] {
  return EVENT_TYPES.filter((t) => (range.type === undefined || t === range.type) && t !== range.exceptType);
}

/** JournalSource over one partition of a cluster's projection (see the module comment). */
export class PgJournalSource implements JournalSource {
  /** Opens with the keys held, synchronously: a promise per event would cost more than the AES. */
  private readonly sealer: PayloadSealer;

  private constructor(
    private readonly pg: PgCluster,
    private readonly crypt: PgCrypt,
    readonly partition: number,
    private readonly maxPage: number,
  ) {
    this.sealer = crypt.payloadSealer();
  }

  /**
   * The history of partition 0 of cluster `pg`; a ConfigError when the projection holds another
   * partition (see the module comment). `maxPage` bounds the rows of one query (tests make it small).
   */
  static async open(pg: PgCluster, crypt: PgCrypt, opts: { maxPage?: number } = {}): Promise<PgJournalSource> {
    const source = new PgJournalSource(pg, crypt, 0, Math.max(1, opts.maxPage ?? MAX_PAGE));
    const other = await source.run('look for other partitions', () =>
      pg.pool.query<{ partition: number }>('SELECT partition FROM journal WHERE partition > 0 ORDER BY partition LIMIT 1'),
    );
    const p = other.rows[0]?.partition;
    if (p !== undefined) {
      throw new ConfigError(
        `cluster ${pg.cluster} on ${pg.where} has journal entries of partition ${p}: reports and backtests read one partition's history in seq order; a partitioned cluster's history must be merged by event time (docs/scale-out.md, step 4), which is not built yet`,
      );
    }
    return source;
  }

  /** Runs `fn`, a driver failure becoming a StoreError naming what was read and where (asStoreError). */
  private run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return asStoreError(this.pg, what, fn);
  }

  /** The highest seq projected for the partition (control entries included: they hold seqs too). */
  lastSeq(): Promise<number> {
    return this.run('read the projected journal end', async () => {
      const r = await this.pg.pool.query<{ m: string | null }>('SELECT max(seq) AS m FROM journal WHERE partition = $1', [this.partition]);
      return Number(r.rows[0]?.m ?? 0);
    });
  }

  /**
   * The entries of `range`, a page at a time (small first pages unless `range.whole`, growing to
   * maxPage). The next page is asked for while the consumer works on this one, so PostgreSQL and
   * the replay overlap; a consumer that stops early waits for that query and drops it.
   */
  async *pages(range: JournalRange): AsyncGenerator<readonly JournalEntry[]> {
    const from = Math.max(1, range.fromSeq ?? 1);
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER;
    if (to < from) return;
    const types = wantedTypes(range);
    let size = range.whole === true ? this.maxPage : Math.min(FIRST_PAGE, this.maxPage);
    let expected = from;
    let pending: Promise<Row[]> | null = this.fetch(from - 1, to, types, size);
    try {
      while (pending !== null) {
        const rows = await pending;
        pending = null;
        const full = rows.length === size;
        if (full) {
          size = Math.min(size * 4, this.maxPage);
          pending = this.fetch(Number(rows[rows.length - 1].seq), to, types, size);
        }
        const page: JournalEntry[] = [];
        for (const r of rows) {
          const seq = Number(r.seq);
          if (seq !== expected) throw this.hole(expected, seq);
          expected++;
          if (r.event === null) continue; // not wanted here, or not a contract event: its seq is counted all the same
          const event = this.openNow(r.event) ?? (await this.openLater(r.event));
          page.push({ seq, type: r.type as EventType, txId: r.tx_id, event, decision: r.decision, receivedAt: Number(r.received_at) });
        }
        if (page.length > 0) yield page;
        if (!full && to !== Number.MAX_SAFE_INTEGER && expected <= to) await this.checkTail(expected, to);
      }
    } finally {
      if (pending !== null) await pending.catch(() => undefined);
    }
  }

  /** The clear event, or null when it needs the slow path (a key not held yet, or it does not open). */
  private openNow(stored: string): string | null {
    if (!isSealedText(stored)) return stored;
    try {
      return this.sealer.open(sealedTextBytes(stored)).toString('utf8');
    } catch {
      return null;
    }
  }

  /** PgCrypt's opening: it looks for data keys rotated in since, and names what does not open. */
  private openLater(stored: string): Promise<string> {
    return this.run('open projected events', () => this.crypt.openText(stored));
  }

  /**
   * One page's rows. The promise is marked handled at once: a prefetch that fails while the
   * consumer is still busy with the page before must not be an unhandled rejection (it is thrown
   * where it is awaited).
   */
  private fetch(after: number, to: number, types: readonly string[], limit: number): Promise<Row[]> {
    const p = this.run('read the projected journal', async () => {
      const r = await this.pg.pool.query<Row>(SELECT, [this.partition, after, to, types, limit]);
      return r.rows;
    });
    p.catch(() => undefined);
    return p;
  }

  /** A read that ended before `to`: fine when nothing is stored after it, a hole when something is. */
  private async checkTail(expected: number, to: number): Promise<void> {
    const r = await this.run('read the projected journal', () =>
      this.pg.pool.query<{ seq: string }>('SELECT seq FROM journal WHERE partition = $1 AND seq > $2 ORDER BY seq LIMIT 1', [this.partition, to]),
    );
    const next = r.rows[0];
    if (next !== undefined) throw this.hole(expected, Number(next.seq));
  }

  private hole(expected: number, found: number): StoreError {
    return new StoreError(
      `the projection of cluster ${this.pg.cluster} (partition ${this.partition}, on ${this.pg.where}) has no entry at seq ${expected} but has seq ${found}: the projector has not caught up (retry shortly) or rows are missing`,
    );
  }
}
