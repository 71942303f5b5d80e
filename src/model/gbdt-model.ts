/**
 * A trained gradient-boosted tree ensemble, as plain data. Every tree lives in shared flat typed
 * arrays (node i: feature, threshold, NaN direction, children, value), so scoring one payment is a
 * few hundred array reads and comparisons with no allocation — it runs in the decision hot path.
 * The same data round-trips through JSON exactly, so a saved model scores bit-identically; the
 * layout actually walked when scoring is derived from these arrays (scorer.ts).
 */
import { applyCalibration, type Calibration } from './calibration.js';
import { buildLayout, sumLeaves, type ScoringLayout } from './scorer.js';

/** Where and on what a model was trained, and how it did on its validation slice. */
export interface ModelTraining {
  /** training window as given (contract timestamps), null when unbounded. */
  readonly from: string | null;
  readonly to: string | null;
  /** event time of the first and last training row, epoch ms; NaN-free (null when unknown). */
  readonly firstT: number | null;
  readonly lastT: number | null;
  readonly rows: number;
  readonly positives: number;
  /** The held-out latest rows (all three slices below) and the frauds among them. */
  readonly validationRows: number;
  readonly validationPositives: number;
  /**
   * The held-out rows cut by time into three slices, each used once: early stopping (earliest), then
   * calibration, then the reported metrics (latest) — so the figures stored are on rows neither the
   * stopping nor the calibration saw. Absent in models trained before the cut.
   */
  readonly slices?: { readonly stop: SliceSize; readonly calibration: SliceSize; readonly report: SliceSize };
  readonly positiveWeight: number;
  /** rounds that generalised best on the validation slice. */
  readonly bestIteration: number;
  /** trees in the model (more than bestIteration after a refit on every row). */
  readonly trees: number;
  readonly seconds: number;
  /** total split gain per feature (same order as featureNames), normalised to sum 1: what the model leans on. */
  readonly importance: readonly number[];
  /** the training parameters, for reproduction. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

/**
 * Where the model's score asks for review, challenge and decline, set by `train --review-budget` on
 * the latest held-out slice: while the model decides, these replace the policy's score thresholds
 * (the policy's were set for the rules' score alone). What they gave on that slice is kept with them.
 */
export interface OperatingPoint {
  /** the share of legitimate payments the team can look at (0.005 = 0.5 %). */
  readonly budget: number;
  readonly review: number;
  readonly challenge: number;
  readonly decline: number;
  /** On the slice the thresholds were set on: rows, frauds, share of legitimate payments flagged, recall, recall per typology. */
  readonly slice: {
    readonly rows: number;
    readonly frauds: number;
    readonly legitimateFlagged: number;
    readonly recall: number;
    readonly typologies: Readonly<Record<string, { readonly frauds: number; readonly flagged: number }>>;
  };
}

/** Rows and frauds in one held-out slice. */
export interface SliceSize {
  readonly rows: number;
  readonly positives: number;
}

/** Metrics on the report slice (the latest part of the window by time, seen by neither early stopping nor calibration), after calibration. */
export interface ModelMetrics {
  readonly auc: number | null;
  readonly averagePrecision: number | null;
  readonly logLoss: number | null;
  readonly brier: number | null;
}

/** The typed arrays that hold every tree. */
export interface TreeArrays {
  /** first node of each tree. */
  readonly roots: Int32Array;
  /** model feature index of an internal node, −1 for a leaf. */
  readonly feature: Int32Array;
  /** go left when value ≤ threshold. */
  readonly threshold: Float64Array;
  /** 1 when an unknown (NaN) value goes left. */
  readonly nanLeft: Uint8Array;
  readonly left: Int32Array;
  /** always left + 1: siblings are stored side by side so the hot path picks a child without a branch. */
  readonly right: Int32Array;
  /** leaf value; on internal nodes, the value the node had before it was split (for attribution). */
  readonly value: Float64Array;
}

/** The model file's JSON shape (version 1). */
export interface GbdtModelJson {
  readonly format: 'fengkong-gbdt';
  readonly version: 1;
  readonly featureNames: readonly string[];
  readonly baseScore: number;
  readonly trees: {
    readonly roots: number[];
    readonly feature: number[];
    /** numbers, or the strings "Infinity" / "-Infinity" that JSON cannot carry as numbers. */
    readonly threshold: (number | string)[];
    readonly nanLeft: number[];
    readonly left: number[];
    readonly right: number[];
    readonly value: number[];
  };
  readonly calibration: Calibration | null;
  readonly training: ModelTraining | null;
  readonly metrics: ModelMetrics | null;
  readonly operatingPoint?: OperatingPoint;
  readonly features?: ModelFeatures;
}

/**
 * Policy features the model was trained with beyond the policy's own — generated from the stream by
 * `train --features auto` — as the rule-language file it was written to: `replay --model` compiles
 * it into the policy; a server's policy must include the file.
 */
export interface ModelFeatures {
  readonly file: string;
  readonly text: string;
}

/** Everything a model is made of. */
export interface GbdtModelParts {
  readonly featureNames: readonly string[];
  readonly baseScore: number;
  readonly trees: TreeArrays;
  readonly calibration: Calibration | null;
  readonly training: ModelTraining | null;
  readonly metrics: ModelMetrics | null;
  /** The thresholds a review budget set (train --review-budget); none: the policy's apply. */
  readonly operatingPoint?: OperatingPoint | null;
  /** The generated features it needs beyond the policy's (train --features auto). */
  readonly features?: ModelFeatures | null;
}

/** A trained model: scoring, probability, explanation. Immutable; `withInputs` returns a new one. */
export class GbdtModel {
  readonly featureNames: readonly string[];
  readonly baseScore: number;
  readonly trees: TreeArrays;
  readonly calibration: Calibration | null;
  readonly training: ModelTraining | null;
  readonly metrics: ModelMetrics | null;
  readonly operatingPoint: OperatingPoint | null;
  readonly features: ModelFeatures | null;
  /** the hot-path layout (see scorer.ts), built for this model's input positions. */
  private readonly layout: ScoringLayout;

