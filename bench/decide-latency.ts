/**
 * Latency of one decision in process (target: p99 under 50 µs), with the default policy, over a
 * simulated world, read line by line as replay does. Side by side, two floors: parsing and
 * validating the same payment from its JSON line (what every engine pays first), and a loop of
 * constant pure-CPU work calibrated to the decision's median — its tail is what the machine alone
 * adds (timer ticks, preemption, a virtual machine's steal), so it tells the engine's tail from the
 * machine's. Printed as quantiles and ratios.
 *
 * usage: node dist/bench/decide-latency.js [--events FILE] [--accounts 5000] [--days 14]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventText } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { forEachLine, openInput } from '../src/io/lines.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { simulate } from '../src/sim/simulate.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/decide-latency.js [--events FILE] [--accounts 5000] [--days 14]');

/** Times `n` runs of a pure-CPU loop sized to take about `medianUs` each; sorted µs. */
function cpuLoopFloor(medianUs: number, n: number): Float64Array {
  let x = 0;
  const spin = (k: number): void => {
    for (let j = 0; j < k; j++) x += Math.sqrt(j + x);
  };
  const out = new Float64Array(n);
  let k = 1000;
  for (let round = 0; round < 3; round++) {
    const m = 5000;
    for (let r = 0; r < m; r++) {
      const a = performance.now();
      spin(k);
      out[r] = (performance.now() - a) * 1000;
    }
    const median = out.subarray(0, m).sort()[m >> 1];
    k = Math.max(1, Math.round((k * medianUs) / median));
  }
  for (let r = 0; r < n; r++) {
    const a = performance.now();
    spin(k);
    out[r] = (performance.now() - a) * 1000;
  }
  if (x === -1) console.log(x); // keep the work observable
  return out.sort();
}

const work = mkdtempSync(join(tmpdir(), 'fk-bench-latency-'));
try {
  let events = flag('events');
  if (events === undefined) {
    const accounts = Number(flag('accounts') ?? '5000');
    const days = Number(flag('days') ?? '14');
    process.stderr.write(`simulating ${accounts} accounts × ${days} days …\n`);
    await simulate({ outDir: work, seed: 7, accounts, days });
    events = join(work, 'events.jsonl');
  }
  const engine = new Engine(loadPolicy());
  const decide: number[] = [];
  const parse: number[] = [];
  const warmup = 50_000;
  let i = 0;
  await forEachLine(openInput(events), (line) => {
    const p0 = performance.now();
    const ev = parseEventText(line);
    const p1 = performance.now();
    engine.apply(ev);
    const p2 = performance.now();
    if (ev.type === 'transaction' && ++i > warmup) {
      parse.push((p1 - p0) * 1000);
      decide.push((p2 - p1) * 1000);
    }
  });
  const sd = Float64Array.from(decide).sort();
  const sp = Float64Array.from(parse).sort();
  const sc = cpuLoopFloor(quantile(sd, 0.5), sd.length);
  const row = (name: string, s: Float64Array): string =>
    `  ${name.padEnd(34)} p50 ${quantile(s, 0.5).toFixed(1).padStart(6)} µs  p99 ${quantile(s, 0.99).toFixed(1).padStart(6)} µs  p99.9 ${quantile(s, 0.999).toFixed(1).padStart(7)} µs`;
  const p99 = quantile(sd, 0.99);
  console.log(`decide-latency: ${sd.length} decisions measured (after ${warmup} warm-up events)`);
  console.log(row('floor: parse + validate the line', sp));
  console.log(row('floor: constant CPU work, same p50', sc));
  console.log(row('engine.decide, default policy', sd));
  console.log(`  ratio p99 decide / p99 parse: ${(p99 / quantile(sp, 0.99)).toFixed(2)}×`);
  console.log(`  ratio p99 decide / p99 constant work: ${(p99 / quantile(sc, 0.99)).toFixed(2)}× (1.0 = the tail is the machine's)`);
  console.log(`  p99 target < 50 µs: ${p99 < 50 ? 'PASS' : 'FAIL'} (${p99.toFixed(1)} µs)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
