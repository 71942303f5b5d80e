/**
 * Merchant actions (settlement holds, terminal suspensions) on a cluster's PostgreSQL schema, the
 * twin of SQLite's merchants.ts: every node sees the same holds. `transaction` opens one transaction
 * that every adapter of the pool joins (tx.ts, inScope) — the audit log's appends included — under
 * the cluster's `merchants` advisory lock, so changes from any node run one after the other. Rows are
 * never deleted: a release or an expiry closes one. At most one open hold per merchant and one open
 * suspension per terminal, enforced by the database (partial unique indexes); a second is a
 * ConflictError, also when two nodes take it at the same moment. Reasons are sealed (PgCrypt).
 */
import type { Pool, PoolClient } from 'pg';
import { ConflictError, FengkongError, NotFoundError, StoreError } from '../../errors.js';
import type { MerchantAction, MerchantActionStore, NewMerchantAction } from '../../merchants/store.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import type { PgCluster } from './pool.js';
import { notPlaced, placementOf, recordPlacement } from './placements.js';
import { inScope, scopedClient } from './tx.js';

interface Row {
  id: number;
  merchant_id: string;
  action: string;
  terminal_id: string | null;
  reason: string;
  actor: string;
  /** bigint columns: the driver hands them over as text. */
  created_at: string;
  from_seq: string;
  expires_at: string | null;
  released_at: string | null;
  released_by: string | null;
  release_reason: string | null;
  to_seq: string | null;
}

const COLUMNS = 'id, merchant_id, action, terminal_id, reason, actor, created_at, from_seq, expires_at, released_at, released_by, release_reason, to_seq';

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

