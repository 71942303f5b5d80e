/**
 * The audit log on a cluster's PostgreSQL schema, the twin of SQLite's audit.ts + sealed-audit.ts:
 * the same hash chain (src/audit/chain.ts, over the same canonical JSON of the entry as stored), so
 * `fengkong audit verify` checks either; personal snapshots sealed with the cluster's PgCrypt; and
 * append-only enforced by the database (a trigger refuses UPDATE, DELETE and TRUNCATE). Every node
 * appends to the one chain: the head read and the insert run in one transaction holding the
 * cluster's `audit` advisory lock, so two nodes appending at once are put one after the other.
 */
import type { PoolClient } from 'pg';
import { entryHash, GENESIS_HASH } from '../../audit/chain.js';
import { AUDIT_MAX_PAGE, type AuditEntry, type AuditHead, type AuditLog, type AuditQuery, type AuditRecord, storedSnapshot } from '../../audit/log.js';
import { isSealedSnapshot, sealsSnapshots } from '../../audit/sealed-snapshots.js';
import { PgCrypt } from './crypt.js';
import { migrate } from './migrate.js';
import { asStoreError, type PgCluster } from './pool.js';
import { advisoryKey, inTransaction, scopedClient } from './tx.js';

interface Row {
  /** bigint columns: the driver hands them over as text. */
  seq: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'seq, at, actor, action, target, before, after, prev_hash, hash';
/** Rows read per query by forEachEntry: the walk never holds the whole log. */
const WALK_BATCH = 1000;


/** A row as stored (sealed snapshots left sealed). */
function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: storedSnapshot(r.seq, 'before', r.before),
    after: storedSnapshot(r.seq, 'after', r.after),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** Escapes LIKE wildcards so a prefix filter matches literally. */
function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/** The WHERE clause and parameters of a query (parameters only: nothing given is ever spliced into SQL). */
function whereOf(q: AuditQuery): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (clause: (n: string) => string, v: string | number): void => {
    args.push(v);
    where.push(clause(`$${args.length}`));
  };
  if (q.actor !== undefined) add((n) => `actor = ${n}`, q.actor);
  if (q.action !== undefined) {
    if (q.action.endsWith('.')) add((n) => `action LIKE ${n} ESCAPE '\\'`, likePrefix(q.action));
    else add((n) => `action = ${n}`, q.action);
  }
  if (q.target !== undefined) {
    if (q.target.endsWith('/')) add((n) => `target LIKE ${n} ESCAPE '\\'`, likePrefix(q.target));
    else add((n) => `target = ${n}`, q.target);
  }
  if (q.from !== undefined) add((n) => `at >= ${n}`, q.from);
  if (q.to !== undefined) add((n) => `at < ${n}`, q.to);
  if (q.before !== undefined) add((n) => `seq < ${n}`, q.before);
  if (q.after !== undefined) add((n) => `seq > ${n}`, q.after);
  return { sql: where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '', args };
}

/** AuditLog<'async'> on a cluster's pool; see the module comment. */
export class PgAuditLog implements AuditLog<'async'> {
  /** A log on a migrated cluster with its Crypt (see `open`). */
  constructor(private readonly pg: PgCluster, private readonly crypt: PgCrypt) {}

  /** The audit log of cluster `pg`: the schema migrated, the cluster's data keys opened with the master key file given. */
  static async open(pg: PgCluster, opts: { masterKeyFile?: string } = {}): Promise<PgAuditLog> {
    await migrate(pg);
    return new PgAuditLog(pg, await PgCrypt.open(pg, opts));
  }


  /**
   * Records `record` and returns it as recorded: inside a transaction another adapter of this pool
   * opened (a policy store's `atomically`) it joins that one, so both commit together; otherwise in
   * a transaction of its own (see appendIn).
   */
  append(record: AuditRecord): Promise<AuditEntry> {
    return asStoreError(this.pg, 'append to the audit log', () => {
      const joined = scopedClient(this.pg.pool);
      return joined !== null ? this.appendIn(joined, record) : inTransaction(this.pg.pool, (c) => this.appendIn(c, record));
    });
  }

