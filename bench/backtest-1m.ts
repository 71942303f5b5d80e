/**
 * Backtest of a 200-rule draft over ≥ 1M journaled payments, against the target (30 s) and,
 * side by side, a floor: a plain pass that reads the same journal rows with the same statement and
 * JSON.parses each event and decision (what any replay of the journal must at least pay).
 *
 * The journal is built once and cached (never in the repository): a simulated world
 * (`fengkong simulate`, 40,000 accounts × 30 days ≈ 1.1M payments) decided by the default policy,
 * appended to a SQLite store in large batches with answers shaped as the server stores them. The
 * draft is the default pack plus generated rules over existing features, 200 rules in all.
 * Floor and backtest run as fresh child processes, alternating, best of --rounds.
 *
 * usage: node dist/bench/backtest-1m.js [--cache /tmp/bt-bench] [--accounts 40000] [--days 30] [--seed 7] [--rounds 1]
 *        [--profile DIR]   (runs the backtest child under --cpu-prof, profiles written to DIR)
 *        [--worker]        (runs the backtest through runBacktestInWorker, as the server does)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY_DIR, loadPolicy } from '../src/engine/policy-source.js';
import { BUILTINS } from '../src/features/catalog.js';
import { runBacktest } from '../src/policy/backtest.js';
import { runBacktestInWorker } from '../src/policy/backtest-in-worker.js';
import type { BacktestReport } from '../src/policy/backtest-report.js';
import { loadPolicyDir, readPolicyDir } from '../src/rules/load.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { sqliteWorkerAdapter } from '../src/store/sqlite/worker-factory.js';
import { buildJournal, simulate } from './journal-cache.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/backtest-1m.js [--cache /tmp/bt-bench] [--accounts 40000] [--days 30] [--seed 7] [--rounds 1]');

const TARGET_S = 30;
const DRAFT_RULES = 200;
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- child processes: one timed pass each

/** Reads every row and JSON.parses event and decision: the floor of any journal replay. */
function floorPass(data: string): Record<string, number> {
  const t0 = performance.now();
  const store = new SqliteStore(data, { readonly: true });
  let rows = 0;
  let bytes = 0;
  let check = 0;
  store.forEachEventInRange({}, (e) => {
    rows++;
    bytes += e.event.length + (e.decision?.length ?? 0);
    const ev = JSON.parse(e.event) as { t: number };
    check += ev.t & 1;
    if (e.decision !== null) check += (JSON.parse(e.decision) as { score: number }).score > 50 ? 1 : 0;
  });
  store.close();
  return { ms: performance.now() - t0, rows, bytes, check };
}

async function backtestPass(data: string, policyDir: string, inWorker: boolean): Promise<Record<string, number>> {
  const t0 = performance.now();
  let r: BacktestReport;
  if (inWorker) r = await runBacktestInWorker(sqliteWorkerAdapter(data), readPolicyDir(policyDir), { policyName: 'draft-200' });
  else {
    const draft = loadPolicyDir(policyDir, BUILTINS, 'draft-200');
    const store = new SqliteStore(data, { readonly: true });
    r = runBacktest({ journal: store, draft });
    store.close();
  }
  return {
    ms: performance.now() - t0,
    rules: r.run.draftRules,
    events: r.run.eventsReplayed,
    transactions: r.run.transactions,
    changed: r.changed.total,
    liveAlerts: r.live.transactions - r.live.outcomes.approve,
    draftAlerts: r.draft.transactions - r.draft.outcomes.approve,
    fraud: r.labels.fraud,
    liveRecall: r.live.recall ?? NaN,
    draftRecall: r.draft.recall ?? NaN,
  };
}

// ---------------------------------------------------------------- building the cached inputs


/**
 * The default pack plus generated rules up to 200: thresholds over the pack's own window features
 * and the builtins, most adding a few points, some asking for review of large payments, so the
 * draft both changes scores and moves some outcomes.
 */
