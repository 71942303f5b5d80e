/**
 * The boosting loop on binned rows: logistic gradients, one tree per round, margins updated by
 * walking each new tree on the bins, and early stopping on a held-out slice. Kept apart from the
 * orchestration (splitting by time, weights, calibration) so the same loop can run twice: once to
 * find how many rounds generalise, once more on every row when refitting.
 */
import { averagePrecision, rocAuc } from '../eval/metrics.js';
import { SeededRandom } from './rng.js';
import { leafValueBinned, TreeGrower, type GrowLimits, type GrownTree } from './tree-grower.js';

/** One side of the data (training or validation), binned, with labels and weights. */
export interface BinnedSet {
  readonly bins: Uint8Array;
  readonly rows: number;
  readonly y: Float64Array;
  readonly w: Float64Array;
}

/** What the loop needs beyond the data. */
export interface BoostSettings {
  readonly rounds: number;
  readonly limits: GrowLimits;
  readonly subsample: number;
  readonly colsample: number;
  readonly earlyStoppingRounds: number;
  readonly stopMetric: 'logloss' | 'auc' | 'ap';
  readonly seed: number;
}

/** One round's validation figure (higher is better; log loss is negated). */
export interface RoundLog {
  readonly round: number;
  readonly metric: number;
}

/** The trees grown and where validation peaked. */
export interface BoostResult {
  readonly trees: GrownTree[];
  /** rounds up to the best validation figure (all rounds without a validation set). */
  readonly bestIteration: number;
  readonly stoppedEarly: boolean;
  /** rounds grown, including those after the best one. */
  readonly roundsRun: number;
  readonly history: RoundLog[];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** A validation figure where higher is better: negated weighted log loss, ROC AUC or AP of the margins. */
export function validationMetric(kind: BoostSettings['stopMetric'], margin: Float64Array, y: Float64Array, w: Float64Array): number {
  if (kind === 'auc') return rocAuc(margin, y);
  if (kind === 'ap') return averagePrecision(margin, y);
  let s = 0;
  let ws = 0;
  for (let i = 0; i < margin.length; i++) {
    // log(1 + e^−m) for frauds, log(1 + e^m) for the rest, stable for large |m|
    const z = y[i] > 0 ? -margin[i] : margin[i];
    s += w[i] * (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    ws += w[i];
  }
  return -s / ws;
}

/** The features one tree may split on; `out` holds 0 … width−1 on entry when share ≥ 1. */
function pickFeatures(width: number, share: number, rng: SeededRandom, out: Int32Array): Int32Array {
  if (share >= 1) return out;
  const want = Math.max(1, Math.round(width * share));
  // partial Fisher–Yates over 0..width−1, then sorted so the split search order is stable
  const all = new Int32Array(width);
  for (let i = 0; i < width; i++) all[i] = i;
  for (let i = 0; i < want; i++) {
    const j = i + rng.int(width - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  out.set(all.subarray(0, want).sort());
  return out.subarray(0, want);
}

/**
 * Which features take more than one bin in `set`: a feature with one value (or none: all unknown)
 * in every row cannot split, and a stream leaves many builtins so (no devices, no geo, no
 * registries), so the histograms skip them — the trees are the same, built sooner.
 */
function splittable(set: BinnedSet, width: number): Uint8Array {
  const first = new Int16Array(width).fill(-1);
  const varies = new Uint8Array(width);
  let left = width;
  for (let r = 0; r < set.rows && left > 0; r++) {
    const base = r * width;
    for (let f = 0; f < width; f++) {
      const b = set.bins[base + f];
      if (first[f] < 0) first[f] = b;
      else if (varies[f] === 0 && b !== first[f]) {
        varies[f] = 1;
        left--;
      }
    }
  }
  return varies;
}

/** The features of `picked` that `varies` says can split, written into `out`. */
function onlySplittable(picked: Int32Array, varies: Uint8Array, out: Int32Array): Int32Array {
  let n = 0;
  for (let i = 0; i < picked.length; i++) if (varies[picked[i]] === 1) out[n++] = picked[i];
  return out.subarray(0, n);
}

/** The margins of `set` under `trees`, starting from `base`. */
export function marginsOf(trees: readonly GrownTree[], set: BinnedSet, width: number, base: number): Float64Array {
  const m = new Float64Array(set.rows).fill(base);
  for (const t of trees) for (let i = 0; i < set.rows; i++) m[i] += leafValueBinned(t, set.bins, i * width);
  return m;
}

/**
 * Boosts up to `s.rounds` trees on `train`; with a non-empty `valid`, stops once the validation
 * figure has not improved for `s.earlyStoppingRounds` rounds.
 */
export function boost(
  train: BinnedSet,
  valid: BinnedSet | null,
  width: number,
  valueBins: Int32Array,
  base: number,
  s: BoostSettings,
): BoostResult {
  const nt = train.rows;
  const rng = new SeededRandom(s.seed);
  const mt = new Float64Array(nt).fill(base);
  const mv = valid === null ? null : new Float64Array(valid.rows).fill(base);
  const grad = new Float64Array(nt);
  const hess = new Float64Array(nt);
  const rows = new Int32Array(nt);
  const featBuf = new Int32Array(width);
  for (let f = 0; f < width; f++) featBuf[f] = f;
  const varies = splittable(train, width);
  const useBuf = new Int32Array(width);
  const grower = new TreeGrower(train.bins, width, valueBins, nt);
  const trees: GrownTree[] = [];
  const history: RoundLog[] = [];
  let vpos = 0;
  if (valid !== null) for (let i = 0; i < valid.rows; i++) vpos += valid.y[i];
  const canStop = valid !== null && valid.rows > 0 && (s.stopMetric === 'logloss' || (vpos > 0 && vpos < valid.rows));
  let best = -Infinity;
  let bestIteration = 0;
  let stoppedEarly = false;
  for (let round = 0; round < s.rounds; round++) {
    for (let i = 0; i < nt; i++) {
      const q = sigmoid(mt[i]);
      const w = train.w[i];
      grad[i] = w * (q - train.y[i]);
      hess[i] = Math.max(w * q * (1 - q), 1e-16);
    }
    let count = 0;
    if (s.subsample >= 1) for (let i = 0; i < nt; i++) rows[count++] = i;
    else for (let i = 0; i < nt; i++) if (rng.next() < s.subsample) rows[count++] = i;
    // the features are drawn from all of them (the same draw whatever the data), then the constant ones left out
    const features = onlySplittable(pickFeatures(width, s.colsample, rng, featBuf), varies, useBuf);
    const tree = grower.grow(rows, count, grad, hess, features, s.limits);
    trees.push(tree);
    for (let i = 0; i < nt; i++) mt[i] += leafValueBinned(tree, train.bins, i * width);
    if (!canStop || valid === null || mv === null) {
      bestIteration = round + 1;
      continue;
    }
    for (let i = 0; i < valid.rows; i++) mv[i] += leafValueBinned(tree, valid.bins, i * width);
    const m = validationMetric(s.stopMetric, mv, valid.y, valid.w);
    history.push({ round: round + 1, metric: m });
    if (m > best) {
      best = m;
      bestIteration = round + 1;
    } else if (round + 1 - bestIteration >= s.earlyStoppingRounds) {
      stoppedEarly = true;
      break;
    }
  }
  const kept = Math.max(1, bestIteration);
  return { trees: trees.slice(0, kept), bestIteration: kept, stoppedEarly, roundsRun: trees.length, history };
}
