/**
 * The embedded store: journal and API keys in one SQLite file (better-sqlite3, WAL, synchronous
 * FULL, prepared statements, one transaction per batch). Synchronous by design: an indexed lookup
 * costs microseconds, and the fsync of a commit can run in a worker thread (threaded-writer.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { EventType } from '../../contract/events.js';
import { ConflictError, NotFoundError, StoreError } from '../../errors.js';
import type { KeyStore, NewKeyOptions, Role, StoredKey } from '../../keys/store.js';
import type { Journal, JournalEntry, JournalRange, StoredDecision } from '../../log/journal.js';
import type { AuditLog } from '../../audit/log.js';
import { SqliteAuditLog } from './audit.js';
import { attachCrypt, type Crypt } from './crypt.js';
import { sealLegacyRows } from './crypt-migrate.js';
import { SealingAuditLog } from './sealed-audit.js';
import { READ_AHEAD_MIN_ENTRIES, ReadAheadThread } from './read-ahead.js';
import { configure, DB_FILE, migrate } from './schema.js';

interface EntryRow {
  seq: number;
  type: string;
  tx_id: string | null;
  event: string;
  decision: string | null;
  received_at: number;
}

interface KeyRow {
  hash: string;
  role: string;
  created_at: number;
  name: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  rate: number | null;
}

/** The columns of a KeyRow; a read-only reader of an older file reads the missing ones as NULL. */
const KEY_COLUMNS = 'hash, role, created_at, name, revoked_at, revoked_by, revoke_reason, rate';
const KEY_COLUMNS_V3 = 'hash, role, created_at, name, revoked_at, revoked_by, revoke_reason, NULL AS rate';
const KEY_COLUMNS_V2 = 'hash, role, created_at, NULL AS name, NULL AS revoked_at, NULL AS revoked_by, NULL AS revoke_reason, NULL AS rate';

/** A key row as the port's StoredKey: absent fields left out, not undefined. */
function toStoredKey(r: KeyRow): StoredKey {
  return {
    hash: r.hash,
    role: r.role as Role,
    createdAt: r.created_at,
    ...(r.name !== null ? { name: r.name } : {}),
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
    ...(r.revoked_by !== null ? { revokedBy: r.revoked_by } : {}),
    ...(r.revoke_reason !== null ? { revokeReason: r.revoke_reason } : {}),
    ...(r.rate !== null ? { rate: r.rate } : {}),
  };
}

/** The hash prefix a key id (`key_…`) or a bare hash prefix names, or null when it is neither. */
export function keyHashPrefix(idOrPrefix: string): string | null {
  const hex = idOrPrefix.startsWith('key_') ? idOrPrefix.slice(4) : idOrPrefix;
  return /^[0-9a-f]{12,64}$/.test(hex) ? hex : null;
}

type EntryParams = [number, string, string | null, string, string | null, number];

/**
 * An EntryRow as an array (statement in raw mode): seq, type, tx_id, event (sealed or clear, as
 * stored), decision, received_at.
 */
export type RawEntryRow = [number, string, string | null, string, string | null, number];

/** The path of the database file inside a data folder. */
export function dbPath(dataDir: string): string {
  return join(dataDir, DB_FILE);
}

/**
 * Journal and key store on one SQLite file; see the Journal and KeyStore ports for the contract. The
 * keys answer at once (`KeyStore<'sync'>`): a key change and its audit entry share one SQLite
 * transaction in the keys route and `fengkong keys`, which cannot span an await.
 */
export class SqliteStore implements Journal, KeyStore<'sync'> {
  readonly file: string;
  /** Whether long reads of the journal run in a reader thread (read-ahead.ts). */
  private readonly readAhead: boolean;
  /** A reader thread booted ahead of a long read (prepareLongRead), used by the next one. */
  private reader: ReadAheadThread | null = null;
  /** How the last long read was shared: entries read by the reader thread, and here (seqs claimed). */
  lastLongRead: { readonly thread: number; readonly here: number } | null = null;
  /**
   * The append-only audit log in the same file; it answers at once (`AuditLog<'sync'>`) so a change
   * and its record share one transaction.
   */
  readonly audit: AuditLog<'sync'>;
  private readonly db: Database;
  /** Seals journal events as they are written and opens them as they are read. */
  readonly crypt: Crypt;
  private readonly insertEntry: Statement<EntryParams>;
  private readonly selectLast: Statement<[], { seq: number | null }>;
  private readonly selectDecision: Statement<[string], { seq: number; event: string; decision: string | null }>;
  private readonly selectAll: Statement<[], EntryRow>;
  private readonly selectRange: Statement<[{ from: number; to: number; type: string | null; except: string | null }], RawEntryRow>;
  private readonly insertKey: Statement<[string, string, number, string | null, number | null]>;
  private readonly updateRate: Statement<[number | null, string]>;
  private readonly selectKey: Statement<[string], KeyRow>;
  private readonly selectKeys: Statement<[], KeyRow>;
  private readonly selectKeysByPrefix: Statement<[{ p: string }], KeyRow>;
  private readonly markRevoked: Statement<[number, string, string | null, string]>;
  private revoked = 0;
  private changed = 0;
  private readonly appendTx: Transaction<(batch: readonly JournalEntry[]) => void>;

