/**
 * One server per data folder: two servers appending to one journal would interleave sequences and
 * decide on diverging state. A pid file claims the folder; a claim whose process is gone (kill -9)
 * is taken over, so a crash never needs manual cleanup.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

const LOCK_FILE = 'serve.pid';
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `dataDir` for this process; throws ConfigError when a live server holds it. Returns the release. */
export function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  let holder = NaN;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no claim yet
  }
  const ours = holder === process.pid;
  if (Number.isInteger(holder) && holder > 0 && (ours ? heldHere.has(file) : alive(holder))) {
    throw new ConfigError(`data folder ${dataDir} is in use by another fengkong serve (pid ${holder})`);
  }
  writeFileSync(file, `${process.pid}\n`);
  heldHere.add(file);
  return () => {
    heldHere.delete(file);
    rmSync(file, { force: true });
  };
}
