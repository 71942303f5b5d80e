import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rocAuc } from '../../src/eval/metrics.js';
import { topContributions } from '../../src/model/explain.js';
import { trainGbdt } from '../../src/model/gbdt-train.js';
import { modelFromText, modelToText } from '../../src/model/model-file.js';
import { planted, row } from './synthetic.js';

const train = planted(12_000, 1);
const held = planted(6_000, 2);
const result = trainGbdt(train, { rounds: 200, seed: 7 });
const model = result.model;

test('the trainer finds a planted rule: held-out ROC AUC above 0.98', () => {
  const scores = Array.from({ length: held.rows }, (_, i) => model.score(row(held, i)));
  const auc = rocAuc(scores, held.y);
  assert.ok(auc > 0.98, `held-out AUC ${auc}`);
  assert.ok(model.metrics !== null && (model.metrics.auc ?? 0) > 0.98, 'validation AUC recorded in the model');
});

test('without row or feature sampling the rule is found too', () => {
  const r = trainGbdt(planted(4000, 21), { rounds: 80, subsample: 1, colsample: 1 });
  const scores = Array.from({ length: 3000 }, (_, i) => r.model.score(row(held, i)));
  assert.ok(rocAuc(scores, held.y.subarray(0, 3000)) > 0.98);
});

test('contributions add up to the margin and name x0 as the top feature of frauds', () => {
  const out = new Float64Array(train.width);
  let x0Top = 0;
  let frauds = 0;
  for (let i = 0; i < held.rows; i++) {
    const x = row(held, i);
    const bias = model.contributions(x, out);
    const sum = out.reduce((a, b) => a + b, bias);
    assert.ok(Math.abs(sum - model.score(x)) < 1e-9, 'bias + Σ contributions = margin');
    if (held.y[i] === 1) {
      frauds++;
      if (topContributions(model, x, 1)[0]?.feature === 'x0') x0Top++;
    }
  }
  assert.ok(x0Top / frauds > 0.5, `x0 is the top contribution for ${x0Top} of ${frauds} frauds`);
  // a clear case: x0 far above the cut, x3 well inside its allowed range
  const clear = new Float64Array([0.95, 2, 2, 1, 2, 2, 2, 2]);
  assert.equal(topContributions(model, clear, 3)[0].feature, 'x0');
  // the planted rule's second condition is learnt too: unknown x3 counts as allowed
  assert.ok(model.probability(new Float64Array([0.95, 2, 2, NaN, 2, 2, 2, 2])) > 0.5);
  assert.ok(model.probability(new Float64Array([0.95, 2, 2, 4.5, 2, 2, 2, 2])) < 0.5);
  assert.ok(model.probability(new Float64Array([0.2, 2, 2, 1, 2, 2, 2, 2])) < 0.5);
});

test('save and load give bit-identical scores, probabilities and contributions', () => {
  const text = modelToText(model);
  const loaded = modelFromText(text);
  assert.equal(modelToText(loaded), text, 'the file round-trips byte for byte');
  const a = new Float64Array(train.width);
  const b = new Float64Array(train.width);
  const probes: Float64Array<ArrayBufferLike>[] = [new Float64Array(8).fill(NaN), new Float64Array(8).fill(Infinity), new Float64Array(8).fill(-Infinity)];
  for (let i = 0; i < 2000; i++) probes.push(row(held, i));
  for (const x of probes) {
    assert.equal(loaded.score(x), model.score(x));
    assert.equal(loaded.probability(x), model.probability(x));
    assert.equal(loaded.contributions(x, b), model.contributions(x, a));
    assert.deepEqual(b, a);
  }
  assert.deepEqual(loaded.featureNames, model.featureNames);
  assert.equal(loaded.training?.rows, model.training?.rows);
});

test('withInputs reads each feature from its own position and scores the same', () => {
  // the vector holds the features reversed, after two unrelated slots
  const positions = model.featureNames.map((_, i) => 2 + (train.width - 1 - i));
  const bound = model.withInputs(positions);
  for (let i = 0; i < 500; i++) {
    const x = row(held, i);
    const v = new Float64Array(2 + train.width).fill(123);
    for (let f = 0; f < train.width; f++) v[positions[f]] = x[f];
    assert.equal(bound.score(v), model.score(x));
  }
  assert.throws(() => model.withInputs([1, 2]), RangeError);
});