  constructor(parts: GbdtModelParts, inputs?: ArrayLike<number>) {
    this.featureNames = Object.freeze([...parts.featureNames]);
    this.baseScore = parts.baseScore;
    this.trees = parts.trees;
    this.calibration = parts.calibration;
    this.training = parts.training;
    this.metrics = parts.metrics;
    this.operatingPoint = parts.operatingPoint ?? null;
    this.features = parts.features ?? null;
    const t = parts.trees;
    for (let n = 0; n < t.feature.length; n++) {
      if (t.feature[n] >= 0 && t.right[n] !== t.left[n] + 1) throw new RangeError(`node ${n}: children must be adjacent (right = left + 1)`);
    }
    this.layout = buildLayout(t, inputs);
  }

  /** Number of trees. */
  get size(): number {
    return this.trees.roots.length;
  }

  /**
   * The same model reading feature i at position inputs[i] of the array it is given — e.g. the
   * engine's feature-vector slot of each feature name — so the hot path scores the vector in place.
   */
  withInputs(inputs: ArrayLike<number>): GbdtModel {
    if (inputs.length !== this.featureNames.length) {
      throw new RangeError(`withInputs: ${inputs.length} positions for ${this.featureNames.length} features`);
    }
    return new GbdtModel(this, inputs);
  }

  /** The raw margin (log-odds before calibration) of one input. Allocates nothing. */
  score(x: ArrayLike<number>): number {
    return this.baseScore + sumLeaves(this.layout, x);
  }

  /** The calibrated fraud probability of one input (the logistic of the margin when uncalibrated). */
  probability(x: ArrayLike<number>): number {
    const m = this.score(x);
    return this.calibration === null ? 1 / (1 + Math.exp(-m)) : applyCalibration(this.calibration, m);
  }

  /** The calibrated probability of a margin already computed with `score`. */
  probabilityOfMargin(m: number): number {
    return this.calibration === null ? 1 / (1 + Math.exp(-m)) : applyCalibration(this.calibration, m);
  }

  /**
   * Per-feature contributions to the margin of one input (Saabas path attribution: each split on the
   * path credits its feature with the change in node value it caused). `out` (length ≥ features) is
   * overwritten; returns the bias (base score plus every root's value), so bias + Σ out = score(x).
   * Allocates nothing, so it can run for every flagged payment.
   */
  contributions(x: ArrayLike<number>, out: Float64Array): number {
    const { roots, input, threshold, left, nanValue, value } = this.layout;
    const feature = this.trees.feature;
    out.fill(0, 0, this.featureNames.length);
    let bias = this.baseScore;
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t];
      bias += value[n];
      let f = feature[n];
      while (f >= 0) {
        let v = x[input[n]];
        if (v !== v) v = nanValue[n];
        const next = left[n] + ((!(v <= threshold[n]) as unknown as number) | 0);
        out[f] += value[next] - value[n];
        n = next;
        f = feature[n];
      }
    }
    return bias;
  }

  /** The model as JSON-ready data (typed arrays become plain arrays). */
  toJSON(): GbdtModelJson {
    const t = this.trees;
    return {
      format: 'fengkong-gbdt',
      version: 1,
      featureNames: [...this.featureNames],
      baseScore: this.baseScore,
      trees: {
        roots: Array.from(t.roots),
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold, (v) => (Number.isFinite(v) ? v : String(v))),
        nanLeft: Array.from(t.nanLeft),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
      },
      calibration: this.calibration,
      training: this.training,
      metrics: this.metrics,
      ...(this.operatingPoint === null ? {} : { operatingPoint: this.operatingPoint }),
      ...(this.features === null ? {} : { features: this.features }),
    };
  }

  /** The same model with the generated features it needs. */
  withFeatures(f: ModelFeatures): GbdtModel {
    return new GbdtModel({ ...this, features: f });
  }

  /** The same model with the operating point a review budget set. */
  withOperatingPoint(op: OperatingPoint): GbdtModel {
    return new GbdtModel({ ...this, operatingPoint: op });
  }
}
