/**
 * Account actions and appeals on a cluster's PostgreSQL schema, the twin of SQLite's
 * SqliteAccountStore (the payment index, derived data, is not part of it). Each action or appeal is
 * stored with its audit record in one transaction that the audit log of the same pool joins
 * (tx.ts, inScope), under the cluster's `accounts` advisory lock: all or nothing, and changes from
 * every node one after the other, so action ids are 1, 2, 3, … in the order they were stored and an
 * appeal id is taken once. Both tables are append-only, enforced by the database. Reasons and appeal
 * texts are sealed (PgCrypt). Payments are read from the cluster's journal projection
 * (docs/scale-out.md), whose events are sealed as in the SQLite journal.
 */
import type { AccountStore, JournalPayment } from '../../accounts/store.js';
import type { AccountActionKind, AccountActionRecord, AppealRecord } from '../../accounts/types.js';
import type { AuditRecord } from '../../audit/log.js';
import { FengkongError, StoreError } from '../../errors.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import type { PgCluster } from './pool.js';
import { notPlaced, placementOf, recordPlacement } from './placements.js';
import { inScope, scopedClient } from './tx.js';
import { partitionOf } from '../../engine/partition-of.js';

interface ActionRow {
  id: number;
  account_id: string;
  action: string;
  reason: string;
  author: string;
  /** bigint columns: the driver hands them over as text. */
  at: string;
  expires_at: string | null;
  limit_fen: string | null;
  journal_seq: string;
}

interface AppealRow {
  id: number;
  account_id: string;
  tx_id: string | null;
  text: string;
  author: string;
  at: string;
  case_id: string | null;
}

interface PaymentRow {
  seq: string;
  event: string;
  decision: string | null;
}

const ACTION_COLUMNS = 'id, account_id, action, reason, author, at, expires_at, limit_fen, journal_seq';
const APPEAL_COLUMNS = 'id, account_id, tx_id, text, author, at, case_id';

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

/** What a PgAccountStore reads payments from. */
export interface PgAccountOptions {
  /** The journal partition whose seqs `payments` names (default 0, the one partition of P = 1). */
  readonly partition?: number;
  /** The cluster's partition count (default 1): an action is recorded with its account's partition, whose owner places it. */
  readonly partitions?: number;
}

/** AccountStore<'async'> on a cluster's pool; see the module comment. */
export class PgAccountStore implements AccountStore<'async'> {
  private readonly partition: number;
  private readonly partitions: number;

