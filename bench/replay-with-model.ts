/**
 * Replay with a trained model against replay without it, side by side in one run (target: at most
 * 1.5× the time). Both are fresh `fengkong replay` child processes on the same file, alternating,
 * best of N each.
 *
 * usage: node dist/bench/replay-with-model.js --events FILE --model model.json [--rounds 3]
 *   or:  node dist/bench/replay-with-model.js            (simulates a world, trains on its first 20 days)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/replay-with-model.js --events FILE --model model.json [--rounds 3]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

function timed(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [FENGKONG, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return (performance.now() - t0) / 1000;
}

const work = mkdtempSync(join(tmpdir(), 'fk-bench-model-'));
try {
  let events = flag('events');
  let model = flag('model');
  if (events === undefined || model === undefined) {
    process.stderr.write('simulating 20,000 accounts × 30 days and training on the first 20 days …\n');
    execFileSync(process.execPath, [FENGKONG, 'simulate', '--out', work, '--quiet'], { stdio: 'ignore' });
    events = join(work, 'events.jsonl');
    model = join(work, 'model.json');
    execFileSync(process.execPath, [FENGKONG, 'train', events, '--out', model, '--to', '2026-10-21', '--quiet'], { stdio: 'ignore' });
  }
  const rounds = Number(flag('rounds') ?? '3');
  const out = join(work, 'decisions.jsonl');
  let plain = Infinity;
  let withModel = Infinity;
  for (let r = 0; r < rounds; r++) {
    plain = Math.min(plain, timed(['replay', events, '--out', out, '--quiet']));
    withModel = Math.min(withModel, timed(['replay', events, '--out', out, '--quiet', '--model', model]));
    process.stderr.write(`round ${r + 1}: without ${plain.toFixed(2)} s, with model ${withModel.toFixed(2)} s\n`);
  }
  const ratio = withModel / plain;
  console.log(`replay-with-model: ${events}`);
  console.log(`  replay, default policy:          ${plain.toFixed(2)} s`);
  console.log(`  replay, default policy + model:  ${withModel.toFixed(2)} s`);
  console.log(`  ratio: ${ratio.toFixed(2)}× (target ≤ 1.5×) ${ratio <= 1.5 ? 'PASS' : 'FAIL'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
