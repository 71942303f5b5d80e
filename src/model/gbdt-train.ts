/**
 * Trains a gradient-boosted tree ensemble for fraud / not fraud (logistic loss, Newton leaf
 * values). Fraud is rare and concept drift is real, so: positives carry a weight (default the
 * negative/positive ratio, capped), the held-out rows are the *latest* part of the window by time
 * (they stand in for next week's traffic), cut by time into three slices each used once: training
 * stops when the first stops improving, the probability is calibrated on the second, and the metrics
 * stored with the model are measured on the third, the latest — so they are not flattered by rows
 * the stopping or the calibration already fitted. The same data and seed always give the same model.
 */
import { averagePrecision, brierScore, logLoss, rocAuc } from '../eval/metrics.js';
import { binRows, computeEdges, MAX_VALUE_BINS } from './binning.js';
import { fitIsotonic, fitPlatt, applyCalibration, type Calibration, type CalibrationKind } from './calibration.js';
import { boost, marginsOf, type BinnedSet, type BoostSettings, type RoundLog } from './boosting.js';
import { flatten } from './flatten.js';
import { GbdtModel, type ModelMetrics } from './gbdt-model.js';

/** Training settings; every field has a default in DEFAULT_PARAMS. */
export interface GbdtParams {
  /** most trees. */
  rounds: number;
  /** shrinkage applied to every tree. */
  learningRate: number;
  maxDepth: number;
  /** fewest training rows in a leaf. */
  minLeafRows: number;
  /** smallest hessian sum in a leaf (XGBoost's min_child_weight). */
  minLeafHessian: number;
  /** L2 regularisation of leaf values. */
  lambda: number;
  /** smallest gain worth a split. */
  minGain: number;
  /** share of rows each tree sees (1 = all). */
  subsample: number;
  /** share of features each tree may split on (1 = all). */
  colsample: number;
  /** weight of a fraud row; 'auto' = negatives / positives, capped at maxAutoWeight. */
  positiveWeight: number | 'auto';
  maxAutoWeight: number;
  /** latest share of rows (by time) held out for early stopping and calibration; 0 = none. */
  validationFraction: number;
  /** stop after this many rounds without improvement on the validation slice. */
  earlyStoppingRounds: number;
  /** what "improvement" means: weighted log loss, ROC AUC or average precision. */
  stopMetric: 'logloss' | 'auc' | 'ap';
  calibration: CalibrationKind | 'none';
  /**
   * After early stopping found the number of rounds, train again on every row (the latest, most
   * relevant ones included) with as many rounds per row; calibration stays the held-out fit.
   */
  refit: boolean;
  /** value bins per feature (≤ 255). */
  maxBins: number;
  /** rows sampled to place bin edges. */
  binSampleRows: number;
  seed: number;
}

/** Defaults that train well on a week of payments (tens of thousands of rows) in seconds. */
export const DEFAULT_PARAMS: Readonly<GbdtParams> = Object.freeze({
  rounds: 400,
  learningRate: 0.05,
  maxDepth: 6,
  minLeafRows: 50,
  minLeafHessian: 0.1,
  lambda: 5,
  minGain: 0,
  subsample: 0.8,
  colsample: 0.8,
  positiveWeight: 'auto',
  maxAutoWeight: 10,
  validationFraction: 0.2,
  earlyStoppingRounds: 40,
  stopMetric: 'logloss',
  calibration: 'platt',
  refit: false,
  maxBins: MAX_VALUE_BINS,
  binSampleRows: 200_000,
  seed: 1,
});

/** Rows to learn from: a row-major matrix, labels, and optionally each row's event time. */
export interface TrainingData {
  /** rows × width values, row-major; NaN = unknown. */
  readonly x: Float64Array;
  readonly width: number;
  readonly rows: number;
  /** 1 = fraud, 0 = legitimate. */
  readonly y: ArrayLike<number>;
  /** event time per row; without it the row order is taken as time order. */
  readonly time?: ArrayLike<number>;
  readonly featureNames: readonly string[];
}

/** Where a model came from, beyond its data: stored in the model file. */
export interface TrainingContext {
  readonly from?: string | null;
  readonly to?: string | null;
}

/** Re-exported so callers of trainGbdt need one import for its result types. */
export type { RoundLog } from './boosting.js';