  /**
   * Opens (creating folder and file when missing) the store of `dataDir`. With `readonly` the file
   * must exist with the current schema and nothing is ever written: a second reader beside the
   * server's writer (WAL lets it read a consistent snapshot while commits go on), e.g. a backtest.
   * `readAhead: false` keeps every read on this thread (the reader thread itself).
   * `autoCheckpoint: false` leaves the WAL to a checkpointer thread (wal-checkpointer.ts) instead
   * of copying it back inside whichever commit passes SQLite's mark.
   */
  constructor(
    private readonly dataDir: string,
    options: { readonly?: boolean; readAhead?: boolean; autoCheckpoint?: boolean } = {},
  ) {
    this.file = dbPath(dataDir);
    this.readAhead = options.readAhead !== false;
    const readonly = options.readonly === true;
    try {
      if (!readonly) mkdirSync(dataDir, { recursive: true });
      this.db = new BetterSqlite3(this.file, { timeout: 5000, readonly, fileMustExist: readonly });
      if (!readonly) configure(this.db);
      if (options.autoCheckpoint === false) this.db.pragma('wal_autocheckpoint = 0');
      migrate(this.db, this.file);
      this.crypt = attachCrypt(dataDir, this.db, readonly);
      if (!readonly && this.crypt.sealing) sealLegacyRows(this.db, this.crypt);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot open ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    const db = this.db;
    const crypt = this.crypt;
    this.audit = new SealingAuditLog(new SqliteAuditLog(db), crypt);
    this.insertEntry = db.prepare(
      'INSERT INTO journal (seq, type, tx_id, event, decision, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectLast = db.prepare('SELECT max(seq) AS seq FROM journal');
    this.selectDecision = db.prepare('SELECT seq, event, decision FROM journal WHERE tx_id = ?');
    this.selectAll = db.prepare(
      'SELECT seq, type, tx_id, event, decision, received_at FROM journal ORDER BY seq',
    );
    this.selectRange = db.prepare(
      'SELECT seq, type, tx_id, event, decision, received_at FROM journal ' +
        'WHERE seq >= @from AND seq <= @to AND (@type IS NULL OR type = @type) AND (@except IS NULL OR type != @except) ORDER BY seq',
    );
    // rows as arrays: a third cheaper than better-sqlite3's keyed row objects over a million rows
    this.selectRange.raw(true);
    // a read-only reader may read a file of an older version as it is (see migrate): no key columns of version 3
    const version = db.pragma('user_version', { simple: true }) as number;
    const cols = version >= 4 ? KEY_COLUMNS : version >= 3 ? KEY_COLUMNS_V3 : KEY_COLUMNS_V2;
    this.selectKey = db.prepare(`SELECT ${cols} FROM api_keys WHERE hash = ? AND ${version >= 3 ? 'revoked_at IS NULL' : '1'}`);
    this.selectKeys = db.prepare(`SELECT ${cols} FROM api_keys ORDER BY created_at, hash`);
    this.selectKeysByPrefix = db.prepare(`SELECT ${cols} FROM api_keys WHERE substr(hash, 1, length(@p)) = @p LIMIT 2`);
    // read-only connections never write keys; preparing against an older file would fail
    this.insertKey = readonly ? (undefined as never) : db.prepare('INSERT INTO api_keys (hash, role, created_at, name, rate) VALUES (?, ?, ?, ?, ?)');
    this.updateRate = readonly ? (undefined as never) : db.prepare('UPDATE api_keys SET rate = ? WHERE hash = ? AND revoked_at IS NULL');
    this.markRevoked = readonly
      ? (undefined as never)
      : db.prepare('UPDATE api_keys SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE hash = ? AND revoked_at IS NULL');
    this.appendTx = db.transaction((batch: readonly JournalEntry[]) => {
      // Another writer on the same file would interleave sequences: refuse rather than mix.
      const expected = (this.selectLast.get()?.seq ?? 0) + 1;
      if (batch.length > 0 && batch[0].seq !== expected) {
        throw new StoreError(`journal out of order: batch starts at seq ${batch[0].seq}, expected ${expected}`);
      }
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i];
        this.insertEntry.run(e.seq, e.type, e.txId, crypt.sealText(e.event), e.decision, e.receivedAt);
      }
    });
  }

