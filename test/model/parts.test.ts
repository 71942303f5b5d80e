import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { binOf, edgesFor, NAN_BIN } from '../../src/model/binning.js';
import { applyCalibration, fitIsotonic, fitPlatt } from '../../src/model/calibration.js';
import { RowCollector } from '../../src/model/dataset.js';
import { modelFromJson, modelFromText } from '../../src/model/model-file.js';
import { lcg } from './synthetic.js';

test('bins: one per distinct value when few, cuts between values, NaN apart', () => {
  const e = edgesFor(Float64Array.from([3, 1, 2, 2, 1, 3]));
  assert.deepEqual(Array.from(e), [1.5, 2.5]);
  assert.equal(binOf(1, e), 0);
  assert.equal(binOf(2, e), 1);
  assert.equal(binOf(3, e), 2);
  assert.equal(binOf(-Infinity, e), 0);
  assert.equal(binOf(Infinity, e), 2);
  assert.equal(binOf(NaN, e), NAN_BIN);
  // "bin ≤ b" and "value ≤ edges[b]" are the same test, which is what lets trees score raw values
  for (const v of [0, 1, 1.5, 1.6, 2.5, 2.6, 9]) for (let b = 0; b < e.length; b++) assert.equal(binOf(v, e) <= b, v <= e[b]);
});

test('bins: many distinct values give at most maxBins bins, and a heavy tie stays whole', () => {
  const r = lcg(4);
  const v = new Float64Array(10_000);
  for (let i = 0; i < v.length; i++) v[i] = i < 6000 ? 0 : r();
  const e = edgesFor(v, 16);
  assert.ok(e.length <= 15);
  assert.equal(binOf(0, e), 0);
  for (let i = 1; i < e.length; i++) assert.ok(e[i] > e[i - 1]);
  assert.ok(e.every((x) => Number.isFinite(x)));
  assert.ok(edgesFor(Float64Array.from([-Infinity, 1, Infinity])).every((x) => Number.isFinite(x)));
});

test('calibration: Platt and isotonic are monotone and land near the true rate', () => {
  const r = lcg(8);
  const margins: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const m = r() * 8 - 4;
    margins.push(m);
    // true probability σ(m − 2): the model's margin is shifted, as with a positive weight
    labels.push(r() < 1 / (1 + Math.exp(-(m - 2))) ? 1 : 0);
  }
  const platt = fitPlatt(margins, labels);
  const iso = fitIsotonic(margins, labels);
  let prevP = -1;
  let prevI = -1;
  for (let m = -6; m <= 6; m += 0.01) {
    const p = applyCalibration(platt, m);
    const q = applyCalibration(iso, m);
    assert.ok(p >= prevP && q >= prevI, `monotone at ${m}`);
    prevP = p;
    prevI = q;
  }
  assert.ok(Math.abs(platt.b + 2) < 0.3 && Math.abs(platt.a - 1) < 0.2, `Platt fit a=${platt.a} b=${platt.b}`);
  assert.ok(Math.abs(applyCalibration(iso, 2) - 0.5) < 0.1);
  // a hopeless slice (labels against the margin) still gives an increasing map
  const inverted = fitPlatt([1, 2, 3, 4], [1, 1, 0, 0]);
  assert.ok(inverted.a > 0);
});

test('row collector grows and keeps rows, times and labels', () => {
  const c = new RowCollector(3, 2);
  for (let i = 0; i < 5; i++) c.add([i, i + 1, i + 2, 99], 1000 + i);
  c.setLabel(3, 1);
  c.add([7, 8, 9, 10], 2000, [3, 0], [5]);
  const v = c.view();
  assert.equal(v.rows, 6);
  assert.deepEqual(Array.from(v.x.subarray(9, 12)), [3, 4, 5]);
  assert.deepEqual(Array.from(v.x.subarray(15, 18)), [10, 7, 5]);
  assert.deepEqual(Array.from(v.y), [0, 0, 0, 1, 0, 0]);
  assert.equal(v.time[5], 2000);
});

test('a broken model file is a ConfigError naming the problem', () => {
  assert.throws(() => modelFromText('{'), ConfigError);
  assert.throws(() => modelFromJson({ format: 'other' }), /format/);
  const base = {
    format: 'fengkong-gbdt',
    version: 1,
    featureNames: ['a'],
    baseScore: 0,
    trees: { roots: [0], feature: [0, -1, -1], threshold: [1, 0, 0], nanLeft: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -1, 1] },
    calibration: null,
    training: null,
    metrics: null,
  };
  const ok = modelFromJson(base);
  assert.equal(ok.score([0]), -1);
  assert.equal(ok.score([2]), 1);
  assert.equal(ok.score([NaN]), 1, 'NaN goes right unless nanLeft');
  assert.throws(() => modelFromJson({ ...base, trees: { ...base.trees, left: [0, -1, -1] } }), /child/);
  assert.throws(() => modelFromJson({ ...base, trees: { ...base.trees, feature: [3, -1, -1] } }), /feature/);
  assert.throws(() => modelFromJson({ ...base, trees: { ...base.trees, value: [0, 1] } }), /value/);
  assert.throws(() => modelFromJson({ ...base, version: 2 }), /version/);
});
