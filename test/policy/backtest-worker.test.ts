// The backtest on a worker thread: same report as in process, errors come back as Fengkong errors,
// and it reads a consistent snapshot of a journal the main thread keeps writing, while the main
// thread's event loop stays free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyCompileError, StoreError } from '../../src/errors.js';
import { runBacktest } from '../../src/policy/backtest.js';
import { runBacktestInWorker } from '../../src/policy/backtest-in-worker.js';
import type { BacktestProgress } from '../../src/policy/backtest.js';
import { sqliteWorkerAdapter } from '../../src/store/sqlite/worker-factory.js';
import { draftPolicy, DRAFT_SOURCES, EntryBuilder, FROM, handJournal, payment, tempStore, TO } from './backtest-fixture.js';

test('worker: the same report as in process, with progress', async () => {
  const { store, dir, cleanup } = tempStore(handJournal());
  try {
    const local = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO });
    const progress: BacktestProgress[] = [];
    const remote = await runBacktestInWorker(sqliteWorkerAdapter(dir), DRAFT_SOURCES, { from: FROM, to: TO, onProgress: (p) => progress.push(p) });
    const strip = (r: typeof local) => ({ ...r, run: { ...r.run, durationMs: 0 } });
    assert.deepEqual(strip(remote), strip(local));
    assert.ok(progress.some((p) => p.phase === 'labels') && progress.some((p) => p.phase === 'replay'));
  } finally {
    cleanup();
  }
});

test('worker: a draft that does not compile rejects with its diagnostics; a missing store with a StoreError', async () => {
  const { dir, cleanup } = tempStore(handJournal());
  try {
    await assert.rejects(
      runBacktestInWorker(sqliteWorkerAdapter(dir), [{ file: 'bad.fk', text: 'rule R\n  when amout > 1\n  outcome decline\n' }]),
      (e: unknown) => e instanceof PolicyCompileError && e.diagnostics.some((d) => d.file === 'bad.fk' && /amout/.test(d.message)),
    );
    await assert.rejects(runBacktestInWorker(sqliteWorkerAdapter(`${dir}/nowhere`), DRAFT_SOURCES), StoreError);
    const ac = new AbortController();
    const p = runBacktestInWorker(sqliteWorkerAdapter(dir), DRAFT_SOURCES, { signal: ac.signal });
    ac.abort(new Error('stopped'));
    await assert.rejects(p, /stopped/);
  } finally {
    cleanup();
  }
});

test('worker: backtests a journal the main thread keeps appending to, without blocking it', async (t) => {
  // 30,000 payments of 300 accounts, one a minute-ish, all approved live
  const BASE = 30_000;
  const b = new EntryBuilder();
  const next = (i: number): void => {
    b.payment(payment(`c${i}`, `A${i % 300}`, 20 + (i % 7) * 150, i * 2_000), 'approve', 0);
  };
  for (let i = 0; i < BASE; i++) next(i);
  const { store, dir, cleanup } = tempStore(b.entries);
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let done = false;
    const run = runBacktestInWorker(sqliteWorkerAdapter(dir), DRAFT_SOURCES).finally(() => (done = true));
    // the main thread appends 500 payments per turn while the worker reads
    let appended = 0;
    while (!done && appended < 20_000) {
      b.entries.length = 0;
      for (let k = 0; k < 500; k++) next(BASE + appended++);
      store.append(b.entries);
      await new Promise((r) => setImmediate(r));
    }
    const report = await run;
    clearInterval(timer);
    t.diagnostic(`snapshot at seq ${report.run.lastSeq}; ${appended} payments appended meanwhile; ${ticks} timer ticks`);
    assert.ok(appended > 0, 'appends happened during the backtest');
    // the worker saw a snapshot: every payment up to the lastSeq it started with, no more, no less
    assert.ok(report.run.lastSeq >= BASE && report.run.lastSeq <= BASE + appended, `lastSeq ${report.run.lastSeq}`);
    assert.equal(report.run.transactions, report.run.lastSeq);
    assert.equal(report.run.endSeq, report.run.lastSeq);
    // live approved everything; the draft flags ¥500+ payments and bursts, but all were compared
    assert.equal(report.live.outcomes.approve, report.run.lastSeq);
    assert.equal(report.transitions.approve.approve + report.changed.total, report.run.lastSeq);
    assert.ok(ticks > 5, `the main thread's timers kept running (${ticks} ticks)`);
    assert.equal(store.lastSeq(), BASE + appended);
  } finally {
    cleanup();
  }
});
