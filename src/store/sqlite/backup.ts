/**
 * Online backups of a data folder (security issue 13, point 11): every SQLite store copied with
 * SQLite's online backup API from a read-only connection (a consistent copy while a server writes),
 * plus the newest engine snapshot, packed into one file sealed under a key derived from the master
 * key. The file: a clear header (magic, format, salt, nonce, key check) that is also the AES-256-GCM
 * additional data, then the ciphertext of [u32 manifest length][manifest JSON][file bodies], then the
 * 16-byte tag. Everything is held in memory: meant for data folders of a few hundred MB.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CryptoError, StoreError } from '../../errors.js';
import { listSnapshots, snapshotsDir } from '../../engine/snapshot/engine-snapshot.js';
import { DB_FILE } from './schema.js';

/** The first bytes of every backup file. */
export const BACKUP_MAGIC = Buffer.from('FKBACKUP', 'ascii');
/** The backup file format this code writes and reads. */
export const BACKUP_FORMAT = 1;
/** HKDF info of the backup keys: distinct from every other use of the master key. */
const HKDF_INFO = 'fengkong backup v1';

const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;
/** magic, u32 format, salt, nonce, key check. */
export const HEADER_BYTES = BACKUP_MAGIC.length + 4 + SALT_BYTES + NONCE_BYTES + CHECK_BYTES;

/** One file of a backup: its path relative to the data folder, its kind and its bytes. */
export interface BackupEntry {
  readonly name: string;
  readonly kind: 'sqlite' | 'snapshot';
  readonly data: Buffer;
}

/** Names a backup may hold: top-level *.db files and snapshots/engine-N.fks (never a path out of the folder). */
const SQLITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.db$/;
const SNAPSHOT_NAME = /^snapshots\/engine-\d+\.fks$/;

/**
 * Consistent copies of every store of `dataDir`, safe while a server runs: the newest snapshot is
 * read first (so it never covers more journal than the copies), then every *.db with fengkong.db
 * last, each through `db.backup()` in one step from a read-only connection into a private temp folder.
 */