/** MerchantActionStore<'async'> on a cluster's pool; see the module comment. */
export class PgMerchantStore implements MerchantActionStore<'async'> {
  /** A store on a migrated cluster with its Crypt (see `open`). */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt) {}

  /** The merchant action store of cluster `pg`: schema migrated, data keys opened (or the Crypt given used). */
  static async open(pg: PgCluster, opts: { masterKeyFile?: string; crypt?: PgCrypt } = {}): Promise<PgMerchantStore> {
    await migrate(pg);
    return new PgMerchantStore(pg, opts.crypt ?? (await PgCrypt.open(pg, { masterKeyFile: opts.masterKeyFile })));
  }

  /** The transaction's connection inside `transaction`, the pool outside. */
  private get q(): Pool | PoolClient {
    return scopedClient(this.pg.pool) ?? this.pg.pool;
  }

  private storeError(e: unknown): unknown {
    if (e instanceof FengkongError || !(e instanceof Error) || !('severity' in e)) return e;
    return new StoreError(`merchant action store (schema ${this.pg.schema} on ${this.pg.where}): ${e.message}`, { cause: e });
  }

  private async rows(sql: string, args: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.q.query<Row>(sql, args)).rows;
    } catch (e) {
      throw this.storeError(e);
    }
  }

  private async toAction(r: Row): Promise<MerchantAction> {
    return {
      id: r.id,
      merchantId: r.merchant_id,
      action: r.action as MerchantAction['action'],
      terminalId: r.terminal_id,
      reason: await this.crypt.openText(r.reason),
      actor: r.actor,
      createdAt: Number(r.created_at),
      fromSeq: Number(r.from_seq),
      expiresAt: num(r.expires_at),
      releasedAt: num(r.released_at),
      releasedBy: r.released_by,
      releaseReason: await this.crypt.openOpt(r.release_reason),
      toSeq: num(r.to_seq),
    };
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inScope(this.pg.pool, this.pg.schema, 'merchants', fn).catch((e: unknown) => {
      throw this.storeError(e);
    });
  }

  /**
   * Stores a new action; a second open hold (suspension) of the same merchant (terminal) is a
   * ConflictError. ON CONFLICT DO NOTHING rather than a caught violation: the caller's transaction
   * stays usable, and of two nodes inserting at once the second waits for the first and is refused.
   * Numbered one above the highest under the `merchants` lock (joining the caller's transaction, or
   * in one of its own), so ids are 1, 2, 3, … in the order actions were taken, whichever node.
   */
  async insert(a: NewMerchantAction): Promise<MerchantAction> {
    const [r] = await this.transaction(() => this.rows(
      `INSERT INTO merchant_actions (id, merchant_id, action, terminal_id, reason, actor, created_at, from_seq, expires_at)
       SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM merchant_actions ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [a.merchantId, a.action, a.terminalId, this.crypt.sealText(a.reason), a.actor, a.createdAt, a.fromSeq, a.expiresAt],
    ));
    if (r === undefined) {
      const what = a.action === 'hold_settlement' ? `merchant ${a.merchantId} has a settlement hold` : `terminal ${a.terminalId} has a suspension`;
      throw new ConflictError(`${what} open already`);
    }
    return this.toAction(r);
  }

  /** Closes an open action; one closed already stays as it was. NotFoundError for an unknown id. */
  async closeAction(id: number, at: number, by: string, reason: string, toSeq: number): Promise<MerchantAction> {
    await this.rows('UPDATE merchant_actions SET released_at = $1, released_by = $2, release_reason = $3, to_seq = $4 WHERE id = $5 AND released_at IS NULL', [
      at, by, this.crypt.sealText(reason), toSeq, id,
    ]);
    const a = await this.get(id);
    if (a === undefined) throw new NotFoundError(`no merchant action ${id}`);
    return a;
  }

  async get(id: number): Promise<MerchantAction | undefined> {
    const [r] = await this.rows(`SELECT ${COLUMNS} FROM merchant_actions WHERE id = $1`, [id]);
    return r === undefined ? undefined : this.toAction(r);
  }

  async openHoldOf(merchantId: string): Promise<MerchantAction | undefined> {
    const [r] = await this.rows(`SELECT ${COLUMNS} FROM merchant_actions WHERE merchant_id = $1 AND action = 'hold_settlement' AND released_at IS NULL`, [merchantId]);
    return r === undefined ? undefined : this.toAction(r);
  }

  async openSuspensionOf(terminalId: string): Promise<MerchantAction | undefined> {
    const [r] = await this.rows(`SELECT ${COLUMNS} FROM merchant_actions WHERE terminal_id = $1 AND action = 'suspend_terminal' AND released_at IS NULL`, [terminalId]);
    return r === undefined ? undefined : this.toAction(r);
  }

  async history(merchantId: string, limit = 100): Promise<MerchantAction[]> {
    const rows = await this.rows(`SELECT ${COLUMNS} FROM merchant_actions WHERE merchant_id = $1 ORDER BY id DESC LIMIT $2`, [merchantId, limit]);
    return Promise.all(rows.map((r) => this.toAction(r)));
  }

  async everything(): Promise<MerchantAction[]> {
    return Promise.all((await this.rows(`SELECT ${COLUMNS} FROM merchant_actions ORDER BY id`)).map((r) => this.toAction(r)));
  }

  /**
   * Actions not placed yet in `partition`'s journal (docs/scale-out.md, "Control entries"), oldest
   * first: those opened (`merchant_action`) and those released (`merchant_release`, a release placed
   * only after its opening), at most `limit` of each.
   */
  async unplaced(partition: number, limit: number): Promise<{ opened: MerchantAction[]; released: MerchantAction[] }> {
    const opened = await this.rows(`SELECT ${COLUMNS} FROM merchant_actions a WHERE ${notPlaced('merchant_action')} ORDER BY id LIMIT $2`, [partition, limit]);
    const released = await this.rows(
      `SELECT ${COLUMNS} FROM merchant_actions a WHERE released_at IS NOT NULL AND ${notPlaced('merchant_release')} ORDER BY released_at, id LIMIT $2`,
      [partition, limit],
    );
    return { opened: await Promise.all(opened.map((r) => this.toAction(r))), released: await Promise.all(released.map((r) => this.toAction(r))) };
  }

  /** Records where action `id` was placed opened or released; the first placement stands. */
  async placed(kind: 'merchant_action' | 'merchant_release', id: number, partition: number, seq: number): Promise<void> {
    try {
      await recordPlacement(this.pg.pool, kind, id, partition, seq);
    } catch (e) {
      throw this.storeError(e);
    }
  }

  /** Where action `id` was placed opened or released in `partition`'s journal, or null while it is not. */
  async placementOf(kind: 'merchant_action' | 'merchant_release', id: number, partition: number): Promise<number | null> {
    try {
      return await placementOf(this.pg.pool, kind, id, partition);
    } catch (e) {
      throw this.storeError(e);
    }
  }
}
