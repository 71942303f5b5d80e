/**
 * Latency of one decision in process (target: p99 under 50 µs), with the default policy, over a
 * simulated world. Side by side, the floor every engine pays before deciding: parsing and
 * validating the same payment from its JSON line. Printed as quantiles and ratios.
 *
 * usage: node dist/bench/decide-latency.js [--events FILE] [--accounts 5000] [--days 14]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventText } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { simulate } from '../src/sim/simulate.js';
import { flag, quantile } from './util.js';

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
  const lines = readFileSync(events, 'utf8').split('\n').filter(Boolean);
  const engine = new Engine(loadPolicy());
  const decide: number[] = [];
  const parse: number[] = [];
  const warmup = Math.floor(lines.length / 10);
  for (let i = 0; i < lines.length; i++) {
    const p0 = process.hrtime.bigint();
    const ev = parseEventText(lines[i]);
    const p1 = process.hrtime.bigint();
    engine.apply(ev);
    const p2 = process.hrtime.bigint();
    if (ev.type === 'transaction' && i >= warmup) {
      parse.push(Number(p1 - p0) / 1000);
      decide.push(Number(p2 - p1) / 1000);
    }
  }
  const sd = Float64Array.from(decide).sort();
  const sp = Float64Array.from(parse).sort();
  const row = (name: string, s: Float64Array): string =>
    `  ${name.padEnd(34)} p50 ${quantile(s, 0.5).toFixed(1).padStart(6)} µs  p99 ${quantile(s, 0.99).toFixed(1).padStart(6)} µs  p99.9 ${quantile(s, 0.999).toFixed(1).padStart(7)} µs`;
  const p99 = quantile(sd, 0.99);
  console.log(`decide-latency: ${sd.length} decisions measured (after ${warmup} warm-up events)`);
  console.log(row('floor: parse + validate the line', sp));
  console.log(row('engine.decide, default policy', sd));
  console.log(`  ratio p99 decide / p99 parse: ${(p99 / quantile(sp, 0.99)).toFixed(2)}×`);
  console.log(`  p99 target < 50 µs: ${p99 < 50 ? 'PASS' : 'FAIL'} (${p99.toFixed(1)} µs)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