function generatedRules(count: number): string {
  const numeric: [string, number[]][] = [
    ['tx_1h', [3, 4, 5, 6, 7, 10]],
    ['spend_24h', [200_000, 300_000, 500_000, 800_000, 1_200_000]],
    ['small_tx_10m', [2, 3, 4]],
    ['devices_24h', [2, 3, 4]],
    ['acct_merchant_1h', [2, 4, 5]],
    ['acct_merchant_spend_1h', [100_000, 300_000, 600_000]],
    ['device_accounts_24h', [2, 3, 5]],
    ['ip_accounts_1h', [2, 3, 5]],
    ['merchant_cashout_accounts_24h', [2, 3, 4]],
    ['merchant_night_large_24h', [2, 3, 5]],
    ['terminal_merchants_24h', [2, 3]],
    ['terminal_mccs_24h', [2, 3]],
    ['utilisation', [0.5, 0.6, 0.7, 0.9, 0.95]],
    ['amount_to_limit', [0.1, 0.2, 0.3, 0.5]],
    ['amount_vs_mean', [2, 4, 6, 8]],
    ['amount_vs_max', [1.5, 2, 3]],
    ['distance_from_home_km', [50, 200, 500, 1000]],
    ['distance_from_last_km', [100, 300, 800]],
    ['speed_from_last_kmh', [300, 600, 900]],
    ['device_changes_30d', [2, 3, 4]],
    ['complaints_30d', [1, 2]],
    ['terminal_distance_km', [5, 10, 20]],
    ['merchant_distance_km', [10, 30]],
    ['terminal_fraud_rate_7d', [0.05, 0.1, 0.2]],
    ['merchant_fraud_rate_30d', [0.05, 0.1]],
    ['terminal_fraud_30d', [1, 2, 3]],
  ];
  const amounts = [20_000, 50_000, 100_000, 300_000];
  const lines: string[] = ['# generated for bench/backtest-1m.ts: thresholds over existing features', ''];
  let n = 0;
  outer: for (const amount of [0, ...amounts]) {
    for (const [feature, thresholds] of numeric) {
      for (const t of thresholds) {
        if (n >= count) break outer;
        n++;
        const when = amount === 0 ? `${feature} >= ${t}` : `${feature} >= ${t} and amount >= ${amount}`;
        const action = n % 4 === 0 && amount >= 100_000 ? 'outcome review\n  score 5' : `score ${1 + (n % 5)}`;
        lines.push(`rule GEN_${String(n).padStart(3, '0')}`, `  description "generated: ${when}"`, `  when ${when}`, `  ${action}`, '');
      }
    }
  }
  if (n < count) throw new Error(`only ${n} rules generated`);
  return lines.join('\n');
}

/** Writes the draft folder afresh (cheap; keeps it in step with this file). */
function buildDraft(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(DEFAULT_POLICY_DIR)) if (f.endsWith('.fk')) cpSync(join(DEFAULT_POLICY_DIR, f), join(dir, f));
  const base = loadPolicy().rules.length;
  writeFileSync(join(dir, '90-generated.fk'), generatedRules(DRAFT_RULES - base));
}

// ---------------------------------------------------------------- main

function child(mode: string, args: string[], profileDir?: string): Record<string, number> {
  const node = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const out = execFileSync(process.execPath, [...node, SELF, '--child', mode, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Record<string, number>;
}

async function main(): Promise<void> {
  const mode = flag('child');
  if (mode === 'floor') {
    process.stdout.write(JSON.stringify(floorPass(flag('data')!)));
    return;
  }
  if (mode === 'backtest') {
    process.stdout.write(JSON.stringify(await backtestPass(flag('data')!, flag('policy')!, flag('worker') === 'yes')));
    return;
  }
  const cache = flag('cache') ?? '/tmp/bt-bench';
  const seed = flag('seed') ?? '7';
  const accounts = flag('accounts') ?? '40000';
  const days = flag('days') ?? '30';
  const rounds = Number(flag('rounds') ?? '1');
  const profile = flag('profile');
  const worker = process.argv.includes('--worker') ? 'yes' : 'no';
  mkdirSync(cache, { recursive: true });
  const name = `s${seed}-a${accounts}-d${days}`;
  const events = simulate(join(cache, `world-${name}`), seed, accounts, days);
  const data = join(cache, `journal-${name}`);
  await buildJournal(events, data);
  const draftDir = join(cache, `draft-${DRAFT_RULES}`);
  buildDraft(draftDir);

  let floor: Record<string, number> | null = null;
  let bt: Record<string, number> | null = null;
  for (let r = 0; r < rounds; r++) {
    const f = child('floor', ['--data', data]);
    if (floor === null || f.ms < floor.ms) floor = f;
    const b = child('backtest', ['--data', data, '--policy', draftDir, '--worker', worker], profile);
    if (bt === null || b.ms < bt.ms) bt = b;
    process.stderr.write(`round ${r + 1}: floor ${(f.ms / 1000).toFixed(2)} s, backtest ${(b.ms / 1000).toFixed(2)} s\n`);
  }
  const f = floor!;
  const b = bt!;
  const s = b.ms / 1000;
  console.log(`backtest-1m: ${f.rows} journal entries (${(f.bytes / 1e6).toFixed(0)} MB of JSON), ${b.transactions} payments compared`);
  console.log(`  floor (read rows + JSON.parse event and decision): ${(f.ms / 1000).toFixed(2)} s`);
  console.log(
    `  backtest${worker === 'yes' ? ' (worker thread)' : ''}, ${b.rules}-rule draft over the full range:  ${s.toFixed(2)} s (${Math.round(b.events / s)} events/s), ` +
      `target < ${TARGET_S} s ${s < TARGET_S ? 'PASS' : 'FAIL'}`,
  );
  console.log(`  ratio backtest / floor: ${(b.ms / f.ms).toFixed(2)}×`);
  console.log(
    `  report: ${b.changed} outcome changes; alerts live ${b.liveAlerts}, draft ${b.draftAlerts}; ` +
      `${b.fraud} fraud payments, recall live ${(100 * b.liveRecall).toFixed(1)}%, draft ${(100 * b.draftRecall).toFixed(1)}%`,
  );
}

await main();
