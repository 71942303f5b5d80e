// `fengkong serve` as a child process, the way an operator starts it: the tests that kill it (-9 or
// TERM) and restart it on the same data folder share this.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** The CLI's entry point. */
export const BIN = join(ROOT, 'bin', 'fengkong.js');

/** A running `fengkong serve`. */
export interface ServeChild {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stderr(): string;
}

/**
 * Starts `fengkong serve --port 0 …args` and resolves once it printed its URL (rejects with its
 * stderr if it stops first). `detached`: in a process group of its own, as a shell starts a job, so
 * a test can signal the whole group the way a terminal's Ctrl-C does.
 */
export function serveCli(args: readonly string[], opts: { detached?: boolean } = {}): Promise<ServeChild> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached === true });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 15_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], exited, stderr: () => err });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${err}`));
    });
  });
}
