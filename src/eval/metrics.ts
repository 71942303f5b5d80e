/**
 * Evaluation metrics for fraud scores, as pure functions over arrays, defined exactly as the
 * published references define them (scikit-learn for ROC AUC and average precision, the Fraud
 * Detection Handbook for card precision top-k) so our figures can stand next to theirs.
 * Labels are 1 (fraud) / 0; every metric that needs both classes returns NaN without them.
 */

/** Scores as a Float64Array with NaN (no score) ranked lowest, so sorting and tie groups stay well defined. */
function clean(scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < out.length; i++) out[i] = scores[i] === scores[i] ? scores[i] : -Infinity;
  return out;
}

/** Indices 0..n−1 sorted by score, descending; ties keep index order (deterministic). */
function orderDesc(scores: Float64Array): Int32Array {
  const idx = new Int32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * ROC AUC: the probability that a random fraud scores above a random legitimate payment, ties
 * counting one half (Mann–Whitney with average ranks), the same as sklearn's roc_auc_score.
 */
export function rocAuc(raw: ArrayLike<number>, labels: ArrayLike<number>): number {
  const scores = clean(raw);
  const n = scores.length;
  const order = orderDesc(scores);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  // walk groups of tied scores from the top; each positive beats the negatives below its group
  // and ties half of those inside it
  let negBelow = neg;
  let sum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let p = 0;
    let q = 0;
    const s = scores[order[i]];
    while (j < n && scores[order[j]] === s) {
      if (labels[order[j]] > 0) p++;
      else q++;
      j++;
    }
    negBelow -= q;
    sum += p * (negBelow + q / 2);
    i = j;
  }
  return sum / (pos * neg);
}

/**
 * Average precision as sklearn defines it: Σ (R_n − R_{n−1}) · P_n over the distinct score
 * thresholds, highest first (a step function, no interpolation).
 */
export function averagePrecision(raw: ArrayLike<number>, labels: ArrayLike<number>): number {
  const scores = clean(raw);
  const n = scores.length;
  const order = orderDesc(scores);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) pos++;
  if (pos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i]];
    while (i < n && scores[order[i]] === s) {
      if (labels[order[i]] > 0) tp++;
      else fp++;
      i++;
    }
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/** Counts of a set of flags against the truth. */
export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** tp / (tp + fn): share of frauds flagged. */
  readonly recall: number;
  /** fp / (fp + tn): share of legitimate payments flagged. */
  readonly fpr: number;
  /** tp / (tp + fp): share of flags that are fraud. */
  readonly precision: number;
}

/** Recall, false-positive rate and precision of any flagging (an outcome level, a score cut-off). */
export function confusion(flagged: ArrayLike<boolean>, labels: ArrayLike<number>): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const f = flagged[i];
    if (labels[i] > 0) {
      if (f) tp++;
      else fn++;
    } else if (f) fp++;
    else tn++;
  }
  return {
    tp,
    fp,
    fn,
    tn,
    recall: tp + fn > 0 ? tp / (tp + fn) : NaN,
    fpr: fp + tn > 0 ? fp / (fp + tn) : NaN,
    precision: tp + fp > 0 ? tp / (tp + fp) : NaN,
  };
}

/** Recall and false-positive rate when every score ≥ `threshold` is flagged. */
export function atThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  const flags = Array.from({ length: scores.length }, (_, i) => scores[i] >= threshold);
  return confusion(flags, labels);
}

/** One test day's card precision. */
export interface CardPrecisionDay {
  readonly day: string;
  /** cards in the top k with a fraud that day. */
  readonly found: number;
  /** cards that had a fraud that day (among those not found earlier); caps what any ranking can reach. */
  readonly fraudCards: number;
  /** cards ranked that day (not found earlier). */
  readonly cards: number;
  /** found / k. */
  readonly precision: number;
}

/** Card precision top-k: the mean over days and each day's figure. */
export interface CardPrecision {
  readonly k: number;
  readonly mean: number;
  readonly days: readonly CardPrecisionDay[];
}

/**
 * Card precision top-k per day, the Handbook's way: for each day (in ascending order), every card
 * scores its highest transaction score of the day and is fraudulent that day if any of its
 * transactions is; cards found (fraudulent and in the top k) on an earlier day are left out; the
 * day's precision is the number of fraudulent cards among the k highest, divided by k (even when
 * fewer than k cards are left). The result is the mean over days. Ties in score rank the card
 * seen first first, so the figure is deterministic.
 */
export function cardPrecisionTopK(
  days: ArrayLike<string>,
  cards: ArrayLike<string>,
  raw: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
): CardPrecision {
  const scores = clean(raw);
  const byDay = new Map<string, number[]>();
  for (let i = 0; i < scores.length; i++) {
    let rows = byDay.get(days[i]);
    if (rows === undefined) byDay.set(days[i], (rows = []));
    rows.push(i);
  }
  const found = new Set<string>();
  const out: CardPrecisionDay[] = [];
  for (const day of [...byDay.keys()].sort()) {
    const best = new Map<string, { score: number; fraud: boolean; first: number }>();
    for (const i of byDay.get(day) ?? []) {
      const c = cards[i];
      if (found.has(c)) continue;
      const b = best.get(c);
      if (b === undefined) best.set(c, { score: scores[i], fraud: labels[i] > 0, first: i });
      else {
        if (scores[i] > b.score) b.score = scores[i];
        if (labels[i] > 0) b.fraud = true;
      }
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first);
    let hits = 0;
    let fraudCards = 0;
    for (const [, b] of ranked) if (b.fraud) fraudCards++;
    for (const [card, b] of ranked.slice(0, k)) {
      if (b.fraud) {
        hits++;
        found.add(card);
      }
    }
    out.push({ day, found: hits, fraudCards, cards: ranked.length, precision: hits / k });
  }
  const mean = out.length === 0 ? NaN : out.reduce((s, d) => s + d.precision, 0) / out.length;
  return { k, mean, days: out };
}

/** Mean log loss of probabilities (clipped away from 0 and 1 so one confident miss stays finite). */
export function logLoss(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i]));
    s -= labels[i] > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return probs.length > 0 ? s / probs.length : NaN;
}

/** Brier score: mean squared error of probabilities, a check on calibration. */
export function brierScore(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    const d = probs[i] - (labels[i] > 0 ? 1 : 0);
    s += d * d;
  }
  return probs.length > 0 ? s / probs.length : NaN;
}
