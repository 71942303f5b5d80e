// PSI on distributions worked out by hand, the score bins, and the time bounds and buckets of the reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psi, psiBand, scoreBin, scoreBinBounds } from '../../src/report/psi.js';
import { bucketCount, bucketLabel, bucketStart, checkBuckets, defaultBucket, parseBound } from '../../src/report/range.js';
import { DAY, DAY0, HOUR } from '../engine/world.js';

const close = (a: number | null, b: number, eps = 1e-9): void => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} vs ${b}`);

test('psi: known distributions', () => {
  // the same distribution, at any scale: 0
  assert.equal(psi([10, 20, 30], [1, 2, 3]), 0);
  // 60/40 against 50/50: 0.1·ln 1.2 + 0.1·ln 1.25
  close(psi([60, 40], [50, 50]), 0.1 * Math.log(1.2) + 0.1 * Math.log(1.25));
  close(psi([60, 40], [50, 50]), 0.040546510810816);
  // 10/20/30/40 % against four equal quarters: 0.228217…, a moderate shift
  const four = psi([10, 20, 30, 40], [25, 25, 25, 25]);
  close(four, 0.228217409573392);
  assert.equal(psiBand(four!), 'moderate');
  // an empty bin takes the floor share 1e-4 instead of making PSI infinite
  close(psi([0, 50, 50], [20, 40, 40]), 1.564049111925304);
  // symmetric in the sense of the formula: swapping gives the same value
  close(psi([20, 40, 40], [0, 50, 50]), 1.564049111925304);
  // nothing to compare
  assert.equal(psi([0, 0], [1, 1]), null);
  assert.equal(psi([1, 1], [0, 0]), null);
  assert.equal(psi([1], [1, 2]), null);
  assert.equal(psiBand(0.05), 'stable');
  assert.equal(psiBand(0.25), 'significant');
});

test('score bins: ten of width 10, 100 in the last', () => {
  assert.equal(scoreBin(0), 0);
  assert.equal(scoreBin(9.999), 0);
  assert.equal(scoreBin(10), 1);
  assert.equal(scoreBin(64.2857), 6);
  assert.equal(scoreBin(100), 9);
  assert.equal(scoreBin(-1), 0);
  assert.deepEqual(scoreBinBounds()[9], { from: 90, to: 100 });
});

test('bounds and buckets: +08:00 days, Monday weeks, the default size and the limit', () => {
  assert.equal(parseBound('2026-11-10'), DAY0);
  assert.equal(parseBound('2026-11-10T00:00:00+08:00'), DAY0);
  assert.equal(parseBound(String(DAY0)), DAY0);
  assert.ok(Number.isNaN(parseBound('yesterday')));
  // 2026-11-10 07:30 +08:00 is 2026-11-09 23:30 UTC: its local day starts at DAY0
  assert.equal(bucketStart(DAY0 + 7.5 * HOUR, 'day'), DAY0);
  assert.equal(bucketStart(DAY0 - 1, 'day'), DAY0 - DAY);
  assert.equal(bucketStart(DAY0 + 7.5 * HOUR, 'hour'), DAY0 + 7 * HOUR);
  assert.equal(bucketLabel(DAY0 + 7 * HOUR, 'hour'), '2026-11-10 07:00');
  // 2026-11-15 (Sunday) is in the week of Monday 2026-11-09
  assert.equal(bucketLabel(bucketStart(DAY0 + 5 * DAY + 23 * HOUR, 'week'), 'week'), '2026-11-09');
  assert.equal(bucketCount(DAY0, DAY0 + DAY, 'hour'), 24);
  assert.equal(bucketCount(DAY0 + HOUR, DAY0 + 2 * DAY, 'day'), 2);
  assert.equal(defaultBucket(DAY0, DAY0 + 3 * DAY), 'hour');
  assert.equal(defaultBucket(DAY0, DAY0 + 30 * DAY), 'day');
  assert.equal(defaultBucket(DAY0, DAY0 + 365 * DAY), 'week');
  assert.throws(() => checkBuckets(DAY0, DAY0 + 365 * DAY, 'hour'), (e: Error & { path?: string }) => e.path === 'bucket');
  checkBuckets(DAY0, DAY0 + 365 * DAY, 'day');
});