  /** A store on a migrated cluster with its Crypt (see `open`). */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt, opts: PgAccountOptions = {}) {
    this.partition = opts.partition ?? 0;
    this.partitions = opts.partitions ?? 1;
  }

  /** The account store of cluster `pg`: schema migrated, data keys opened (or the Crypt given used). */
  static async open(pg: PgCluster, opts: PgAccountOptions & { masterKeyFile?: string; crypt?: PgCrypt } = {}): Promise<PgAccountStore> {
    await migrate(pg);
    return new PgAccountStore(pg, opts.crypt ?? (await PgCrypt.open(pg, { masterKeyFile: opts.masterKeyFile })), opts);
  }

  private storeError(what: string, e: unknown): unknown {
    if (e instanceof FengkongError || !(e instanceof Error) || !('severity' in e)) return e;
    return new StoreError(`${what} (schema ${this.pg.schema} on ${this.pg.where}): ${e.message}`, { cause: e });
  }

  private async rows<R extends object>(sql: string, args: unknown[]): Promise<R[]> {
    try {
      return (await (scopedClient(this.pg.pool) ?? this.pg.pool).query<R>(sql, args)).rows;
    } catch (e) {
      throw this.storeError('cannot read account data', e);
    }
  }

  /** `fn` in one transaction under the accounts lock (joined by the audit log); a driver failure is a StoreError. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    return inScope(this.pg.pool, this.pg.schema, 'accounts', fn).catch((e: unknown) => {
      throw this.storeError('account change failed', e);
    });
  }

  private async toAction(r: ActionRow): Promise<AccountActionRecord> {
    return {
      id: r.id,
      accountId: r.account_id,
      action: r.action as AccountActionKind,
      reason: await this.crypt.openText(r.reason),
      author: r.author,
      at: Number(r.at),
      expiresAt: num(r.expires_at),
      limit: num(r.limit_fen),
      journalSeq: Number(r.journal_seq),
    };
  }

  private async toAppeal(r: AppealRow): Promise<AppealRecord> {
    return { id: r.id, accountId: r.account_id, txId: r.tx_id, text: await this.crypt.openText(r.text), author: r.author, at: Number(r.at), caseId: r.case_id };
  }

  private async toPayment(r: PaymentRow): Promise<JournalPayment> {
    return { seq: Number(r.seq), event: await this.crypt.openText(r.event), decision: r.decision };
  }

  addAction(a: Omit<AccountActionRecord, 'id'>, audit: (stored: AccountActionRecord) => AuditRecord, append: (r: AuditRecord) => Promise<void>): Promise<AccountActionRecord> {
    return this.write(async () => {
      const [r] = await this.rows<ActionRow>(
        `INSERT INTO account_actions (id, account_id, action, reason, author, at, expires_at, limit_fen, journal_seq, partition)
         SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM account_actions RETURNING ${ACTION_COLUMNS}`,
        [a.accountId, a.action, this.crypt.sealText(a.reason), a.author, a.at, a.expiresAt, a.limit, a.journalSeq, partitionOf(a.accountId, this.partitions)],
      );
      const stored = await this.toAction(r);
      await append(audit(stored));
      return stored;
    });
  }

  async allActions(): Promise<AccountActionRecord[]> {
    const rows = await this.rows<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM account_actions ORDER BY journal_seq, id`, []);
    return Promise.all(rows.map((r) => this.toAction(r)));
  }

  async actionsOf(accountId: string, limit: number): Promise<AccountActionRecord[]> {
    const rows = await this.rows<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM account_actions WHERE account_id = $1 ORDER BY id DESC LIMIT $2`, [accountId, limit]);
    return Promise.all(rows.map((r) => this.toAction(r)));
  }

  /** Every action of an account up to id `throughId` (default: all), oldest first: what folds into its restrictions then. */
  async historyOf(accountId: string, throughId = 2_147_483_647): Promise<AccountActionRecord[]> {
    const rows = await this.rows<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM account_actions WHERE account_id = $1 AND id <= $2 ORDER BY id`, [accountId, throughId]);
    return Promise.all(rows.map((r) => this.toAction(r)));
  }

  /**
   * Actions not placed yet in `partition`'s journal (docs/scale-out.md, "Control entries"), oldest
   * first, at most `limit`: the actions of accounts in `partition`, whose owner alone places them.
   */
  async unplaced(partition: number, limit: number): Promise<AccountActionRecord[]> {
    const rows = await this.rows<ActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM account_actions a
        WHERE a.partition = $1 AND ${notPlaced('account_action')}
        ORDER BY id LIMIT $2`,
      [partition, limit],
    );
    return Promise.all(rows.map((r) => this.toAction(r)));
  }

  /** Records that action `id` took effect at entry `seq` of `partition`'s journal; the first placement stands. */
  async placed(id: number, partition: number, seq: number): Promise<void> {
    await this.guard('cannot record a placement', () => recordPlacement(this.pg.pool, 'account_action', id, partition, seq));
  }

  /** Where action `id` took effect in `partition`'s journal, or null while it is not placed. */
  placementOf(id: number, partition: number): Promise<number | null> {
    return this.guard('cannot read a placement', () => placementOf(this.pg.pool, 'account_action', id, partition));
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.storeError(what, e);
    }
  }

  async nextAppealId(): Promise<number> {
    return (await this.rows<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM account_appeals', []))[0]?.id ?? 1;
  }

  /** Stores an appeal with its audit record; an id stored already (by any node) is a StoreError, nothing written. */
  addAppeal(a: AppealRecord, audit: (stored: AppealRecord) => AuditRecord, append: (r: AuditRecord) => Promise<void>): Promise<AppealRecord> {
    return this.write(async () => {
      const [r] = await this.rows<AppealRow>(
        `INSERT INTO account_appeals (id, account_id, tx_id, text, author, at, case_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${APPEAL_COLUMNS}`,
        [a.id, a.accountId, a.txId, this.crypt.sealText(a.text), a.author, a.at, a.caseId],
      );
      const stored = await this.toAppeal(r);
      await append(audit(stored));
      return stored;
    });
  }

  async appealsOf(accountId: string, limit: number): Promise<AppealRecord[]> {
    const rows = await this.rows<AppealRow>(`SELECT ${APPEAL_COLUMNS} FROM account_appeals WHERE account_id = $1 ORDER BY id DESC LIMIT $2`, [accountId, limit]);
    return Promise.all(rows.map((r) => this.toAppeal(r)));
  }

  async payments(seqs: readonly number[]): Promise<JournalPayment[]> {
    if (seqs.length === 0) return [];
    const rows = await this.rows<PaymentRow>(
      "SELECT seq, event, decision FROM journal WHERE partition = $1 AND seq = ANY($2::bigint[]) AND type = 'transaction'",
      [this.partition, seqs],
    );
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    const out: JournalPayment[] = [];
    for (const s of seqs) {
      const r = bySeq.get(s);
      if (r !== undefined) out.push(await this.toPayment(r));
    }
    return out;
  }

  async paymentByTxId(txId: string): Promise<JournalPayment | undefined> {
    const [r] = await this.rows<PaymentRow>('SELECT seq, event, decision FROM journal WHERE tx_id = $1', [txId]);
    return r === undefined ? undefined : this.toPayment(r);
  }
}
