// The contract every BacktestStore adapter passes: runs numbered in request order, moving
// queued → running → done (or failed, cancelled) and never back, reports kept whole, listings per
// version paged newest first, and everything durable across a restart.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { BacktestReport } from '../../../src/policy/backtest-report.js';
import { summarize, type BacktestFailure, type BacktestParams, type BacktestStore } from '../../../src/policy/backtest-store.js';
import { contractIt, type Open } from './harness.js';

const PARAMS: BacktestParams = { from: 1_700_000_000_000, to: 1_700_086_400_000, warmUpDays: null, maxChanged: 50 };

/** A report as the store sees it: JSON, with the fields its summary reads. */
function report(transactions: number): BacktestReport {
  const side = (alertRate: number) => ({ alertRate, precision: 0.5, recall: null, fraud: { caught: 3, missedAmount: 1200 }, legitimate: { declined: 2 } });
  return {
    run: { transactions, durationMs: 42, lastSeq: 99 },
    changed: { total: 4, list: [{ txId: 't1', live: 'approve', draft: 'decline' }] },
    labels: { fraud: 6 },
    live: side(0.1),
    draft: side(0.2),
    note: 'ünïcode and "quotes"',
  } as unknown as BacktestReport;
}

/** Registers the BacktestStore suite for one adapter. */
export function backtestsContract(name: string, open: Open<BacktestStore>): void {
  describe(`BacktestStore contract: ${name}`, () => {
    contractIt(open, 'a run is recorded queued, as asked, numbered in request order', (_h, s) => {
      const t0 = Date.now();
      const a = s.create(3, PARAMS, 'key_a');
      assert.deepEqual({ ...a, requestedAt: 0 }, {
        id: a.id, version: 3, state: 'queued', params: PARAMS, requestedBy: 'key_a', requestedAt: 0, startedAt: null, finishedAt: null, error: null, summary: null,
      });
      assert.ok(a.requestedAt >= t0 - 1000 && a.requestedAt <= Date.now() + 1000);
      assert.ok(s.create(3, PARAMS, 'key_b').id > a.id);
      assert.deepEqual(s.get(a.id), a);
      assert.equal(s.get(a.id + 100), undefined);
      assert.equal(s.report(a.id), null);
      assert.equal(s.report(a.id + 100), null);
    });

    contractIt(open, 'queued → running → done keeps the report whole and its summary', (_h, s) => {
      const { id } = s.create(1, PARAMS, 'k');
      s.start(id);
      const running = s.get(id)!;
      assert.equal(running.state, 'running');
      assert.equal(typeof running.startedAt, 'number');
      s.finish(id, report(10));
      const done = s.get(id)!;
      assert.deepEqual([done.state, typeof done.finishedAt, done.error], ['done', 'number', null]);
      assert.deepEqual(done.summary, summarize(report(10)));
      assert.deepEqual(s.report(id), report(10));
    });

    contractIt(open, 'a state left is never entered again: late transitions change nothing', (_h, s) => {
      const a = s.create(1, PARAMS, 'k');
      s.finish(a.id, report(1));
      assert.equal(s.get(a.id)?.state, 'queued', 'only a running run finishes');
      s.start(a.id);
      s.end(a.id, 'cancelled', { message: 'shutting down', code: null });
      s.start(a.id);
      s.finish(a.id, report(1));
      s.end(a.id, 'failed', { message: 'late', code: 'FK999' });
      const c = s.get(a.id)!;
      assert.deepEqual([c.state, c.error, c.summary], ['cancelled', { message: 'shutting down', code: null }, null]);
      assert.equal(s.report(a.id), null);
      const b = s.create(1, PARAMS, 'k');
      s.start(b.id);
      s.finish(b.id, report(2));
      s.end(b.id, 'failed', { message: 'x', code: null });
      assert.equal(s.get(b.id)?.state, 'done');
    });

    contractIt(open, 'a failure keeps why, with a draft\'s diagnostics', (_h, s) => {
      const { id } = s.create(1, PARAMS, 'k');
      const why: BacktestFailure = {
        message: 'does not compile',
        code: 'FK004',
        diagnostics: [{ code: 'unknown-feature', message: 'unknown feature amout', file: 'a.fk', line: 3, column: 5, severity: 'error' }],
      };
      s.end(id, 'failed', why);
      assert.deepEqual([s.get(id)?.state, s.get(id)?.error], ['failed', why]);
    });

    contractIt(open, 'cancelOpen ends every queued and running run, and only those', (_h, s) => {
      const queued = s.create(1, PARAMS, 'k');
      const running = s.create(1, PARAMS, 'k');
      s.start(running.id);
      const done = s.create(2, PARAMS, 'k');
      s.start(done.id);
      s.finish(done.id, report(3));
      assert.equal(s.cancelOpen('the server stopped before this backtest finished'), 2);
      assert.deepEqual([s.get(queued.id)?.state, s.get(running.id)?.state, s.get(done.id)?.state], ['cancelled', 'cancelled', 'done']);
      assert.deepEqual(s.get(queued.id)?.error, { message: 'the server stopped before this backtest finished', code: null });
      assert.equal(s.cancelOpen('again'), 0);
    });

    contractIt(open, 'lists a version\'s runs newest first, below a cursor, at most a limit', (_h, s) => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(s.create(7, PARAMS, 'k').id);
        s.create(8, PARAMS, 'k');
      }
      assert.deepEqual(s.list(7).map((r) => r.id), [...ids].reverse());
      assert.deepEqual(s.list(7, { limit: 2 }).map((r) => r.id), [ids[4], ids[3]]);
      assert.deepEqual(s.list(7, { before: ids[3], limit: 2 }).map((r) => r.id), [ids[2], ids[1]]);
      assert.deepEqual(s.list(9), []);
    });

    contractIt(open, 'runs and reports survive a reopen', async (h, s) => {
      const { id } = s.create(1, PARAMS, 'k');
      s.start(id);
      s.finish(id, report(5));
      const again = await h.reopen();
      assert.deepEqual([again.get(id)?.state, again.get(id)?.summary?.transactions], ['done', 5]);
      assert.deepEqual(again.report(id), report(5));
      assert.ok(again.create(1, PARAMS, 'k').id > id);
    });
  });
}
