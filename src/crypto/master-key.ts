/**
 * The master key file: 32 random bytes, stored as 64 hex digits and a newline, mode 0600. It wraps
 * the data keys kept in the database; without it nothing sealed can be read, so its creation says so.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { CryptoError } from '../errors.js';
import { KEY_BYTES } from './keyring.js';

/** The master key file's name when none is given: inside the data folder. */
export const DEFAULT_MASTER_KEY_FILE = 'master.key';

/** The environment variable naming the master key file (the `--master-key-file` flag wins). */
export const MASTER_KEY_ENV = 'FENGKONG_MASTER_KEY_FILE';

/** Reads the master key in `file`; CryptoError naming the file when it is missing or malformed. */
export function readMasterKey(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    const hint = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ` (give the file the data folder was sealed with: --master-key-file or ${MASTER_KEY_ENV})` : '';
    throw new CryptoError(`cannot read the master key file ${file}: ${(e as Error).message}${hint}`, { cause: e });
  }
  if (!/^[0-9a-fA-F]+$/.test(text) || text.length !== KEY_BYTES * 2) {
    throw new CryptoError(`the master key file ${file} does not hold ${KEY_BYTES * 2} hex digits`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * The master key in `file`, creating it (mode 0600, never overwriting) when absent and `create`;
 * `created` says whether this call made it, so the caller can tell the operator once.
 */
export function loadOrCreateMasterKey(file: string, create: boolean): { key: Buffer; created: boolean } {
  if (existsSync(file) || !create) return { key: readMasterKey(file), created: false };
  const key = randomBytes(KEY_BYTES);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { key: readMasterKey(file), created: false };
    throw new CryptoError(`cannot create the master key file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
  return { key, created: true };
}

/** The one stderr line a new master key gets: where it is, that it must be backed up, and why. */
export function newMasterKeyNotice(file: string): string {
  return `fengkong: created the master key ${file} — back it up now: without it the sealed data of this folder cannot be read; in production keep it on another volume than the data (--master-key-file or ${MASTER_KEY_ENV})`;
}