export async function copyDataFolder(dataDir: string): Promise<BackupEntry[]> {
  const out: BackupEntry[] = [];
  const newest = listSnapshots(snapshotsDir(dataDir))[0];
  if (newest !== undefined) {
    try {
      const name = newest.file.slice(snapshotsDir(dataDir).length + 1);
      out.push({ name: `snapshots/${name}`, kind: 'snapshot', data: readFileSync(newest.file) });
    } catch (e) {
      // pruned between the listing and the read: the folder has a newer one, but a backup without a snapshot is still whole
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  const dbs = readdirSync(dataDir, { withFileTypes: true })
    .filter((e) => e.isFile() && SQLITE_NAME.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a === DB_FILE ? 1 : b === DB_FILE ? -1 : a.localeCompare(b)));
  if (!dbs.includes(DB_FILE)) throw new StoreError(`no ${DB_FILE} in ${dataDir}: not a data folder`);
  const tmp = mkdtempSync(join(tmpdir(), 'fk-backup-'));
  try {
    for (const name of dbs) out.push({ name, kind: 'sqlite', data: await copyOne(join(dataDir, name), join(tmp, name)) });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** One online copy, returned as a self-contained file (rollback journal mode, so it needs no -wal beside it). */
async function copyOne(src: string, dest: string): Promise<Buffer> {
  try {
    const db = new BetterSqlite3(src, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      // all remaining pages in one step: one read transaction, so a writer cannot make SQLite restart the copy
      await db.backup(dest, { progress: () => 0x7fffffff });
    } finally {
      db.close();
    }
    const copy = new BetterSqlite3(dest);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    return readFileSync(dest);
  } catch (e) {
    throw new StoreError(`cannot back up ${src}: ${(e as Error).message}`, { cause: e });
  }
}

/** The encryption key and key check of one backup, from the master key and the backup's salt. */
function derive(masterKey: Buffer, salt: Buffer): { key: Buffer; check: Buffer } {
  const okm = Buffer.from(hkdfSync('sha256', masterKey, salt, HKDF_INFO, 32 + CHECK_BYTES));
  return { key: okm.subarray(0, 32), check: okm.subarray(32) };
}

/** `entries` packed and sealed under `masterKey`: the bytes of a backup file. */
export function packBackup(entries: readonly BackupEntry[], masterKey: Buffer): Buffer {
  const manifest = Buffer.from(
    JSON.stringify({ files: entries.map((e) => ({ name: e.name, kind: e.kind, bytes: e.data.length })) }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32BE(manifest.length);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const { key, check } = derive(masterKey, salt);
  const version = Buffer.alloc(4);
  version.writeUInt32BE(BACKUP_FORMAT);
  const header = Buffer.concat([BACKUP_MAGIC, version, salt, nonce, check]);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(header);
  const parts = [header, cipher.update(len), cipher.update(manifest)];
  for (const e of entries) parts.push(cipher.update(e.data));
  parts.push(cipher.final(), cipher.getAuthTag());
  return Buffer.concat(parts);
}

/**
 * The files of a backup file's bytes, opened with `masterKey`. CryptoError when it is not a backup,
 * of another format, made under another master key, or changed in any byte.
 */
export function unpackBackup(file: Buffer, masterKey: Buffer): BackupEntry[] {
  if (file.length < HEADER_BYTES + 4 + TAG_BYTES || !file.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) {
    throw new CryptoError('not a fengkong backup file (no FKBACKUP header, or too short)');
  }
  let at = BACKUP_MAGIC.length;
  const format = file.readUInt32BE(at);
  at += 4;
  if (format !== BACKUP_FORMAT) throw new CryptoError(`backup format ${format}, this fengkong reads format ${BACKUP_FORMAT}`);
  const salt = file.subarray(at, (at += SALT_BYTES));
  const nonce = file.subarray(at, (at += NONCE_BYTES));
  const check = file.subarray(at, (at += CHECK_BYTES));
  const { key, check: want } = derive(masterKey, salt);
  if (!timingSafeEqual(check, want)) {
    throw new CryptoError('the master key is not the one this backup was made with (or its header is damaged)');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(file.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
  let clear: Buffer;
  try {
    clear = Buffer.concat([decipher.update(file.subarray(HEADER_BYTES, file.length - TAG_BYTES)), decipher.final()]);
  } catch (e) {
    throw new CryptoError('the backup file is damaged or was changed: its authentication tag does not match', { cause: e });
  }
  // authenticated from here on: a malformed layout is a bug of the writer, still refused clearly
  const mlen = clear.readUInt32BE(0);
  let manifest: { files: { name: string; kind: string; bytes: number }[] };
  try {
    manifest = JSON.parse(clear.subarray(4, 4 + mlen).toString('utf8'));
  } catch (e) {
    throw new CryptoError('the backup manifest does not parse', { cause: e });
  }
  const out: BackupEntry[] = [];
  let pos = 4 + mlen;
  for (const f of manifest.files) {
    const ok = (f.kind === 'sqlite' && SQLITE_NAME.test(f.name)) || (f.kind === 'snapshot' && SNAPSHOT_NAME.test(f.name));
    if (!ok || !Number.isSafeInteger(f.bytes) || f.bytes < 0 || pos + f.bytes > clear.length) {
      throw new CryptoError(`the backup manifest names an unexpected file "${f.name}"`);
    }
    out.push({ name: f.name, kind: f.kind as BackupEntry['kind'], data: clear.subarray(pos, (pos += f.bytes)) });
  }
  if (pos !== clear.length) throw new CryptoError('the backup holds bytes its manifest does not account for');
  return out;
}

/** `PRAGMA integrity_check` of one packed SQLite copy, opened in memory; StoreError unless it says ok. */
export function checkSqliteCopy(entry: BackupEntry): void {
  let result: unknown;
  try {
    const db = new BetterSqlite3(entry.data, { readonly: true });
    try {
      result = db.pragma('integrity_check', { simple: true });
    } finally {
      db.close();
    }
  } catch (e) {
    throw new StoreError(`${entry.name} in the backup does not open as SQLite: ${(e as Error).message}`, { cause: e });
  }
  if (result !== 'ok') throw new StoreError(`${entry.name} in the backup fails integrity_check: ${String(result)}`);
}

/**
 * Writes `entries` into `dataDir`, which must be absent or empty (folders 0700, files 0600, never
 * overwriting). Returns the paths written.
 */
export function writeRestored(entries: readonly BackupEntry[], dataDir: string): string[] {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new StoreError(`${dataDir} exists and is not empty: restore only into a new or empty folder`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const written: string[] = [];
  for (const e of entries) {
    const path = join(dataDir, e.name);
    if (e.kind === 'snapshot') {
      mkdirSync(join(dataDir, 'snapshots'), { recursive: true, mode: 0o700 });
      chmodSync(join(dataDir, 'snapshots'), 0o700);
    }
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, e.data);
    } finally {
      closeSync(fd);
    }
    chmodSync(path, 0o600);
    written.push(path);
  }
  return written;
}