/** A trained model plus how training went. */
export interface TrainResult {
  readonly model: GbdtModel;
  readonly bestIteration: number;
  /** rounds actually grown (> bestIteration when early stopping cut the tail). */
  readonly roundsRun: number;
  readonly stoppedEarly: boolean;
  readonly history: readonly RoundLog[];
  readonly seconds: number;
  /**
   * The latest held-out slice (row indices into the training data) with the calibrated probability
   * the model before any refit gives each: where an operating point is set (operating-point.ts).
   */
  readonly reportSlice: { readonly rows: Int32Array; readonly probability: Float64Array } | null;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Row indices cut by time: the earliest (1 − fraction) for training, the rest held out. */
interface TimeSplit {
  readonly train: Int32Array;
  /** all held-out rows. */
  readonly valid: Int32Array;
  /** the held-out rows in three consecutive time slices (each the whole held-out part when it has fewer than 3 rows). */
  readonly stop: Int32Array;
  readonly calibrate: Int32Array;
  readonly report: Int32Array;
}

function splitByTime(data: TrainingData, fraction: number): TimeSplit {
  const n = data.rows;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const time = data.time;
  if (time !== undefined) idx.sort((a, b) => time[a] - time[b] || a - b);
  const nValid = fraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * fraction))) : 0;
  const train = idx.slice(0, n - nValid).sort();
  const held = idx.slice(n - nValid);
  const valid = held.slice().sort();
  if (nValid < 3) return { train, valid, stop: valid, calibrate: valid, report: valid };
  const a = Math.round(nValid / 3);
  const b = Math.round((2 * nValid) / 3);
  return { train, valid, stop: held.slice(0, a).sort(), calibrate: held.slice(a, b).sort(), report: held.slice(b).sort() };
}

