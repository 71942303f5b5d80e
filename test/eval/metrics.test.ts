import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atThreshold, averagePrecision, cardPrecisionTopK, confusion, rocAuc } from '../../src/eval/metrics.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

test('ROC AUC by hand', () => {
  // frauds at 0.9, 0.7, 0.4; legitimate at 0.8, 0.6, 0.5.
  // pairs won: 0.9 beats all 3, 0.7 beats 0.6 and 0.5 (2), 0.4 beats none → 5 of 9
  close(rocAuc([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [1, 0, 1, 0, 0, 1]), 5 / 9);
  // ties count one half: fraud 0.8 vs legit 0.8 → ½, vs 0.2 → 1; fraud 0.5 vs 0.8 → 0, vs 0.2 → 1
  // → 2.5 of 4
  close(rocAuc([0.8, 0.8, 0.5, 0.2], [1, 0, 1, 0]), 0.625);
  // everything tied → ½; perfect → 1; one class only → undefined
  close(rocAuc([1, 1, 1, 1], [1, 0, 1, 0]), 0.5);
  close(rocAuc([4, 3, 2, 1], [1, 1, 0, 0]), 1);
  assert.ok(Number.isNaN(rocAuc([1, 2], [0, 0])));
});

test('average precision by hand (sklearn: Σ (R_n − R_n−1) · P_n)', () => {
  // thresholds from the top: 0.9 → R ⅓, P 1; 0.8 → R unchanged; 0.7 → R ⅔, P ⅔;
  // 0.6, 0.5 → R unchanged; 0.4 → R 1, P ½ → ⅓·1 + ⅓·⅔ + ⅓·½ = 13/18
  close(averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [1, 0, 1, 0, 0, 1]), 13 / 18);
  // tied scores form one threshold: 0.8 → tp 1, fp 1: R ½, P ½; 0.5 → R 1, P ⅔ → ¼ + ⅓ = 7/12
  close(averagePrecision([0.8, 0.8, 0.5, 0.2], [1, 0, 1, 0]), 7 / 12);
  close(averagePrecision([3, 2, 1], [1, 1, 0]), 1);
  assert.ok(Number.isNaN(averagePrecision([1, 2], [0, 0])));
});

test('card precision top-k per day by hand, found cards left out of later days', () => {
  // day 1 (k = 2): cards by highest score: A 0.9 (fraud), B 0.8, C 0.7 (fraud), D 0.3 (fraud)
  //   top 2 = A, B → 1 fraudulent of 2 → 0.5; A is found
  // day 2: A (0.95, fraud) is left out as already found; C 0.6 (fraud), D 0.5 (fraud), E 0.4
  //   top 2 = C, D → 2 of 2 → 1.0; mean 0.75
  const rows: [string, string, number, number][] = [
    ['2018-08-08', 'A', 0.9, 1],
    ['2018-08-08', 'A', 0.1, 0],
    ['2018-08-08', 'B', 0.8, 0],
    ['2018-08-08', 'C', 0.7, 1],
    ['2018-08-08', 'D', 0.3, 1],
    ['2018-08-09', 'A', 0.95, 1],
    ['2018-08-09', 'C', 0.6, 1],
    ['2018-08-09', 'E', 0.4, 0],
    ['2018-08-09', 'D', 0.5, 1],
  ];
  const cp = cardPrecisionTopK(rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), 2);
  close(cp.mean, 0.75);
  assert.deepEqual(cp.days.map((d) => [d.day, d.found, d.fraudCards, d.cards, d.precision]), [
    ['2018-08-08', 1, 3, 4, 0.5],
    ['2018-08-09', 2, 2, 3, 1],
  ]);
  // a card is fraudulent that day if any of its payments is, even one scoring below its maximum
  const one = cardPrecisionTopK(['d', 'd'], ['X', 'X'], [0.9, 0.1], [0, 1], 1);
  close(one.mean, 1);
  // fewer cards than k still divides by k
  close(cardPrecisionTopK(['d'], ['X'], [1], [1], 4).mean, 0.25);
});

test('recall, false-positive rate and precision of a flagging', () => {
  const c = confusion([true, true, false, false, true], [1, 0, 1, 0, 1]);
  assert.deepEqual([c.tp, c.fp, c.fn, c.tn], [2, 1, 1, 1]);
  close(c.recall, 2 / 3);
  close(c.fpr, 1 / 2);
  close(c.precision, 2 / 3);
  const t = atThreshold([90, 50, 40, 10], [1, 0, 1, 0], 40);
  assert.deepEqual([t.tp, t.fp, t.fn, t.tn], [2, 1, 0, 1]);
});
