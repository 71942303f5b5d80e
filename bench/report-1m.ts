/**
 * `fengkong report` over ≥ 1M journaled payments, against the target (20 s) and, side by
 * side, a floor: a plain pass that reads the same journal rows with the same statement (the label
 * rows, and the payment rows of the period and the previous one) and JSON.parses each event and
 * decision — what any report over them must at least pay.
 *
 * The journal is the backtest benchmark's (bench/backtest-1m.ts), cached in /tmp/bt-bench and read
 * only: a simulated world of 40,000 accounts × 30 days (≈ 1.06M payments) decided by the default
 * policy. When it is missing it is built the same way. Two reports: the whole month (every payment
 * in the period, the previous period empty), and its second half (half in the period, half in the
 * previous period the drift is measured against). Floor and report run as fresh child processes,
 * alternating, best of --rounds; the report is the real CLI writing the HTML file.
 *
 * usage: node dist/bench/report-1m.js [--cache /tmp/bt-bench] [--rounds 1] [--out /tmp/rep-bench]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { firstSeqAtOrAfter } from '../src/policy/backtest-read.js';
import { SCAN_GRACE_MS } from '../src/policy/rule-performance-read.js';
import { parseBound } from '../src/report/range.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { buildJournal, simulate } from './journal-cache.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/report-1m.js [--cache /tmp/bt-bench] [--rounds 1] [--out /tmp/rep-bench]');

const TARGET_S = 20;
const SELF = fileURLToPath(import.meta.url);
const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

// ---------------------------------------------------------------- child processes: one timed pass each

/** Reads the rows a report over [from, to) reads and JSON.parses every event and decision. */
function floorPass(data: string, from: number, to: number): Record<string, number> {
  const t0 = performance.now();
  const store = new SqliteStore(data, { readonly: true });
  const lastSeq = store.lastSeq();
  let rows = 0;
  let bytes = 0;
  let check = 0;
  store.forEachEventInRange({ fromSeq: 1, toSeq: lastSeq, type: 'label' }, (e) => {
    rows++;
    bytes += e.event.length;
    check += (JSON.parse(e.event) as { fraud: boolean }).fraud ? 1 : 0;
  });
  const prevFrom = from - (to - from);
  const first = firstSeqAtOrAfter(store, prevFrom - SCAN_GRACE_MS, lastSeq);
  let payments = 0;
  store.forEachEventInRange({ fromSeq: first, toSeq: lastSeq, type: 'transaction' }, (e) => {
    const ev = JSON.parse(e.event) as { t: number };
    if (ev.t >= to + SCAN_GRACE_MS) return false;
    rows++;
    payments++;
    bytes += e.event.length + (e.decision?.length ?? 0);
    check += ev.t & 1;
    if (e.decision !== null) check += (JSON.parse(e.decision) as { score: number }).score > 50 ? 1 : 0;
    return true;
  });
  store.close();
  return { ms: performance.now() - t0, rows, payments, bytes, check };
}

/** The real CLI, writing the HTML file. */
function reportPass(data: string, from: string, to: string, out: string): Record<string, number> {
  const t0 = performance.now();
  execFileSync(process.execPath, [FENGKONG, 'report', '--data', data, '--from', from, '--to', to, '--out', out, '--quiet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ms = performance.now() - t0;
  return { ms, bytes: statSync(out).size };
}

// ---------------------------------------------------------------- building the cached journal (as bench/backtest-1m.ts)


// ---------------------------------------------------------------- main

function child(args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, [SELF, '--child', 'floor', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out) as Record<string, number>;
}

async function main(): Promise<void> {
  if (flag('child') === 'floor') {
    process.stdout.write(JSON.stringify(floorPass(flag('data')!, Number(flag('from')), Number(flag('to')))));
    return;
  }
  const cache = flag('cache') ?? '/tmp/bt-bench';
  const rounds = Number(flag('rounds') ?? '1');
  const outDir = flag('out') ?? '/tmp/rep-bench';
  mkdirSync(outDir, { recursive: true });
  const name = 's7-a40000-d30';
  const data = join(cache, `journal-${name}`);
  if (!existsSync(join(data, 'fengkong.db'))) {
    mkdirSync(cache, { recursive: true });
    await buildJournal(simulate(join(cache, `world-${name}`), '7', '40000', '30'), data);
  }
  // the simulated month starts 2026-10-01 (+08:00) and runs 30 days
  const cases: [string, string, string][] = [
    ['whole month (previous period empty)', '2026-10-01', '2026-10-31'],
    ['second half, first half as the previous period', '2026-10-16', '2026-10-31'],
  ];
  for (const [label, from, to] of cases) {
    let floor: Record<string, number> | null = null;
    let rep: Record<string, number> | null = null;
    const out = join(outDir, `report-${from}.html`);
    for (let r = 0; r < rounds; r++) {
      const f = child(['--data', data, '--from', String(parseBound(from)), '--to', String(parseBound(to))]);
      if (floor === null || f.ms < floor.ms) floor = f;
      const p = reportPass(data, from, to, out);
      if (rep === null || p.ms < rep.ms) rep = p;
      process.stderr.write(`${label}, round ${r + 1}: floor ${(f.ms / 1000).toFixed(2)} s, report ${(p.ms / 1000).toFixed(2)} s\n`);
    }
    const f = floor!;
    const p = rep!;
    const s = p.ms / 1000;
    console.log(`report-1m, ${label}: ${from} … ${to}, ${f.payments} payment rows read (+ labels), ${(f.bytes / 1e6).toFixed(0)} MB of JSON`);
    console.log(`  floor (read the same rows + JSON.parse event and decision): ${(f.ms / 1000).toFixed(2)} s`);
    console.log(`  fengkong report (child process, HTML written, ${(p.bytes / 1024).toFixed(0)} KiB): ${s.toFixed(2)} s, target < ${TARGET_S} s ${s < TARGET_S ? 'PASS' : 'FAIL'}`);
    console.log(`  ratio report / floor: ${(p.ms / f.ms).toFixed(2)}×`);
  }
}

await main();
