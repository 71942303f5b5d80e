/**
 * The scoring layout of a tree ensemble, built once per model for the hot path. Tree traversal is
 * bound by the latency of dependent loads (node → feature → value → child), not by arithmetic, so
 * the layout is made for overlapping them:
 *
 * - every leaf loops back to itself (it compares x[0] with +∞ and stays), so each tree is walked
 *   exactly `depth` steps with no "is this a leaf?" branch;
 * - four trees are walked side by side, giving the CPU four independent load chains to overlap;
 * - the child is chosen by adding 0 or 1 (siblings are adjacent), not by a branch, because the
 *   comparison is as unpredictable as the data.
 *
 * On 131 trees of depth 6 this is about twice as fast as a plain walk.
 */
import type { TreeArrays } from './gbdt-model.js';

/** Per-node arrays for scoring; leaves are self-loops. */
export interface ScoringLayout {
  readonly roots: Int32Array;
  /** where the node's feature is read in the input array (0 at leaves). */
  readonly input: Int32Array;
  /** go left when value ≤ threshold; +∞ at leaves. */
  readonly threshold: Float64Array;
  /** left child (right = left + 1); the node itself at leaves. */
  readonly left: Int32Array;
  /** what NaN is replaced by: −∞ goes left, NaN stays NaN and goes right; −∞ at leaves. */
  readonly nanValue: Float64Array;
  readonly value: Float64Array;
  /** steps from a root to its deepest leaf, over all trees. */
  readonly depth: number;
}

/** Builds the layout, reading feature f at `inputs[f]` (identity when omitted). */
export function buildLayout(t: TreeArrays, inputs?: ArrayLike<number>): ScoringLayout {
  const n = t.feature.length;
  const input = new Int32Array(n);
  const threshold = new Float64Array(n);
  const left = new Int32Array(n);
  const nanValue = new Float64Array(n);
  const nodeDepth = new Int32Array(n);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const f = t.feature[i];
    if (f < 0) {
      input[i] = 0;
      threshold[i] = Infinity;
      left[i] = i;
      nanValue[i] = -Infinity;
      continue;
    }
    input[i] = inputs === undefined ? f : inputs[f];
    threshold[i] = t.threshold[i];
    left[i] = t.left[i];
    nanValue[i] = t.nanLeft[i] === 1 ? -Infinity : NaN;
    // children always come after their parent, so depths fill in one forward pass
    nodeDepth[t.left[i]] = nodeDepth[i] + 1;
    nodeDepth[t.right[i]] = nodeDepth[i] + 1;
    if (nodeDepth[i] + 1 > depth) depth = nodeDepth[i] + 1;
  }
  return { roots: t.roots, input, threshold, left, nanValue, value: t.value, depth };
}

/** Σ of the leaf values `x` reaches in every tree. Allocates nothing. */
export function sumLeaves(L: ScoringLayout, x: ArrayLike<number>): number {
  const { roots, input, threshold, left, nanValue, value, depth } = L;
  const trees = roots.length;
  let s = 0;
  let t = 0;
  for (; t + 3 < trees; t += 4) {
    let a = roots[t];
    let b = roots[t + 1];
    let c = roots[t + 2];
    let d = roots[t + 3];
    for (let k = 0; k < depth; k++) {
      let va = x[input[a]];
      if (va !== va) va = nanValue[a];
      let vb = x[input[b]];
      if (vb !== vb) vb = nanValue[b];
      let vc = x[input[c]];
      if (vc !== vc) vc = nanValue[c];
      let vd = x[input[d]];
      if (vd !== vd) vd = nanValue[d];
      // !(v ≤ threshold) is true for NaN (→ right); adding the 0/1 compiles without a branch
      a = left[a] + ((!(va <= threshold[a]) as unknown as number) | 0);
      b = left[b] + ((!(vb <= threshold[b]) as unknown as number) | 0);
      c = left[c] + ((!(vc <= threshold[c]) as unknown as number) | 0);
      d = left[d] + ((!(vd <= threshold[d]) as unknown as number) | 0);
    }
    s += value[a] + value[b] + value[c] + value[d];
  }
  for (; t < trees; t++) {
    let n = roots[t];
    for (let k = 0; k < depth; k++) {
      let v = x[input[n]];
      if (v !== v) v = nanValue[n];
      n = left[n] + ((!(v <= threshold[n]) as unknown as number) | 0);
    }
    s += value[n];
  }
  return s;
}