  /**
   * Records `record` inside the caller's open transaction on `c` (so a change on another table and
   * its record commit together), holding the cluster's audit lock until that transaction ends.
   * Personal snapshots are stored sealed; the entry returned carries them clear, as a read does.
   */
  async appendIn(c: PoolClient, record: AuditRecord): Promise<AuditEntry> {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(this.pg.schema, 'audit')]);
    const head = await this.headOn(c);
    const sealing = sealsSnapshots(record.action);
    const store = (v: unknown): string | null => {
      const text = json(v);
      return text === null || !sealing ? text : JSON.stringify({ sealed: this.crypt.sealText(text) });
    };
    const before = store(record.before);
    const after = store(record.after);
    const stored = {
      seq: head.seq + 1,
      at: Date.now(),
      actor: record.actor,
      action: record.action,
      target: record.target,
      // the chain is over the entry as a read gives it back from the table: what JSON keeps, sealed parts sealed
      before: before === null ? null : (JSON.parse(before) as unknown),
      after: after === null ? null : (JSON.parse(after) as unknown),
      prevHash: head.hash,
    };
    const hash = entryHash(stored);
    await c.query(`INSERT INTO audit_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      stored.seq, stored.at, stored.actor, stored.action, stored.target, before, after, stored.prevHash, hash,
    ]);
    if (!sealing) return { ...stored, hash };
    const clear = (v: unknown): unknown => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown));
    return { ...stored, before: clear(record.before), after: clear(record.after), hash };
  }

  /** The newest entry's seq and hash (the hash over the entry as stored, sealed parts sealed). */
  head(): Promise<AuditHead> {
    return asStoreError(this.pg, 'read the audit head', async () => {
      const joined = scopedClient(this.pg.pool);
      if (joined !== null) return this.headOn(joined); // inside a transaction: its own appends count
      const c = await this.pg.pool.connect();
      try {
        return await this.headOn(c);
      } finally {
        c.release();
      }
    });
  }

  private async headOn(c: PoolClient): Promise<AuditHead> {
    const r = await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const row = r.rows[0];
    return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(row.seq), hash: row.hash };
  }

  /**
   * Every entry as stored, oldest first, sealed parts left sealed (the chain is over what is stored,
   * so verifying needs no data key), read a batch at a time.
   */
  forEachEntry(cb: (entry: AuditEntry) => boolean | void): Promise<void> {
    return asStoreError(this.pg, 'read the audit log', async () => {
      let after = 0;
      for (;;) {
        const r = await this.pg.pool.query<Row>(`SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, WALK_BATCH]);
        for (const row of r.rows) {
          if (cb(toEntry(row)) === false) return;
        }
        if (r.rows.length < WALK_BATCH) return;
        after = Number(r.rows[r.rows.length - 1].seq);
      }
    });
  }

  /** Entries matching `q`, newest first, sealed parts opened. */
  list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    return asStoreError(this.pg, 'read the audit log', async () => {
      const { sql, args } = whereOf(q);
      const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), AUDIT_MAX_PAGE);
      const on = scopedClient(this.pg.pool) ?? this.pg.pool;
      const r = await on.query<Row>(`SELECT ${COLUMNS} FROM audit_log${sql} ORDER BY seq ${q.after !== undefined ? 'ASC' : 'DESC'} LIMIT $${args.length + 1}`, [...args, limit]);
      const open = async (v: unknown): Promise<unknown> => (isSealedSnapshot(v) ? (JSON.parse(await this.crypt.openText(v.sealed)) as unknown) : v);
      return Promise.all(r.rows.map(async (row) => {
        const e = toEntry(row);
        return { ...e, before: await open(e.before), after: await open(e.after) };
      }));
    });
  }
}
