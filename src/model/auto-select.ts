/**
 * Which generated features to keep (auto-features.ts): a model is trained with every candidate, and
 * the generated features it leans on — by their share of the split gain, at least MIN_SHARE, at most
 * MAX_KEPT — are kept; the final model is trained again on the policy's own features and the kept
 * ones only, so the policy computes a handful of windows, not a hundred. Pure over training data.
 */
import { AUTO_PREFIX, type GeneratedFeature } from './auto-features.js';
import type { GbdtModel } from './gbdt-model.js';
import { trainGbdt, type GbdtParams, type TrainingContext, type TrainingData, type TrainResult } from './gbdt-train.js';

/** Most generated features kept. */
export const MAX_KEPT = 24;
/** Least share of the model's split gain a generated feature must carry to be kept. */
export const MIN_SHARE = 0.002;

/** The generated features `model` leans on, most first, with the windows their ratios read. */
export function keptFeatures(model: GbdtModel, generated: readonly GeneratedFeature[]): GeneratedFeature[] {
  const importance = model.training?.importance ?? [];
  const byName = new Map(generated.map((g) => [g.name, g]));
  return model.featureNames
    .map((name, i) => ({ name, share: importance[i] ?? 0 }))
    .filter((f) => f.name.startsWith(AUTO_PREFIX) && f.share >= MIN_SHARE && byName.has(f.name))
    .sort((a, b) => b.share - a.share || (a.name < b.name ? -1 : 1))
    .slice(0, MAX_KEPT)
    .map((f) => byName.get(f.name) as GeneratedFeature);
}

/** `data` with only the columns whose names `keep` accepts, in their order. */
export function withColumns(data: TrainingData, keep: (name: string) => boolean): TrainingData {
  const cols: number[] = [];
  data.featureNames.forEach((n, i) => {
    if (keep(n)) cols.push(i);
  });
  const width = cols.length;
  const x = new Float64Array(data.rows * width);
  for (let r = 0; r < data.rows; r++) {
    const from = r * data.width;
    const to = r * width;
    for (let c = 0; c < width; c++) x[to + c] = data.x[from + cols[c]];
  }
  return { ...data, x, width, featureNames: cols.map((i) => data.featureNames[i]) };
}

/** The latest slice's figures of a model, as stored with it. */
interface SliceFigures {
  readonly averagePrecision?: number | null;
  readonly logLoss?: number | null;
}

/**
 * Whether the model with the kept generated features beats the one with the policy's own features
 * on the latest slice: higher average precision *and* lower log loss. AP alone rests on the slice's
 * few frauds, so a gain of a thousandth is as likely noise as signal (on the Handbook it kept windows
 * that lowered ROC AUC on the test week); log loss weighs every row, and a feature that only reshuffles
 * the top of the ranking by chance rarely lowers it too.
 */
export function keptHelp(own: SliceFigures | null | undefined, withKept: SliceFigures | null | undefined): boolean {
  const [a, b] = [own?.averagePrecision ?? NaN, withKept?.averagePrecision ?? NaN];
  const [la, lb] = [own?.logLoss ?? NaN, withKept?.logLoss ?? NaN];
  return b > a && lb < la;
}

/** Share of legitimate rows the selection model (the one with every candidate) trains on. */
export const SELECTION_LEGIT_SHARE = 0.25;

/**
 * The rows a selection model needs: every fraud and a fixed sample of `share` of the legitimate ones
 * (by row index, so the same data gives the same sample), in their order. Which generated features a
 * model leans on shows as well on a quarter of the legitimate rows, and the model with every
 * candidate — the widest and slowest of `--features auto`'s trainings — costs a quarter as much.
 */
export function selectionSample(data: TrainingData, share = SELECTION_LEGIT_SHARE): TrainingData {
  const keep: number[] = [];
  for (let r = 0; r < data.rows; r++) {
    // a multiplicative hash of the row index: an even spread without a random generator's state
    if (data.y[r] > 0 || ((Math.imul(r + 1, 2654435761) >>> 0) / 4294967296) < share) keep.push(r);
  }
  const w = data.width;
  const x = new Float64Array(keep.length * w);
  keep.forEach((r, i) => x.set(data.x.subarray(r * w, (r + 1) * w), i * w));
  const time = data.time;
  return {
    x,
    width: w,
    rows: keep.length,
    y: keep.map((r) => data.y[r]),
    time: time === undefined ? undefined : keep.map((r) => time[r]),
    featureNames: data.featureNames,
  };
}

/** What `--features auto` chose, with both models it compared. */
export interface GeneratedChoice {
  /** the generated features the selection model leaned on (kept or not). */
  readonly kept: readonly GeneratedFeature[];
  /** the model on the policy's own features, and the one with the kept generated features too. */
  readonly own: TrainResult;
  readonly withKept: TrainResult;
  /** whether they helped (keptHelp): then `withKept` is the model, else `own`. */
  readonly keep: boolean;
}

/**
 * `--features auto` on training data holding every candidate column: a selection model (every fraud,
 * a quarter of the legitimate rows) names the generated features it leans on, then a model on the
 * policy's own features and one with those too are compared on the latest slice (keptHelp).
 */
export function chooseGenerated(
  all: TrainingData,
  generated: readonly GeneratedFeature[],
  params: Partial<GbdtParams>,
  ctx: TrainingContext,
): GeneratedChoice {
  const kept = keptFeatures(trainGbdt(selectionSample(all), params, ctx).model, generated);
  const names = new Set(kept.map((f) => f.name));
  const own = trainGbdt(withColumns(all, (n) => !n.startsWith(AUTO_PREFIX)), params, ctx);
  if (kept.length === 0) return { kept, own, withKept: own, keep: false };
  const withKept = trainGbdt(withColumns(all, (n) => !n.startsWith(AUTO_PREFIX) || names.has(n)), params, ctx);
  return { kept, own, withKept, keep: keptHelp(own.model.metrics, withKept.model.metrics) };
}
