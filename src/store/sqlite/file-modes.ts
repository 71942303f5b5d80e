/**
 * File modes of a data folder (encryption at rest, issue 13): the folder 0700 and every file in it
 * 0600, so another local user reads neither the sealed data nor the master key beside it. New files
 * get these modes from the process umask (0077) set by whoever starts the server or a command;
 * files and folders made before are fixed on start, with one warning line each.
 */
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The umask under which every file the server creates is 0600 and every folder 0700. */
export const PRIVATE_UMASK = 0o077;

/**
 * Sets the process umask to PRIVATE_UMASK (main thread only: workers cannot) and narrows the modes
 * of `dataDir` and everything under it; returns one line per path it had to fix.
 */
export function privateDataDir(dataDir: string): string[] {
  try {
    process.umask(PRIVATE_UMASK);
  } catch {
    // a worker thread cannot set the umask; the starting thread did
  }
  const fixed: string[] = [];
  const walk = (p: string, dir: boolean): void => {
    const want = dir ? 0o700 : 0o600;
    const mode = statSync(p).mode & 0o777;
    if ((mode & ~want) !== 0) {
      chmodSync(p, mode & want);
      fixed.push(`${p} was mode ${mode.toString(8).padStart(4, '0')}, now ${(mode & want).toString(8).padStart(4, '0')} (readable by others before)`);
    }
    if (!dir) return;
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(p, e.name), true);
      else if (e.isFile()) walk(join(p, e.name), false);
    }
  };
  walk(dataDir, true);
  return fixed;
}
