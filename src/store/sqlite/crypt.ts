/**
 * Encryption at rest on the SQLite adapter's boundary: ports keep clear values in memory, and the
 * adapter seals personal columns (journal events, free texts, case evidence, list values) as it
 * writes them and opens them as it reads. One `Crypt` per connection, found by its Database, so the
 * sibling adapters sharing a connection need no new constructor argument. The data keys live
 * wrapped in the `data_keys` table; the master key in a file outside the database.
 */
import { resolve, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import {
  DEFAULT_MASTER_KEY_FILE, encodeSealedText, isSealedText, Keyring, loadOrCreateMasterKey, MASTER_KEY_ENV, namedKeyId, newMasterKeyNotice,
  sealedTextBytes, tokenText, unlockKeyring, type WrappedKey,
} from '../../crypto/index.js';
import { CryptoError } from '../../errors.js';

/** How a data folder is sealed: its master key file, and whether sealing is on at all (off only for benches and tests). */
export interface EncryptionSettings {
  readonly masterKeyFile: string;
  readonly enabled: boolean;
}

/** Seconds between looks at `data_keys` for a key rotated by another process. */
const REFRESH_MS = 2000;

export const DATA_KEYS_DDL = `
CREATE TABLE IF NOT EXISTS data_keys (
  id         INTEGER PRIMARY KEY,
  wrapped    BLOB    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`;

const registered = new Map<string, EncryptionSettings>();

/**
 * Sets how `dataDir` is sealed in this thread (the server and CLI at start, a worker from its
 * worker data); unset folders use the defaults of encryptionSettings.
 */
export function setEncryption(dataDir: string, s: Partial<EncryptionSettings>): EncryptionSettings {
  const full = { ...encryptionSettings(dataDir), ...s };
  registered.set(resolve(dataDir), full);
  return full;
}

/** The settings of `dataDir`: registered ones, else env FENGKONG_MASTER_KEY_FILE, else `<data>/master.key`, sealing on. */
export function encryptionSettings(dataDir: string): EncryptionSettings {
  const r = registered.get(resolve(dataDir));
  if (r !== undefined) return r;
  const env = process.env[MASTER_KEY_ENV];
  return { masterKeyFile: resolve(env !== undefined && env !== '' ? env : join(dataDir, DEFAULT_MASTER_KEY_FILE)), enabled: true };
}

/** Seals and opens column values for one connection; with no keyring it passes values through. */
export class Crypt {
  private lastRefresh = Date.now();
  constructor(readonly ring: Keyring | null, private readonly db: Database | null) {}

  /** Whether values written through this connection are sealed. */
  get sealing(): boolean {
    return this.ring !== null && this.ring.activeId !== null;
  }

  /** `text` sealed for a TEXT column (marker + base64), or as it is when sealing is off. */
  sealText(text: string): string {
    const ring = this.ring;
    if (ring === null || ring.activeId === null) return text;
    this.maybeRefresh();
    return encodeSealedText(ring, text);
  }

  /** sealText of a nullable column. */
  sealOpt(text: string | null): string | null {
    return text === null ? null : this.sealText(text);
  }

  /** The clear text of a column value: opened when sealed, as it is when written in clear (older rows). */
  openText(stored: string): string {
    if (!isSealedText(stored)) return stored;
    return this.openSealed(stored).toString('utf8');
  }

  /**
   * The clear bytes (UTF-8) of a sealed column value, or the value itself when it was written in
   * clear: a reader that ships bytes on (read-ahead.ts) saves decoding them to a string here.
   */
  openRaw(stored: string): Buffer | string {
    if (!isSealedText(stored)) return stored;
    return this.openSealed(stored);
  }

  private openSealed(stored: string): Buffer {
    if (this.ring === null) throw new CryptoError('a sealed value, but no master key is loaded for this data folder');
    const buf = sealedTextBytes(stored);
    const id = namedKeyId(buf);
    if (id !== null && !this.ring.has(id)) this.refresh();
    return this.ring.open(buf);
  }

  /** openText of a nullable column. */
  openOpt(stored: string | null): string | null {
    return stored === null ? null : this.openText(stored);
  }

  /** The equality token of `value` of `kind` (the clear value itself when sealing is off). */
  token(kind: string, value: string): string {
    return this.ring === null ? value : tokenText(this.ring, kind, value);
  }

  /**
   * The snapshot body sealer of this folder (engine snapshots hold device ids, IPs, coordinates), or
   * null when sealing is off. Opening looks for newly rotated keys first.
   */
  snapshotSeal(): { seal(body: Buffer): Buffer; open(sealed: Buffer): Buffer } | null {
    const ring = this.ring;
    if (ring === null || ring.activeId === null) return null;
    return {
      seal: (body) => {
        this.maybeRefresh();
        return ring.seal(body);
      },
      open: (sealed) => {
        this.refresh();
        return ring.open(sealed);
      },
    };
  }

  /** Looks for data keys rotated in since the last look (a few µs; at most every REFRESH_MS on the write path). */
  refresh(): void {
    this.lastRefresh = Date.now();
    if (this.ring === null || this.db === null || !this.db.open) return;
    this.ring.add(readWrapped(this.db, this.ring.activeId ?? 0));
  }

  private maybeRefresh(): void {
    if (Date.now() - this.lastRefresh >= REFRESH_MS) this.refresh();
  }
}

const PASS = new Crypt(null, null);
const byDb = new WeakMap<Database, Crypt>();

/** The Crypt of a connection opened by SqliteStore; a pass-through for a connection opened otherwise. */
export function cryptOf(db: Database): Crypt {
  return byDb.get(db) ?? PASS;
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function readWrapped(db: Database, above: number): WrappedKey[] {
  if (!hasTable(db, 'data_keys')) return [];
  return (db.prepare('SELECT id, wrapped FROM data_keys WHERE id > ? ORDER BY id').all(above) as { id: number; wrapped: Buffer }[])
    .map((r) => ({ id: r.id, wrapped: r.wrapped }));
}

/**
 * The Crypt of a freshly opened connection on `dataDir`, registered for cryptOf. A writable open
 * creates the master key file (one stderr line) and the first data key when absent; a wrong master
 * key is a CryptoError naming its file.
 */
export function attachCrypt(dataDir: string, db: Database, readonly: boolean): Crypt {
  const s = encryptionSettings(dataDir);
  let crypt: Crypt;
  if (!s.enabled) {
    crypt = new Crypt(null, db);
    // clear rows may be written now: the next sealed open must look at every table again
    if (!readonly && hasTable(db, 'crypt_sealed')) db.exec('DELETE FROM crypt_sealed');
  } else {
    const hasKeys = readWrapped(db, 0);
    if (readonly && hasKeys.length === 0) {
      crypt = new Crypt(null, db); // nothing was ever sealed in this file
    } else {
      // a new key only for a folder with nothing sealed yet: a missing key file of a sealed folder is an error, never replaced
      const { key, created } = loadOrCreateMasterKey(s.masterKeyFile, !readonly && hasKeys.length === 0);
      if (created) process.stderr.write(`${newMasterKeyNotice(s.masterKeyFile)}\n`);
      const ring = unlockKeyring(s.masterKeyFile, key, hasKeys, dataDir);
      if (!readonly && ring.activeId === null) {
        db.exec(DATA_KEYS_DDL);
        db.transaction(() => {
          const again = readWrapped(db, 0);
          if (again.length > 0) ring.add(again);
          else {
            const w = ring.rotate();
            db.prepare('INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?)').run(w.id, w.wrapped, Date.now());
          }
        }).immediate();
      }
      crypt = new Crypt(ring, db);
    }
  }
  byDb.set(db, crypt);
  return crypt;
}

/**
 * Adds a new active data key to the data folder of `db` (`fengkong keys rotate-data`): servers and
 * workers pick it up within REFRESH_MS; values sealed before keep their key id and stay readable.
 */
export function rotateDataKey(dataDir: string, db: Database): number {
  const crypt = attachCrypt(dataDir, db, false);
  const ring = crypt.ring;
  if (ring === null) throw new CryptoError(`encryption is off for ${dataDir}`);
  let id = 0;
  db.transaction(() => {
    ring.add(readWrapped(db, ring.activeId ?? 0));
    const w = ring.rotate();
    db.prepare('INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?)').run(w.id, w.wrapped, Date.now());
    id = w.id;
  }).immediate();
  return id;
}
