/**
 * What the start's warm-up (src/engine/warm-up.ts) buys: the CPU time of a fresh engine's first
 * decisions — the first payments of registered accounts, as on a server fresh from a start — after
 * a warm-up of K synthetic payments on a scratch engine, against the floor of the same decisions by
 * code already optimized (the same run again, on a second fresh engine, in the same process). Each
 * K runs in its own process, so V8 starts cold every time. Prints the first decisions' time per
 * payment and its ratio to the floor; the warm-up's own time is what the start pays.
 *
 * usage: node dist/bench/warm-up.js [--warm 0,5000,20000] [--decisions 4000] [--rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEvent } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { warmUp } from '../src/engine/warm-up.js';
import { referenceEvents, transactionText } from './tx-traffic.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/warm-up.js [--warm 0,5000,20000] [--decisions 4000] [--rounds 3]');
const decisions = Number(flag('decisions') ?? '4000');

/** In a child: warm up K, then time `decisions` first payments on a fresh engine, then the floor. */
function child(k: number): void {
  const policy = loadPolicy();
  const make = (): Engine => new Engine(policy);
  const warm = k > 0 ? warmUp(make, k).ms : 0;
  const reference = referenceEvents().map((e) => parseEvent(e));
  const texts = Array.from({ length: decisions }, (_, i) => transactionText('w', i));
  const run = (): number => {
    const engine = make();
    for (const e of reference) engine.apply(e);
    const t0 = performance.now();
    for (const t of texts) engine.apply(parseEvent(JSON.parse(t) as unknown));
    return ((performance.now() - t0) * 1000) / decisions;
  };
  const first = run();
  const floor = run();
  process.stdout.write(JSON.stringify({ warm, first, floor }));
}

if (process.argv[2] === '--child') child(Number(process.argv[3]));
else {
  const ks = (flag('warm') ?? '0,5000,20000').split(',').map(Number);
  const rounds = Number(flag('rounds') ?? '3');
  console.log(`first ${decisions} payments of registered accounts on a fresh engine, µs a payment (median of ${rounds} processes each)`);
  for (const k of ks) {
    const rs = Array.from({ length: rounds }, () => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(k), '--decisions', String(decisions)], { encoding: 'utf8' })) as { warm: number; first: number; floor: number });
    const med = (f: (r: (typeof rs)[number]) => number): number => rs.map(f).sort((a, b) => a - b)[rs.length >> 1];
    console.log(`  warm-up ${String(k).padStart(6)}: ${med((r) => r.first).toFixed(1)} µs (${med((r) => r.first / r.floor).toFixed(2)}× the optimized floor, ${med((r) => r.floor).toFixed(1)} µs); the warm-up took ${med((r) => r.warm).toFixed(0)} ms`);
  }
}
