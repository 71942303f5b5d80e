// Recall against the share of legitimate payments flagged (src/eval/operating-curve.ts) and the
// operating point a review budget sets (src/model/operating-point.ts): thresholds never split a tie,
// the budget is spent first on what the rules' own outcomes flag, and the levels rise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operatingCurve, thresholdForShare } from '../../src/eval/operating-curve.js';
import { chooseOperatingPoint, outcomeAt, type PointRow } from '../../src/model/operating-point.js';

test('the threshold of a share flags at most that share of legitimate scores, ties all in or all out', () => {
  const legit = [90, 80, 80, 80, 50, 10, 10, 5, 1, 0]; // descending, 10 payments
  assert.equal(thresholdForShare(legit, 0.1), 80.0001, 'one may be flagged: 90 alone');
  assert.equal(thresholdForShare(legit, 0.2), 80.0001, 'two may be flagged, but 80 is tied three times: still 90 alone');
  assert.equal(thresholdForShare(legit, 0.4), 50.0001);
  assert.equal(thresholdForShare(legit, 0), 90.0001);
  assert.equal(thresholdForShare(legit, 1), -Infinity);
  const curve = operatingCurve([95, 85, ...legit, 40], [1, 1, ...legit.map(() => 0), 1], [0.1, 0.4]);
  assert.deepEqual(curve.map((c) => [c.threshold, c.flagged, Math.round(c.recall * 1000) / 1000, c.legitimateFlagged]), [
    [80.0001, 3, 0.667, 0.1],
    [50.0001, 6, 0.667, 0.4],
  ]);
});

test('a review budget: the rules\' own flags first, then review, challenge and decline at a half and a tenth of what is left', () => {
  const rows: PointRow[] = [];
  for (let i = 0; i < 1000; i++) rows.push({ score: i / 10, floor: 'approve', allowed: false, fraud: false, typology: '' });
  for (let i = 0; i < 10; i++) rows.push({ score: 50, floor: 'review', allowed: false, fraud: false, typology: '' }); // flagged by a rule's outcome
  for (let i = 0; i < 20; i++) rows.push({ score: 99, floor: 'approve', allowed: false, fraud: true, typology: i < 10 ? 'cashout' : 'small_burst' });
  const op = chooseOperatingPoint(rows, 0.05); // 0.05 × 1010 = 50.5 legitimate payments, 10 taken by the rules
  assert.ok(op.review <= op.challenge && op.challenge <= op.decline);
  const legitFlagged = rows.filter((r) => !r.fraud && outcomeAt(r, op) !== 'approve').length;
  assert.ok(legitFlagged <= 50, `${legitFlagged} within the budget`);
  assert.ok(legitFlagged >= 48, `${legitFlagged}: the budget is spent`);
  assert.equal(op.slice.recall, 1);
  assert.deepEqual(op.slice.typologies, { cashout: { frauds: 10, flagged: 10 }, small_burst: { frauds: 10, flagged: 10 } });
  const declined = rows.filter((r) => !r.fraud && outcomeAt(r, op) === 'decline').length;
  assert.ok(declined <= 4, `${declined}: a tenth of the 40.5 left`);
  // a budget the rules alone exceed leaves nothing to the score
  assert.equal(chooseOperatingPoint(rows, 0.005).review, 100);
});
