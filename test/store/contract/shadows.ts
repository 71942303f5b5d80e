// The contract every ShadowStore adapter passes: runs with their lifecycle (warming, running,
// stopped, resumed), compared decisions paged newest first, labels that find their row, batches
// that are all or nothing, and what a restart needs (dangling runs, runs to resume).
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ShadowTally } from '../../../src/policy/shadow-tally.js';
import { SHADOW_MAX_PAGE, type ShadowRecord, type ShadowStore } from '../../../src/policy/shadow-types.js';
import { contractIt, type Open } from './harness.js';

const run = (version: number, extra: { startedBy?: string; resumedFrom?: number } = {}) => ({
  version, policy: `v${version}`, startedAt: 1_000, startedBy: extra.startedBy ?? 'key_a', startSeq: 10, ...(extra.resumedFrom === undefined ? {} : { resumedFrom: extra.resumedFrom }),
});

function record(seq: number, changed = seq % 2 === 0): ShadowRecord {
  return {
    seq,
    txId: `tx-${seq}`,
    t: 1_700_000_000_000 + seq,
    amount: 100 * seq,
    live: { policy: 'v1', outcome: 'approve', score: 1.5, reasons: ['R1'] },
    shadow: { outcome: changed ? 'decline' : 'approve', score: changed ? 80.25 : 1.5, reasons: changed ? ['R9', 'R1'] : ['R1'] },
    changed,
    label: null,
  };
}

function totals(transactions: number) {
  return { ...new ShadowTally().view(), transactions };
}

