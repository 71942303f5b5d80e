/**
 * From trees as grown (local node numbers, split bins) to the model's shared flat arrays (global
 * node numbers, raw thresholds): the one place where a bin becomes a number a live payment is
 * compared with, so training-time and scoring-time decisions are the same by construction.
 */
import type { TreeArrays } from './gbdt-model.js';
import type { GrownTree } from './tree-grower.js';

/** Flattens grown trees into the model's shared arrays, turning split bins into raw thresholds. */
export function flatten(trees: readonly GrownTree[], edges: readonly Float64Array[]): TreeArrays {
  let nodes = 0;
  for (const t of trees) nodes += t.feature.length;
  const a = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    nanLeft: new Uint8Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    value: new Float64Array(nodes),
  };
  let off = 0;
  trees.forEach((t, k) => {
    a.roots[k] = off;
    for (let n = 0; n < t.feature.length; n++) {
      const f = t.feature[n];
      a.feature[off + n] = f;
      a.value[off + n] = t.value[n];
      if (f < 0) {
        a.left[off + n] = -1;
        a.right[off + n] = -1;
        continue;
      }
      const e = edges[f];
      a.threshold[off + n] = t.bin[n] < e.length ? e[t.bin[n]] : Infinity;
      a.nanLeft[off + n] = t.nanLeft[n] ? 1 : 0;
      a.left[off + n] = off + t.left[n];
      a.right[off + n] = off + t.right[n];
    }
    off += t.feature.length;
  });
  return a;
}
