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
    contractIt(open, 'a run is created warming, marked running, stopped with its totals', async (_h, s) => {
      const a = await s.createRun(run(2));
      const b = await s.createRun(run(3, { resumedFrom: a }));
      assert.equal(b, a + 1, 'run ids follow creation without gaps');
      assert.deepEqual(await s.run(a), {
        run: a, version: 2, policy: 'v2', startedAt: 1_000, startedBy: 'key_a', startSeq: 10, runningSince: null,
        stoppedAt: null, stoppedBy: null, stopReason: null, summary: null, resumedFrom: null,
      });
      assert.equal((await s.run(b))?.resumedFrom, a);
      await s.markRunning(a, 2_000, 'v2+incident:m');
      const running = await s.run(a);
      assert.deepEqual([running?.runningSince, running?.policy], [2_000, 'v2+incident:m']);
      await s.saveSummary(a, totals(5));
      assert.equal((await s.run(a))?.summary?.transactions, 5);
      await s.stopRun(a, 3_000, 'key_b', 'stopped by request', null);
      const stopped = await s.run(a);
      assert.deepEqual([stopped?.stoppedAt, stopped?.stoppedBy, stopped?.stopReason, stopped?.summary?.transactions], [3_000, 'key_b', 'stopped by request', 5], 'no totals at the stop keeps the saved ones');
      await s.stopRun(b, 3_000, 'key_b', 'done', totals(9));
      assert.deepEqual((await s.run(b))?.summary, totals(9));
      assert.equal(await s.run(999), undefined);
    });

    contractIt(open, 'the latest run of a version', async (_h, s) => {
      assert.equal(await s.latestRun(2), undefined);
      const a = await s.createRun(run(2));
      await s.createRun(run(3));
      const c = await s.createRun(run(2));
      assert.equal((await s.latestRun(2))?.run, c);
      assert.notEqual(c, a);
    });

    contractIt(open, 'recorded decisions read back newest first, paged below a seq, filtered by change', async (_h, s) => {
      const r = await s.createRun(run(2));
      const other = await s.createRun(run(3));
      await s.batch(r, 2, Array.from({ length: 9 }, (_, i) => record(i + 1)), null);
      await s.batch(other, 3, [record(5)], null);
      const all = await s.decisions(r, {});
      assert.deepEqual(all.map((d) => d.seq), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(all[1], record(8), 'a record reads back as written');
      assert.deepEqual((await s.decisions(r, { before: 6, limit: 2 })).map((d) => d.seq), [5, 4]);
      assert.deepEqual((await s.decisions(r, { changed: true })).map((d) => d.seq), [8, 6, 4, 2]);
      assert.deepEqual((await s.decisions(r, { changed: false, limit: 2 })).map((d) => d.seq), [9, 7]);
      assert.deepEqual((await s.decisions(other, {})).map((d) => d.seq), [5], 'runs are kept apart');
      assert.deepEqual(await s.decisions(999, {}), []);
    });

    contractIt(open, 'pages are bounded by SHADOW_MAX_PAGE', async (_h, s) => {
      const r = await s.createRun(run(2));
      await s.batch(r, 2, Array.from({ length: SHADOW_MAX_PAGE + 5 }, (_, i) => record(i + 1)), null);
      assert.equal((await s.decisions(r, { limit: SHADOW_MAX_PAGE + 100 })).length, SHADOW_MAX_PAGE);
      assert.equal((await s.decisions(r, {})).length, 100, 'default page');
    });

    contractIt(open, 'a batch saves the totals with its records; an empty one the totals alone', async (_h, s) => {
      const r = await s.createRun(run(2));
      await s.batch(r, 2, [record(1), record(2)], totals(2));
      assert.equal((await s.run(r))?.summary?.transactions, 2);
      await s.batch(r, 2, [record(3)], null);
      assert.equal((await s.run(r))?.summary?.transactions, 2, 'no totals keeps the saved ones');
      await s.batch(r, 2, [], totals(3));
      assert.equal((await s.run(r))?.summary?.transactions, 3);
      assert.deepEqual((await s.decisions(r, {})).map((d) => d.seq), [3, 2, 1]);
    });

    contractIt(open, 'a label finds the recorded payment of its run, or nothing', async (_h, s) => {
      const r = await s.createRun(run(2));
      await s.batch(r, 2, [record(4), record(5)], null);
      assert.deepEqual(await s.label(r, 4, true), { amount: 400, live: 'approve', shadow: 'decline' });
      assert.equal((await s.decisions(r, { changed: true }))[0].label, true);
      assert.deepEqual(await s.label(r, 5, false), { amount: 500, live: 'approve', shadow: 'approve' });
      assert.equal((await s.decisions(r, { changed: false }))[0].label, false);
      assert.equal(await s.label(r, 6, true), undefined);
      assert.equal(await s.label(r + 1, 4, true), undefined);
    });

    contractIt(open, 'a batch is all or nothing: a payment recorded twice in a run fails it whole', async (_h, s) => {
      const r = await s.createRun(run(2));
      await assert.rejects(async () => s.batch(r, 2, [record(1), record(2), record(1)], totals(3)), 'a payment is recorded once per run');
      assert.deepEqual(await s.decisions(r, {}), []);
      assert.equal((await s.run(r))?.summary, null, 'the totals roll back with the records');
      await s.batch(r, 2, [record(1)], totals(1));
      await assert.rejects(async () => s.batch(r, 2, [record(2), record(1)], totals(2)), 'also when recorded by an earlier batch');
      assert.deepEqual((await s.decisions(r, {})).map((d) => d.seq), [1]);
      assert.equal((await s.run(r))?.summary?.transactions, 1);
    });

    contractIt(open, 'runs a crash left open are stopped as dangling; each version resumes its latest run only when marked', async (_h, s) => {
      const a1 = await s.createRun(run(2));
      await s.stopRun(a1, 5, 'key_a', 'stopped by request', null);
      const a2 = await s.createRun(run(2));
      await s.stopRun(a2, 6, 'system', 'the server is shutting down', null);
      await s.markResume(a2, true);
      const b1 = await s.createRun(run(3));
      await s.stopRun(b1, 6, 'system', 'the server is shutting down', null);
      await s.markResume(b1, true);
      const b2 = await s.createRun(run(3, { resumedFrom: b1 }));
      await s.stopRun(b2, 7, 'key_b', 'stopped by request', null);
      const c1 = await s.createRun(run(4));
      const dangling = await s.stopDangling(9, 'the server stopped while it ran');
      assert.deepEqual(dangling.map((r) => r.run), [c1]);
      assert.equal(dangling[0].stoppedAt, null, 'as they were before the stop');
      const c = await s.run(c1);
      assert.deepEqual([c?.stoppedAt, c?.stoppedBy, c?.stopReason], [9, 'system', 'the server stopped while it ran']);
      assert.deepEqual(await s.stopDangling(10, 'again'), []);
      assert.deepEqual((await s.toResume()).map((r) => [r.version, r.run]), [[2, a2], [4, c1]]);
      await s.markResume(a2, false);
      assert.deepEqual((await s.toResume()).map((r) => r.run), [c1]);
    });

    contractIt(open, 'runs, records and labels survive a reopen', async (h, s) => {
      const r = await s.createRun(run(2));
      await s.batch(r, 2, [record(3)], null);
      await s.label(r, 3, true);
      await s.stopRun(r, 5, 'system', 'the server is shutting down', totals(1));
      await s.markResume(r, true);
      const again = await h.reopen();
      assert.deepEqual(await again.decisions(r, {}), [{ ...record(3), label: true }]);
      assert.deepEqual((await again.toResume()).map((x) => x.run), [r]);
      assert.equal(await again.createRun(run(2)), r + 1, 'numbering goes on');
    });
  });
}
