/**
 * What rule actions cost the decision: the same simulated world replayed through the default
 * policy, and through the default policy plus two rules with actions (a freeze on very large
 * payments, a step-up and a device watch list on bursts) — after one unmeasured run of each, rounds
 * in one process that alternate which goes first, each engine fresh. Prints µs per payment of each, their ratio (the floor is the plain policy), and how
 * many actions the acting policy took.
 *
 * usage: node dist/bench/rule-actions.js [--accounts 3000] [--days 14] [--rounds 3]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventText } from '../src/contract/parse.js';
import type { FkEvent } from '../src/contract/events.js';
import { Engine } from '../src/engine/engine.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from '../src/engine/policy-source.js';
import { BUILTINS } from '../src/features/catalog.js';
import { compilePolicy } from '../src/rules/compile.js';
import type { CompiledPolicy } from '../src/rules/policy-types.js';
import { simulate } from '../src/sim/simulate.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/rule-actions.js [--accounts 3000] [--days 14] [--rounds 3]');

const ACTING = `
rule BENCH_FREEZE_HUGE
  when amount >= ¥9000
  outcome decline
  action freeze_account for 24h

rule BENCH_BURST_STEP_UP
  when small_tx_10m >= 5
  outcome challenge
  action require_step_up for 2d
  action add_to_list device "watch_devices" for 30d

rule BENCH_WATCHED_DEVICE
  when in_list(device, "watch_devices")
  score 1
`;

/** µs per payment of one replay, and the actions its decisions named. */
function run(policy: CompiledPolicy, events: readonly FkEvent[]): { usPerPayment: number; actions: number } {
  const engine = new Engine(policy);
  let payments = 0;
  let actions = 0;
  const t0 = performance.now();
  for (const e of events) {
    const d = engine.apply(e);
    if (d !== null) {
      payments++;
      if (d.actions !== undefined) actions += d.actions.length;
    }
  }
  return { usPerPayment: ((performance.now() - t0) * 1000) / payments, actions };
}

const work = mkdtempSync(join(tmpdir(), 'fk-bench-actions-'));
try {
  const accounts = Number(flag('accounts') ?? '3000');
  const days = Number(flag('days') ?? '14');
  const rounds = Number(flag('rounds') ?? '3');
  process.stderr.write(`simulating ${accounts} accounts × ${days} days …\n`);
  await simulate({ outDir: work, seed: 11, accounts, days });
  const events = readFileSync(join(work, 'events.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseEventText(l));
  const plain = loadPolicy();
  const pack = readdirSync(DEFAULT_POLICY_DIR).filter((f) => f.endsWith('.fk')).sort().map((f) => ({ file: f, text: readFileSync(join(DEFAULT_POLICY_DIR, f), 'utf8') }));
  const acting = compilePolicy([...pack, { file: '90-bench.fk', text: ACTING }], BUILTINS, 'acting');
  const plainUs: number[] = [];
  const actingUs: number[] = [];
  let taken = 0;
  // one unmeasured run of each first (the JIT), then rounds that alternate which goes first
  run(plain, events);
  run(acting, events);
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0 ? plain : acting;
    for (const p of [first, first === plain ? acting : plain]) {
      const x = run(p, events);
      if (p === plain) plainUs.push(x.usPerPayment);
      else {
        actingUs.push(x.usPerPayment);
        taken = x.actions;
      }
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`rule-actions: ${events.length} events, ${rounds} alternating rounds, medians`);
  console.log(`  floor: default policy                 ${median(plainUs).toFixed(2)} µs/payment`);
  console.log(`  default + 3 rules, 2 of them acting    ${median(actingUs).toFixed(2)} µs/payment (${taken} actions named, caps included)`);
  console.log(`  ratio acting / floor: ${(median(actingUs) / median(plainUs)).toFixed(3)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
