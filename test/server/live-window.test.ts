// The overview's one-second rings: what a read sums (the last 60 s, the current second included),
// slots reused a minute later, latency buckets and the quantiles read from them, reason codes
// ranked and forgotten once unseen for a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketUpperUs, latencyBucket, LiveWindow } from '../../src/server/live-window.js';

const T = 1_800_000_000_000; // a whole second
const r = (...codes: string[]) => codes.map((code) => ({ code }));

test('latency buckets: exact below 32 µs, then at most 1/16 wide, in order, clamped', () => {
  for (let v = 0; v < 32; v++) assert.equal(bucketUpperUs(latencyBucket(v)), v);
  let prev = -1;
  for (let v = 0; v < 5_000_000; v += 1 + Math.floor(v / 50)) {
    const b = latencyBucket(v);
    const upper = bucketUpperUs(b);
    assert.ok(b >= prev, `monotone at ${v}`);
    assert.ok(upper >= v && upper <= v * 1.0625 + 1, `${v} → ${upper}`);
    if (b > 0) assert.ok(bucketUpperUs(b - 1) < v, `${v} is above the previous bucket`);
    prev = b;
  }
  assert.equal(latencyBucket(-5), 0);
  assert.equal(latencyBucket(1e12), latencyBucket(2 ** 27 - 1), 'beyond 134 s: the last bucket');
  assert.equal(bucketUpperUs(latencyBucket(2 ** 27 - 1)), 2 ** 27 - 1);
});

test('a read sums the last 60 seconds, the current one included; older seconds drop out', () => {
  const w = new LiveWindow();
  w.record(T, 'approve', 5, 100, r());
  w.record(T + 999, 'review', 45, 200, r('A'));
  w.record(T + 30_000, 'decline', 100, 300, r('B', 'A'));
  w.record(T + 59_000, 'challenge', 99.99, 400, r('A'));
  let f = w.read(T + 59_999);
  assert.equal(f.decisions, 4);
  assert.deepEqual(f.outcomes, { approve: 1, review: 1, challenge: 1, decline: 1 });
  assert.deepEqual(f.scoreBins, [1, 0, 0, 0, 1, 0, 0, 0, 0, 2], 'score 100 and 99.99 in the last bin');
  assert.deepEqual(f.topCodes, [{ code: 'A', hits: 3 }, { code: 'B', hits: 1 }]);
  f = w.read(T + 60_000); // the second of T has left the window
  assert.deepEqual([f.decisions, f.outcomes.approve, f.outcomes.review], [2, 0, 0]);
  assert.deepEqual(f.topCodes, [{ code: 'A', hits: 2 }, { code: 'B', hits: 1 }]);
  w.record(T + 60_000, 'approve', 0, 10, r('AA'));
  assert.deepEqual(w.read(T + 60_000).topCodes.slice(1), [{ code: 'AA', hits: 1 }, { code: 'B', hits: 1 }], 'ties by code');
  assert.equal(w.read(T - 1_000).decisions, 0, 'nothing from the future counts either');
});

test('the seconds a read covers: 59 s and the current fraction, or since counting began when that is later', () => {
  const w = new LiveWindow(T + 500);
  for (let i = 0; i < 100; i++) w.record(T + 1_000 + i, 'approve', 0, 10, r());
  assert.equal(w.read(T + 10_500).seconds, 10, 'ten seconds after the start');
  assert.equal(w.read(T + 600).seconds, 1, 'never less than one');
  assert.equal(w.read(T + 100_250).seconds, 59.25, 'a full window: from the start of its oldest second');
  assert.equal(new LiveWindow(0).read(T + 59_999).seconds, 59.999);
});

test('a slot is reused a minute later: its old counts are gone, the others stay', () => {
  const w = new LiveWindow();
  for (let i = 0; i < 10; i++) w.record(T + 5_000, 'approve', 1, 10, r('OLD'));
  w.record(T + 20_000, 'review', 50, 10, r());
  w.record(T + 65_000, 'decline', 90, 10, r('NEW')); // same slot as T + 5 s
  const f = w.read(T + 65_000);
  assert.deepEqual(f.outcomes, { approve: 0, review: 1, challenge: 0, decline: 1 });
  assert.deepEqual(f.topCodes, [{ code: 'NEW', hits: 1 }]);
});

test('p50 and p99 are the upper bounds of the buckets their ranks fall in; null without decisions', () => {
  const w = new LiveWindow();
  assert.deepEqual(w.read(T).latencyUs, { p50: null, p99: null });
  for (let i = 1; i <= 100; i++) w.record(T, 'approve', 0, i * 10, r()); // 10 … 1,000 µs
  const f = w.read(T);
  assert.equal(f.latencyUs.p50, bucketUpperUs(latencyBucket(500)));
  assert.equal(f.latencyUs.p99, bucketUpperUs(latencyBucket(990)));
});

test('at most topCodes codes are listed; codes unseen for a minute are forgotten and come back when hit', () => {
  const w = new LiveWindow();
  for (let i = 0; i < 15; i++) for (let k = 0; k <= i; k++) w.record(T, 'review', 50, 10, r(`C${String(i).padStart(2, '0')}`));
  const f = w.read(T, 10);
  assert.equal(f.topCodes.length, 10);
  assert.deepEqual(f.topCodes[0], { code: 'C14', hits: 15 });
  assert.deepEqual(f.topCodes[9], { code: 'C05', hits: 6 });
  assert.deepEqual(w.read(T + 61_000).topCodes, []);
  w.record(T + 62_000, 'review', 50, 10, r('C00'));
  assert.deepEqual(w.read(T + 62_000).topCodes, [{ code: 'C00', hits: 1 }]);
});