/** Registers the ShadowStore suite for one adapter. */
export function shadowsContract(name: string, open: Open<ShadowStore>): void {
  describe(`ShadowStore contract: ${name}`, () => {
    contractIt(open, 'a run is created warming, marked running, stopped with its totals', (_h, s) => {
      const a = s.createRun(run(2));
      const b = s.createRun(run(3, { resumedFrom: a }));
      assert.ok(b > a);
      assert.deepEqual(s.run(a), {
        run: a, version: 2, policy: 'v2', startedAt: 1_000, startedBy: 'key_a', startSeq: 10, runningSince: null,
        stoppedAt: null, stoppedBy: null, stopReason: null, summary: null, resumedFrom: null,
      });
      assert.equal(s.run(b)?.resumedFrom, a);
      s.markRunning(a, 2_000, 'v2+incident:m');
      assert.deepEqual([s.run(a)?.runningSince, s.run(a)?.policy], [2_000, 'v2+incident:m']);
      s.saveSummary(a, totals(5));
      assert.equal(s.run(a)?.summary?.transactions, 5);
      s.stopRun(a, 3_000, 'key_b', 'stopped by request', null);
      assert.deepEqual([s.run(a)?.stoppedAt, s.run(a)?.stoppedBy, s.run(a)?.stopReason, s.run(a)?.summary?.transactions], [3_000, 'key_b', 'stopped by request', 5], 'no totals at the stop keeps the saved ones');
      s.stopRun(b, 3_000, 'key_b', 'done', totals(9));
      assert.deepEqual(s.run(b)?.summary, totals(9));
      assert.equal(s.run(999), undefined);
    });

    contractIt(open, 'the latest run of a version', (_h, s) => {
      assert.equal(s.latestRun(2), undefined);
      const a = s.createRun(run(2));
      s.createRun(run(3));
      const c = s.createRun(run(2));
      assert.equal(s.latestRun(2)?.run, c);
      assert.notEqual(c, a);
    });

    contractIt(open, 'recorded decisions read back newest first, paged below a seq, filtered by change', (_h, s) => {
      const r = s.createRun(run(2));
      const other = s.createRun(run(3));
      s.batch(() => {
        for (let seq = 1; seq <= 9; seq++) s.insert(r, 2, record(seq));
        s.insert(other, 3, record(5));
      });
      const all = s.decisions(r, {});
      assert.deepEqual(all.map((d) => d.seq), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(all[1], record(8), 'a record reads back as written');
      assert.deepEqual(s.decisions(r, { before: 6, limit: 2 }).map((d) => d.seq), [5, 4]);
      assert.deepEqual(s.decisions(r, { changed: true }).map((d) => d.seq), [8, 6, 4, 2]);
      assert.deepEqual(s.decisions(r, { changed: false, limit: 2 }).map((d) => d.seq), [9, 7]);
      assert.deepEqual(s.decisions(other, {}).map((d) => d.seq), [5], 'runs are kept apart');
      assert.deepEqual(s.decisions(999, {}), []);
    });

    contractIt(open, 'pages are bounded by SHADOW_MAX_PAGE', (_h, s) => {
      const r = s.createRun(run(2));
      s.batch(() => {
        for (let seq = 1; seq <= SHADOW_MAX_PAGE + 5; seq++) s.insert(r, 2, record(seq));
      });
      assert.equal(s.decisions(r, { limit: SHADOW_MAX_PAGE + 100 }).length, SHADOW_MAX_PAGE);
      assert.equal(s.decisions(r, {}).length, 100, 'default page');
    });

    contractIt(open, 'a label finds the recorded payment of its run, or nothing', (_h, s) => {
      const r = s.createRun(run(2));
      s.batch(() => {
        s.insert(r, 2, record(4));
        s.insert(r, 2, record(5));
      });
      assert.deepEqual(s.label(r, 4, true), { amount: 400, live: 'approve', shadow: 'decline' });
      assert.equal(s.decisions(r, { changed: true })[0].label, true);
      assert.deepEqual(s.label(r, 5, false), { amount: 500, live: 'approve', shadow: 'approve' });
      assert.equal(s.decisions(r, { changed: false })[0].label, false);
      assert.equal(s.label(r, 6, true), undefined);
      assert.equal(s.label(r + 1, 4, true), undefined);
    });

    contractIt(open, 'a batch is all or nothing', (_h, s) => {
      const r = s.createRun(run(2));
      assert.throws(() =>
        s.batch(() => {
          s.insert(r, 2, record(1));
          s.saveSummary(r, totals(1));
          throw new Error('disk full');
        }),
      /disk full/);
      assert.deepEqual(s.decisions(r, {}), []);
      assert.equal(s.run(r)?.summary, null);
      assert.throws(() => s.batch(() => {
        s.insert(r, 2, record(1));
        s.insert(r, 2, record(1));
      }), 'a payment is recorded once per run');
      assert.deepEqual(s.decisions(r, {}), []);
    });

    contractIt(open, 'runs a crash left open are stopped as dangling; each version resumes its latest run only when marked', (_h, s) => {
      const a1 = s.createRun(run(2));
      s.stopRun(a1, 5, 'key_a', 'stopped by request', null);
      const a2 = s.createRun(run(2));
      s.stopRun(a2, 6, 'system', 'the server is shutting down', null);
      s.markResume(a2, true);
      const b1 = s.createRun(run(3));
      s.stopRun(b1, 6, 'system', 'the server is shutting down', null);
      s.markResume(b1, true);
      const b2 = s.createRun(run(3, { resumedFrom: b1 }));
      s.stopRun(b2, 7, 'key_b', 'stopped by request', null);
      const c1 = s.createRun(run(4));
      const dangling = s.stopDangling(9, 'the server stopped while it ran');
      assert.deepEqual(dangling.map((r) => r.run), [c1]);
      assert.equal(dangling[0].stoppedAt, null, 'as they were before the stop');
      assert.deepEqual([s.run(c1)?.stoppedAt, s.run(c1)?.stoppedBy, s.run(c1)?.stopReason], [9, 'system', 'the server stopped while it ran']);
      assert.deepEqual(s.stopDangling(10, 'again'), []);
      assert.deepEqual(s.toResume().map((r) => [r.version, r.run]), [[2, a2], [4, c1]]);
      s.markResume(a2, false);
      assert.deepEqual(s.toResume().map((r) => r.run), [c1]);
    });

    contractIt(open, 'runs, records and labels survive a reopen', async (h, s) => {
      const r = s.createRun(run(2));
      s.batch(() => s.insert(r, 2, record(3)));
      s.label(r, 3, true);
      s.stopRun(r, 5, 'system', 'the server is shutting down', totals(1));
      s.markResume(r, true);
      const again = await h.reopen();
      assert.deepEqual(again.decisions(r, {}), [{ ...record(3), label: true }]);
      assert.deepEqual(again.toResume().map((x) => x.run), [r]);
      assert.ok(again.createRun(run(2)) > r, 'numbering goes on');
    });
  });
}
