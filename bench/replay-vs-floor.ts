/**
 * Replay throughput against its floor, side by side in one run: `fengkong replay` with the default
 * policy versus a plain script that only reads, parses and writes a fixed line (bench/replay-floor).
 * Both run as fresh child processes on the same file, alternating, best of N each.
 *
 * usage: node dist/bench/replay-vs-floor.js [--events FILE] [--accounts 20000] [--days 30] [--rounds 3]
 * Without --events a world is simulated first into a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/replay-vs-floor.js [--events FILE] [--accounts 20000] [--days 30] [--rounds 3]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const FLOOR = join(PACKAGE_ROOT, 'dist', 'bench', 'replay-floor.js');

function timed(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return (performance.now() - t0) / 1000;
}

const work = mkdtempSync(join(tmpdir(), 'fk-bench-replay-'));
try {
  let events = flag('events');
  if (events === undefined) {
    const accounts = flag('accounts') ?? '20000';
    const days = flag('days') ?? '30';
    process.stderr.write(`simulating ${accounts} accounts × ${days} days …\n`);
    execFileSync(process.execPath, [FENGKONG, 'simulate', '--out', work, '--accounts', accounts, '--days', days], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    events = join(work, 'events.jsonl');
  }
  if (!existsSync(events)) throw new Error(`no events file at ${events}`);
  const rounds = Number(flag('rounds') ?? '3');
  const out = join(work, 'decisions.jsonl');
  let floor = Infinity;
  let replay = Infinity;
  for (let r = 0; r < rounds; r++) {
    floor = Math.min(floor, timed([FLOOR, events, out]));
    replay = Math.min(replay, timed([FENGKONG, 'replay', events, '--out', out, '--quiet']));
    process.stderr.write(`round ${r + 1}: floor ${floor.toFixed(2)} s, replay ${replay.toFixed(2)} s\n`);
  }
  const txs = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  const ratio = replay / floor;
  console.log(`replay-vs-floor: ${txs} transactions`);
  console.log(`  floor  (read + JSON.parse + fixed line): ${floor.toFixed(2)} s`);
  console.log(`  fengkong replay, default policy:        ${replay.toFixed(2)} s (${Math.round(txs / replay)} tx/s)`);
  console.log(`  ratio replay / floor: ${ratio.toFixed(2)}× (target ≤ 4×) ${ratio <= 4 ? 'PASS' : 'FAIL'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
