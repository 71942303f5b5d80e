// The contract every BacktestStore adapter passes: runs numbered in request order, moving
// queued → running → done (or failed, cancelled) and never back, reports kept whole, listings per
// version paged newest first, and everything durable across a restart. Every call is awaited, so
// the suite runs against a 'sync' adapter (SQLite) and an 'async' one (PostgreSQL) alike.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { BacktestReport } from '../../../src/policy/backtest-report.js';
import { summarize, type BacktestFailure, type BacktestParams, type BacktestStore } from '../../../src/policy/backtest-store.js';
import { anotherOf, contractIt, type Open } from './harness.js';

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
    contractIt(open, 'a run is recorded queued, as asked, numbered in request order', async (_h, s) => {
      const t0 = Date.now();
      const a = await s.create(3, PARAMS, 'key_a');
      assert.deepEqual({ ...a, requestedAt: 0 }, {
        id: a.id, version: 3, state: 'queued', params: PARAMS, requestedBy: 'key_a', requestedAt: 0, startedAt: null, finishedAt: null, error: null, summary: null,
      });
      assert.ok(a.requestedAt >= t0 - 1000 && a.requestedAt <= Date.now() + 1000);
      assert.ok((await s.create(3, PARAMS, 'key_b')).id > a.id);
      assert.deepEqual(await s.get(a.id), a);
      assert.equal(await s.get(a.id + 100), undefined);
      assert.equal(await s.report(a.id), null);
      assert.equal(await s.report(a.id + 100), null);
    });

    contractIt(open, 'ids are 1, 2, 3, … in request order, whichever handle asked', async (h, s) => {
      const other = await anotherOf(h);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push((await (i % 2 === 0 ? s : other).create(1, PARAMS, `k${i}`)).id);
      assert.deepEqual(ids, [1, 2, 3, 4, 5, 6]);
      assert.deepEqual((await other.list(1)).map((r) => [r.id, r.requestedBy]), ids.map((id, i) => [id, `k${i}`]).reverse());
    });

    contractIt(open, 'queued → running → done keeps the report whole and its summary', async (_h, s) => {
      const { id } = await s.create(1, PARAMS, 'k');
      await s.start(id);
      const running = (await s.get(id))!;
      assert.equal(running.state, 'running');
      assert.equal(typeof running.startedAt, 'number');
      await s.finish(id, report(10));
      const done = (await s.get(id))!;
      assert.deepEqual([done.state, typeof done.finishedAt, done.error], ['done', 'number', null]);
      assert.deepEqual(done.summary, summarize(report(10)));
      assert.deepEqual(await s.report(id), report(10));
    });

    contractIt(open, 'a state left is never entered again: late transitions change nothing', async (_h, s) => {
      const a = await s.create(1, PARAMS, 'k');
      await s.finish(a.id, report(1));
      assert.equal((await s.get(a.id))?.state, 'queued', 'only a running run finishes');
      await s.start(a.id);
      await s.end(a.id, 'cancelled', { message: 'shutting down', code: null });
      const cancelled = await s.get(a.id);
      await s.start(a.id);
      await s.finish(a.id, report(1));
      await s.end(a.id, 'failed', { message: 'late', code: 'FK999' });
      const c = (await s.get(a.id))!;
      assert.deepEqual(c, cancelled, 'not even a time changed');
      assert.deepEqual([c.state, c.error, c.summary], ['cancelled', { message: 'shutting down', code: null }, null]);
      assert.equal(await s.report(a.id), null);
      const b = await s.create(1, PARAMS, 'k');
      await s.start(b.id);
      await s.finish(b.id, report(2));
      await s.end(b.id, 'failed', { message: 'x', code: null });
      assert.equal((await s.get(b.id))?.state, 'done');
      assert.deepEqual(await s.report(b.id), report(2));
    });

    contractIt(open, 'a failure keeps why, with a draft\'s diagnostics', async (_h, s) => {
      const { id } = await s.create(1, PARAMS, 'k');
      const why: BacktestFailure = {
        message: 'does not compile',
        code: 'FK004',
        diagnostics: [{ code: 'unknown-feature', message: 'unknown feature amout', file: 'a.fk', line: 3, column: 5, severity: 'error' }],
      };
      await s.end(id, 'failed', why);
      const got = await s.get(id);
      assert.deepEqual([got?.state, got?.error], ['failed', why]);
    });

    contractIt(open, 'cancelOpen ends every queued and running run, and only those', async (_h, s) => {
      const queued = await s.create(1, PARAMS, 'k');
      const running = await s.create(1, PARAMS, 'k');
      await s.start(running.id);
      const done = await s.create(2, PARAMS, 'k');
      await s.start(done.id);
      await s.finish(done.id, report(3));
      assert.equal(await s.cancelOpen('the server stopped before this backtest finished'), 2);
      const states = await Promise.all([queued.id, running.id, done.id].map(async (id) => (await s.get(id))?.state));
      assert.deepEqual(states, ['cancelled', 'cancelled', 'done']);
      assert.deepEqual((await s.get(queued.id))?.error, { message: 'the server stopped before this backtest finished', code: null });
      assert.equal(await s.cancelOpen('again'), 0);
    });

    contractIt(open, 'lists a version\'s runs newest first, below a cursor, at most a limit', async (_h, s) => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await s.create(7, PARAMS, 'k')).id);
        await s.create(8, PARAMS, 'k');
      }
      const idsOf = async (page: Promise<{ id: number }[]> | { id: number }[]): Promise<number[]> => (await page).map((r) => r.id);
      assert.deepEqual(await idsOf(s.list(7)), [...ids].reverse());
      assert.deepEqual(await idsOf(s.list(7, { limit: 2 })), [ids[4], ids[3]]);
      assert.deepEqual(await idsOf(s.list(7, { before: ids[3], limit: 2 })), [ids[2], ids[1]]);
      assert.deepEqual(await s.list(9), []);
    });

    contractIt(open, 'runs and reports survive a reopen', async (h, s) => {
      const { id } = await s.create(1, PARAMS, 'k');
      await s.start(id);
      await s.finish(id, report(5));
      const again = await h.reopen();
      const run = await again.get(id);
      assert.deepEqual([run?.state, run?.summary?.transactions], ['done', 5]);
      assert.deepEqual(await again.report(id), report(5));
      assert.ok((await again.create(1, PARAMS, 'k')).id > id);
    });
  });
}
