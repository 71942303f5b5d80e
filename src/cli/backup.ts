/**
 * `fengkong backup --data DIR --out FILE [--master-key-file F]`: an online, consistent copy of every
 * store of a data folder (safe while the server runs), sealed under the master key into one file and
 * verified after writing. `fengkong restore --from FILE --data DIR [--master-key-file F]` writes such
 * a file back into a new folder. See docs/security.md, "Backups".
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { readMasterKey } from '../crypto/index.js';
import { UsageError } from '../errors.js';
import { checkSqliteCopy, copyDataFolder, packBackup, unpackBackup, writeRestored } from '../store/sqlite/backup.js';
import { encryptionSettings } from '../store/sqlite/crypt.js';
import { parseArgs } from './args.js';

const BACKUP_USAGE = 'fengkong backup --data DIR --out FILE [--master-key-file FILE]';
const RESTORE_USAGE = 'fengkong restore --from FILE --data DIR [--master-key-file FILE]';

/** The value of a required string flag, or a UsageError naming it. */
function required(flags: Map<string, string | number | boolean>, name: string, usage: string): string {
  const v = flags.get(name);
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required\nusage: ${usage}`);
  return v;
}

/** The master key: --master-key-file, else FENGKONG_MASTER_KEY_FILE, else <data>/master.key. */
function masterKey(flags: Map<string, string | number | boolean>, dataDir: string): Buffer {
  const f = flags.get('master-key-file') as string | undefined;
  return readMasterKey(f !== undefined ? resolve(f) : encryptionSettings(dataDir).masterKeyFile);
}

/** Runs `backup`; resolves to the exit code. */
export async function runBackup(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { data: 'string', out: 'string', 'master-key-file': 'string' }, BACKUP_USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${BACKUP_USAGE}`);
  const dataDir = resolve(required(flags, 'data', BACKUP_USAGE));
  const out = resolve(required(flags, 'out', BACKUP_USAGE));
  if (!existsSync(dataDir)) throw new UsageError(`--data ${dataDir} does not exist\nusage: ${BACKUP_USAGE}`);
  const key = masterKey(flags, dataDir);
  const entries = await copyDataFolder(dataDir);
  const packed = packBackup(entries, key);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, packed);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  // verify what is on disk, not what is in memory
  const back = unpackBackup(readFileSync(out), key);
  for (const e of back) if (e.kind === 'sqlite') checkSqliteCopy(e);
  for (const e of back) process.stderr.write(`  ${e.name} (${e.data.length} bytes)\n`);
  process.stdout.write(`backup: ${back.length} files, ${packed.length} bytes, verified\n`);
  return 0;
}

/** Runs `restore`; resolves to the exit code. */
export async function runRestore(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { from: 'string', data: 'string', 'master-key-file': 'string' }, RESTORE_USAGE);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${RESTORE_USAGE}`);
  const from = resolve(required(flags, 'from', RESTORE_USAGE));
  const dataDir = resolve(required(flags, 'data', RESTORE_USAGE));
  let file: Buffer;
  try {
    file = readFileSync(from);
  } catch (e) {
    throw new UsageError(`--from ${from}: ${(e as Error).message}\nusage: ${RESTORE_USAGE}`);
  }
  const key = masterKey(flags, dataDir);
  // everything is checked before anything is written
  const entries = unpackBackup(file, key);
  for (const e of entries) if (e.kind === 'sqlite') checkSqliteCopy(e);
  const written = writeRestored(entries, dataDir);
  for (let i = 0; i < written.length; i++) process.stdout.write(`restored ${written[i]} (${entries[i].data.length} bytes)\n`);
  process.stdout.write(`restore: ${written.length} files into ${dataDir}; start the server with the same master key file\n`);
  return 0;
}