  /** One IMMEDIATE transaction for the whole batch; with synchronous FULL the commit is fsynced. */
  append(batch: readonly JournalEntry[]): void {
    if (batch.length === 0) return;
    try {
      this.appendTx.immediate(batch);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`journal append failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Indexed lookup by transaction id. */
  decision(txId: string): StoredDecision | undefined {
    const row = this.selectDecision.get(txId);
    if (row === undefined || row.decision === null) return undefined;
    return { seq: row.seq, txId, event: this.crypt.openText(row.event), decision: row.decision };
  }

  /** Highest committed seq, 0 for an empty journal. */
  lastSeq(): number {
    return this.selectLast.get()?.seq ?? 0;
  }

  /** Streams every entry in seq order without loading the journal into memory. */
  forEachEvent(cb: (entry: JournalEntry) => void): void {
    if (this.readAhead && this.lastSeq() >= READ_AHEAD_MIN_ENTRIES) return this.forEachEventInRange({ whole: true }, cb);
    for (const r of this.selectAll.iterate()) {
      cb({
        seq: r.seq,
        type: r.type as EventType,
        txId: r.tx_id,
        event: this.crypt.openText(r.event),
        decision: r.decision,
        receivedAt: r.received_at,
      });
    }
  }

  /**
   * Streams the entries of `range` by primary key (a type filter still walks the seq range, so a
   * label scan reads the whole journal once, without an index to maintain on every append). Rows
   * come back as arrays (raw mode) and become one fixed-shape entry each. A long range read `whole`
   * is shared with a reader thread (read-ahead.ts), bounded by the last seq committed at the call.
   */
  forEachEventInRange(range: JournalRange, cb: (entry: JournalEntry) => boolean | void): void {
    const from = range.fromSeq ?? 1;
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER;
    if (to < from) return;
    if (this.readAhead && range.whole === true && to - from + 1 >= READ_AHEAD_MIN_ENTRIES) {
      const last = Math.min(to, this.lastSeq());
      if (last - from + 1 >= READ_AHEAD_MIN_ENTRIES) return this.readInTwo(from, last, range, cb);
    }
    for (const r of this.selectRange.iterate({ from, to, type: range.type ?? null, except: range.exceptType ?? null })) {
      const go = cb({ seq: r[0], type: r[1] as EventType, txId: r[2], event: this.crypt.openText(r[3]), decision: r[4], receivedAt: r[5] });
      if (go === false) break; // leaving the loop resets the statement
    }
  }

  /**
   * The rows of `from` … `to` as stored (events still sealed), for the reader thread of read-ahead.ts,
   * which opens them itself; stops when `cb` returns false.
   */
  forEachRowInRange(from: number, to: number, type: string | null, except: string | null, cb: (row: RawEntryRow) => boolean | void): void {
    for (const r of this.selectRange.iterate({ from, to, type, except })) if (cb(r) === false) break;
  }

  /**
   * A long read, shared with a reader thread (booted ahead by prepareLongRead, or now): see
   * ReadAheadThread.readAll.
   */
  private readInTwo(from: number, last: number, range: JournalRange, cb: (entry: JournalEntry) => boolean | void): void {
    const reader = this.reader ?? new ReadAheadThread(this.dataDir);
    this.reader = null;
    const type = range.type ?? null;
    const except = range.exceptType ?? null;
    const readHere = (a: number, b: number, each: (entry: JournalEntry) => boolean | void): boolean => {
      for (const r of this.selectRange.iterate({ from: a, to: b, type, except })) {
        if (each({ seq: r[0], type: r[1] as EventType, txId: r[2], event: this.crypt.openText(r[3]), decision: r[4], receivedAt: r[5] }) === false) return false;
      }
      return true;
    };
    try {
      reader.readAll({ fromSeq: from, toSeq: last, ...(range.type !== undefined ? { type: range.type } : {}), ...(range.exceptType !== undefined ? { exceptType: range.exceptType } : {}) }, readHere, cb);
    } finally {
      this.lastLongRead = reader.split;
    }
  }

  /**
   * Boots a reader thread for a long read about to come (a server's recovery), so its loading
   * overlaps with the work before the read; does nothing for a short journal. The next long read
   * uses it; `endLongRead` ends it when none came (a snapshot left only a short tail).
   */
  prepareLongRead(): void {
    if (this.readAhead && this.reader === null && this.lastSeq() >= READ_AHEAD_MIN_ENTRIES) this.reader = new ReadAheadThread(this.dataDir);
  }

  /** Ends a reader thread prepareLongRead booted and no read used. */
  endLongRead(): void {
    this.reader?.stop();
    this.reader = null;
  }

  /** Stores a key hash (with an optional label); a duplicate hash is a StoreError. */
  createKey(hash: string, role: Role, nameOrOptions?: string | NewKeyOptions): StoredKey {
    if (this.db.readonly) throw new StoreError(`cannot store key: ${this.file} is open read-only`);
    const { name, rate } = typeof nameOrOptions === 'string' ? { name: nameOrOptions, rate: undefined } : (nameOrOptions ?? {});
    const createdAt = Date.now();
    try {
      this.insertKey.run(hash, role, createdAt, name ?? null, rate ?? null);
    } catch (e) {
      throw new StoreError(`cannot store key: ${(e as Error).message}`, { cause: e });
    }
    return { hash, role, createdAt, ...(name !== undefined ? { name } : {}), ...(rate !== undefined ? { rate } : {}) };
  }

  /** Sets or clears a key's rate (see KeyStore.setKeyRate). */
  setKeyRate(idOrPrefix: string, rate: number | null): StoredKey {
    if (this.db.readonly) throw new StoreError(`cannot change key: ${this.file} is open read-only`);
    const key = this.resolveKey(idOrPrefix);
    if (key.revokedAt !== undefined) throw new ConflictError(`key_${key.hash.slice(0, 12)} is revoked; its rate no longer matters`);
    if (this.updateRate.run(rate, key.hash).changes !== 1) throw new ConflictError(`key_${key.hash.slice(0, 12)} was revoked meanwhile`);
    this.changed++;
    const { rate: _old, ...rest } = key;
    return rate === null ? rest : { ...rest, rate };
  }

  /** Key changes (revocations and rates) made through this object since it opened. */
  changes(): number {
    return this.changed;
  }

  /** The key with this hash, if stored and not revoked. */
  findKey(hash: string): StoredKey | undefined {
    const r = this.selectKey.get(hash);
    return r === undefined ? undefined : toStoredKey(r);
  }

  /** Every key, revoked ones too, oldest first. */
  listKeys(): StoredKey[] {
    return this.selectKeys.all().map(toStoredKey);
  }

  /**
   * The one key a key id or hash prefix names, revoked or not. NotFoundError when none (or the text
   * is neither an id nor a hex prefix of 12+ digits), ConflictError when the prefix is ambiguous.
   */
  resolveKey(idOrPrefix: string): StoredKey {
    const prefix = keyHashPrefix(idOrPrefix);
    const rows = prefix === null ? [] : this.selectKeysByPrefix.all({ p: prefix });
    if (rows.length === 0) throw new NotFoundError(`no API key ${JSON.stringify(idOrPrefix)}`);
    if (rows.length > 1) throw new ConflictError(`${JSON.stringify(idOrPrefix)} matches more than one key; give more of its hash`);
    return toStoredKey(rows[0]);
  }

  /** Revokes one key (see KeyStore.revokeKey); the next findKey of it finds nothing. */
  revokeKey(idOrPrefix: string, by: string, reason?: string): StoredKey {
    if (this.db.readonly) throw new StoreError(`cannot revoke key: ${this.file} is open read-only`);
    const key = this.resolveKey(idOrPrefix);
    if (key.revokedAt !== undefined) {
      throw new ConflictError(`key_${key.hash.slice(0, 12)} was already revoked by ${key.revokedBy ?? 'someone'}`);
    }
    const at = Date.now();
    const changed = this.markRevoked.run(at, by, reason ?? null, key.hash).changes;
    if (changed !== 1) throw new ConflictError(`key_${key.hash.slice(0, 12)} was already revoked`);
    this.revoked++;
    this.changed++;
    return { ...key, revokedAt: at, revokedBy: by, ...(reason !== undefined ? { revokeReason: reason } : {}) };
  }

  /** Revocations made through this object since it opened (the Authenticator's cache check). */
  revocations(): number {
    return this.revoked;
  }

  /**
   * The open connection, for sibling adapters (lists, policies, …) that keep their tables in the same
   * file; they create their own tables with IF NOT EXISTS and never touch the journal's.
   */
  get database(): Database {
    return this.db;
  }

  /** The durability settings in force on this connection (2 = FULL), for tests and diagnostics. */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    };
  }

  /** Closes the file (checkpointing the WAL when this is the last connection). */
  close(): void {
    this.endLongRead();
    if (this.db.open) this.db.close();
  }
}
