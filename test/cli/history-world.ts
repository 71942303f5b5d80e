// The history the report and backtest cluster tests share: a simulated world decided by an embedded
// server (a real journal with real answers) in a data folder, made once per test file, and helpers
// to compare what `fengkong report` / `fengkong backtest` say of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import type { JournalEntry } from '../../src/log/journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT } from '../helpers/paths.js';
import { feed, startTestServer, tempDir } from '../server/helpers.js';

export const BIN = join(ROOT, 'bin', 'fengkong.js');
export const DAY = 86_400_000;

/** A data folder whose journal an embedded server wrote from a simulated world, and the world's time span. */
export interface World {
  readonly dir: string;
  readonly data: string;
  /** the world's events, in the order they were fed. */
  readonly events: readonly Record<string, unknown>[];
  readonly entries: readonly JournalEntry[];
  /** event times of the first and last payment. */
  readonly firstT: number;
  readonly lastT: number;
}

let world: World | undefined;
after(() => {
  if (world !== undefined) rmSync(world.dir, { recursive: true, force: true });
});

/** Made once for the file (a few seconds): the tests only read it. */
export async function theWorld(): Promise<World> {
  if (world !== undefined) return world;
  const dir = tempDir('fk-report-cluster-');
  execFileSync(process.execPath, [BIN, 'simulate', '--out', join(dir, 'world'), '--seed', '11', '--accounts', '120', '--days', '4', '--quiet'], { stdio: 'ignore' });
  const events = readFileSync(join(dir, 'world', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const data = join(dir, 'data');
  const server = await startTestServer({ dir: data });
  await feed(server.url, server.keys.admin, events);
  await server.close(true);
  const store = new SqliteStore(data, { readonly: true });
  const entries: JournalEntry[] = [];
  let firstT = Infinity;
  let lastT = -Infinity;
  try {
    store.forEachEvent((e) => {
      entries.push(e);
      if (e.type !== 'transaction') return;
      const t = (JSON.parse(e.event) as { t: number }).t;
      firstT = Math.min(firstT, t);
      lastT = Math.max(lastT, t);
    });
  } finally {
    store.close();
  }
  world = { dir, data, events, entries, firstT, lastT };
  return world;
}

export /** A JSON report without what differs from run to run (timing) or, with `seqs`, where entries sit. */
function comparable(v: unknown, seqs = false): unknown {
  const drop = new Set(['durationMs', 'generatedAt', 'generatedTs', 'asOf', ...(seqs ? ['seq', 'lastSeq', 'firstSeq', 'endSeq'] : [])]);
  return JSON.parse(JSON.stringify(v), (k, x: unknown) => (drop.has(k) ? undefined : x));
}

export function cli(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report range: the world's third day of payments (local midnight), so the previous period is full too. */
export function range(w: World): { from: number; to: number } {
  const from = Math.floor((w.firstT + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000 + 2 * DAY;
  return { from, to: from + DAY };
}

/** The default policy with lower score thresholds: a draft that changes decisions. */
export function draftDir(w: World): string {
  const dir = join(w.dir, 'draft');
  cpSync(join(ROOT, 'rules'), dir, { recursive: true });
  const settings = join(dir, '00-settings.fk');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('setting score.review = 40', 'setting score.review = 20'));
  return dir;
}

