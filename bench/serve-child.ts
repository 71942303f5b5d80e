/**
 * A real `fengkong serve` as a child process for the benchmarks that measure what a user meets (the
 * console's, the detectors'…), and keys made with the real CLI: the same commands the README gives.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';

/** The CLI's entry point. */
export const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

/** A running server: its base URL, and `stop` (SIGTERM, resolves once it exited). */
export interface ServeChild {
  readonly url: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `fengkong serve --port 0 --data dir …extra` and resolves once it prints its URL. */
export async function startServeChild(dir: string, extra: readonly string[] = []): Promise<ServeChild> {
  const proc = spawn(process.execPath, [FENGKONG, 'serve', '--port', '0', '--data', dir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr!.on('data', () => {});
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code} before listening`)));
  });
  return {
    url,
    proc,
    stop: () => {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A new API key of `role` on the data folder `dir`, made by `fengkong keys create`. */
export function createKey(dir: string, role: string): string {
  return execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', role, '--data', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

/**
 * Starts `fengkong serve --port 0 …args` (a data folder or a cluster node) and resolves once it
 * prints its URL. FK_BENCH_NODE_FLAGS gives the server's Node.js flags (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/p` to profile it: NODE_OPTIONS refuses those).
 */
export function spawnServe(args: readonly string[]): Promise<{ url: string; proc: ChildProcess }> {
  const nodeFlags = (process.env.FK_BENCH_NODE_FLAGS ?? '').split(' ').filter((x) => x !== '');
  return spawnListening([...nodeFlags, FENGKONG, 'serve', '--port', '0', ...args]);
}

/** The bare Fastify peer the HTTP benches measure beside ours (bench/peers/fastify-decisions.ts). */
export const FASTIFY_PEER = join(PACKAGE_ROOT, 'dist', 'bench', 'peers', 'fastify-decisions.js');

/** Starts `node …args` and resolves once it prints `listening on <url>`; a stop before that rejects with its stderr. */
export function spawnListening(args: readonly string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ url: m[1], proc });
    });
    proc.once('exit', (code) => reject(new Error(`${args.filter((a) => !a.startsWith('-')).join(' ')} exited ${code}: ${err}`)));
  });
}

/** Stops a spawned server with SIGTERM (a graceful stop: it drains and, on a cluster, hands its partitions over). */
export async function stopServe(p: { proc: ChildProcess }): Promise<void> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.proc.once('exit', () => r()));
  p.proc.kill('SIGTERM');
  await exited;
}