test('training is deterministic for a seed', () => {
  const small = planted(3000, 5);
  const p = { rounds: 30, seed: 11, subsample: 0.7, colsample: 0.6 };
  const a = modelToText(trainGbdt(small, p).model).replace(/"seconds":[0-9.]+/, '');
  const b = modelToText(trainGbdt(small, p).model).replace(/"seconds":[0-9.]+/, '');
  const c = modelToText(trainGbdt(small, { ...p, seed: 12 }).model).replace(/"seconds":[0-9.]+/, '');
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('early stopping stops when the validation slice stops improving', () => {
  // labels unrelated to the features: nothing generalises, so validation loss rises almost at once
  const noise = planted(4000, 9);
  const y = Uint8Array.from(noise.y, (_, i) => ((i * 2654435761) >>> 0) % 50 === 0 ? 1 : 0);
  const r = trainGbdt({ ...noise, y }, { rounds: 400, earlyStoppingRounds: 20 });
  assert.equal(r.stoppedEarly, true);
  assert.ok(r.roundsRun < 400, `ran ${r.roundsRun} rounds`);
  assert.equal(r.roundsRun, r.bestIteration + 20);
  assert.equal(r.model.size, r.bestIteration);
  // on the planted rule it keeps going far longer
  assert.ok(result.bestIteration > r.bestIteration);
});

test('the validation slice is the latest part by time', () => {
  // frauds only in the first 80 % by time: the validation slice (last 20 %) holds none
  const d = planted(2000, 3);
  const time = Float64Array.from(d.time).reverse(); // row 0 is now the latest
  const y = Uint8Array.from(d.y, (v, i) => (i >= 400 ? v : 0));
  const r = trainGbdt({ ...d, y, time }, { rounds: 5 });
  assert.equal(r.model.training?.validationRows, 400);
  assert.equal(r.model.training?.validationPositives, 0);
});

test('the held-out rows are cut by time into three slices, each used once: stopping, calibration, the reported metrics (latest)', () => {
  // frauds only among the latest ~7 % of rows by time: the report slice holds them, the others none
  const d = planted(3000, 5);
  const n = d.rows;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d.time![a] - d.time![b]);
  const rank = new Int32Array(n);
  order.forEach((row, r) => (rank[row] = r));
  const y = Uint8Array.from(d.y, (v, i) => (rank[i] >= n - 200 ? v : 0));
  const r = trainGbdt({ ...d, y }, { rounds: 5 });
  const s = r.model.training?.slices;
  assert.ok(s !== undefined);
  assert.equal(s.stop.rows + s.calibration.rows + s.report.rows, r.model.training?.validationRows);
  assert.deepEqual([s.stop.rows, s.calibration.rows, s.report.rows], [200, 200, 200]);
  assert.equal(s.stop.positives + s.calibration.positives, 0);
  assert.equal(s.report.positives, r.model.training?.validationPositives);
  assert.ok(s.report.positives > 0);
});

test('columns with one value in every row (a stream without devices, geo or registries) change no tree: they are left out of the histograms', () => {
  const base = planted(4000, 33);
  // the same rows with two more columns: one constant, one never known
  const width = base.width + 2;
  const x = new Float64Array(base.rows * width);
  for (let i = 0; i < base.rows; i++) {
    x.set(base.x.subarray(i * base.width, (i + 1) * base.width), i * width);
    x[i * width + base.width] = 7;
    x[i * width + base.width + 1] = NaN;
  }
  const wide = { ...base, x, width, featureNames: [...base.featureNames, 'constant', 'unknown'] };
  const params = { rounds: 40, subsample: 0.8, colsample: 1, seed: 5 };
  const narrow = trainGbdt(base, params).model;
  const withConstants = trainGbdt(wide, params).model;
  assert.ok(narrow.size > 10);
  assert.equal(modelToText(withConstants).includes('"constant"'), true);
  assert.deepEqual(JSON.parse(modelToText(withConstants)).trees, JSON.parse(modelToText(narrow)).trees);
});