/** Trains a model on `data`; `params` override DEFAULT_PARAMS field by field. */
export function trainGbdt(data: TrainingData, params: Partial<GbdtParams> = {}, context: TrainingContext = {}): TrainResult {
  const started = performance.now();
  const p: GbdtParams = { ...DEFAULT_PARAMS, ...params };
  const width = data.width;
  if (data.featureNames.length !== width) throw new RangeError(`${data.featureNames.length} feature names for ${width} columns`);
  if (data.rows < 2) throw new RangeError('training needs at least two rows');
  const { train, valid, stop, calibrate, report } = splitByTime(data, p.validationFraction);
  const nt = train.length;
  const nv = valid.length;

  // labels and weights
  const yOf = (rows: Int32Array): Float64Array => Float64Array.from(rows, (r) => (data.y[r] > 0 ? 1 : 0));
  const yt = yOf(train);
  const yv = yOf(valid);
  const pos = yt.reduce((a, b) => a + b, 0);
  const vpos = yv.reduce((a, b) => a + b, 0);
  const neg = nt - pos;
  const posWeight = p.positiveWeight === 'auto' ? (pos > 0 ? Math.max(1, Math.min(p.maxAutoWeight, neg / pos)) : 1) : p.positiveWeight;
  const weights = (y: Float64Array): Float64Array => Float64Array.from(y, (v) => (v === 1 ? posWeight : 1));

  // bins, placed on the training rows only
  let sample = train;
  if (nt > p.binSampleRows) {
    sample = new Int32Array(p.binSampleRows);
    for (let i = 0; i < sample.length; i++) sample[i] = train[Math.floor((i * nt) / sample.length)];
  }
  const edges = computeEdges(data.x, width, sample, Math.min(MAX_VALUE_BINS, p.maxBins));
  const valueBins = Int32Array.from(edges, (e) => e.length + 1);
  const trainSet: BinnedSet = { bins: binRows(data.x, width, train, edges), rows: nt, y: yt, w: weights(yt) };
  const setOf = (rows: Int32Array): BinnedSet => {
    const y = yOf(rows);
    return { bins: binRows(data.x, width, rows, edges), rows: rows.length, y, w: weights(y) };
  };
  const stopSet = setOf(stop);
  const calibrationSet = setOf(calibrate);
  const reportSet = setOf(report);
  const positives = (set: BinnedSet): number => set.y.reduce((a, b) => a + b, 0);

  // start from the weighted prior log-odds
  const base = pos > 0 && neg > 0 ? Math.log((pos * posWeight) / neg) : pos > 0 ? 5 : -5;
  const settings: BoostSettings = {
    rounds: p.rounds,
    limits: {
      lambda: p.lambda,
      minLeafRows: p.minLeafRows,
      minLeafHessian: p.minLeafHessian,
      minGain: p.minGain,
      maxDepth: p.maxDepth,
      learningRate: p.learningRate,
    },
    subsample: p.subsample,
    colsample: p.colsample,
    earlyStoppingRounds: p.earlyStoppingRounds,
    stopMetric: p.stopMetric,
    seed: p.seed,
  };
  const first = boost(trainSet, nv > 0 ? stopSet : null, width, valueBins, base, settings);

  // calibration on its own slice, the stored metrics on the latest one, before any refit sees them
  const cm = marginsOf(first.trees, calibrationSet, width, base);
  let calibration: Calibration | null = null;
  const prior = Math.log(posWeight);
  const cy = calibrationSet.y;
  if (p.calibration === 'platt') calibration = nv > 0 ? fitPlatt(cm, cy, prior) : { kind: 'platt', a: 1, b: -prior };
  else if (p.calibration === 'isotonic') calibration = nv > 0 && positives(calibrationSet) > 0 ? fitIsotonic(cm, cy) : { kind: 'platt', a: 1, b: -prior };
  let metrics: ModelMetrics | null = null;
  let reportSlice: TrainResult['reportSlice'] = null;
  if (nv > 0) {
    const rm = marginsOf(first.trees, reportSet, width, base);
    const ry = reportSet.y;
    const probs = Float64Array.from(rm, (m) => (calibration === null ? sigmoid(m) : applyCalibration(calibration, m)));
    reportSlice = { rows: report, probability: probs };
    const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
    metrics = {
      auc: finite(rocAuc(rm, ry)),
      averagePrecision: finite(averagePrecision(rm, ry)),
      logLoss: finite(logLoss(probs, ry)),
      brier: finite(brierScore(probs, ry)),
    };
  }

  // refit: the same number of rounds per row on every row, the latest ones included
  let kept = first.trees;
  if (p.refit && nv > 0) {
    const all = new Int32Array(data.rows);
    for (let i = 0; i < all.length; i++) all[i] = i;
    const ya = yOf(all);
    const allSet: BinnedSet = { bins: binRows(data.x, width, all, edges), rows: all.length, y: ya, w: weights(ya) };
    const rounds = Math.max(1, Math.round((first.bestIteration * data.rows) / nt));
    kept = boost(allSet, null, width, valueBins, base, { ...settings, rounds }).trees;
  }
  const { stoppedEarly, roundsRun, history } = first;
  let firstT: number | null = null;
  let lastT: number | null = null;
  if (data.time !== undefined) {
    firstT = Infinity;
    lastT = -Infinity;
    for (let i = 0; i < data.rows; i++) {
      firstT = Math.min(firstT, data.time[i]);
      lastT = Math.max(lastT, data.time[i]);
    }
  }
  const importance = new Array<number>(width).fill(0);
  for (const t of kept) for (let n = 0; n < t.feature.length; n++) if (t.feature[n] >= 0) importance[t.feature[n]] += t.gain[n];
  const totalGain = importance.reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const storedParams: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(p)) storedParams[k] = v;
  const model = new GbdtModel({
    featureNames: data.featureNames,
    baseScore: base,
    trees: flatten(kept, edges),
    calibration,
    training: {
      from: context.from ?? null,
      to: context.to ?? null,
      firstT,
      lastT,
      rows: nt,
      positives: pos,
      validationRows: nv,
      validationPositives: vpos,
      slices: {
        stop: { rows: stopSet.rows, positives: positives(stopSet) },
        calibration: { rows: calibrationSet.rows, positives: positives(calibrationSet) },
        report: { rows: reportSet.rows, positives: positives(reportSet) },
      },
      positiveWeight: posWeight,
      bestIteration: first.bestIteration,
      trees: kept.length,
      seconds: Math.round(seconds * 1000) / 1000,
      importance: importance.map((g) => (totalGain > 0 ? Math.round((g / totalGain) * 1e6) / 1e6 : 0)),
      params: storedParams,
    },
    metrics,
  });
  return { model, bestIteration: first.bestIteration, roundsRun, stoppedEarly, history, seconds, reportSlice };
}
