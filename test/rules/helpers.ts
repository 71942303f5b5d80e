// A small builtin catalog and vector builder for the rule-language tests.
import type { BuiltinCatalog, BuiltinFeature, FeatureVector, ValueType } from '../../src/features/vector.js';
import { createVector } from '../../src/features/vector.js';
import { compilePolicy, checkPolicy, type PolicyBuild } from '../../src/rules/compile.js';
import type { PolicyDiagnostic } from '../../src/errors.js';

const DEFS: [string, ValueType][] = [
  ['amount', 'number'],
  ['hour', 'number'],
  ['mean_amount_30d', 'number'],
  ['since_last_tx', 'number'],
  ['is_round_amount', 'boolean'],
  ['is_night', 'boolean'],
  ['channel', 'string'],
  ['account', 'string'],
  ['merchant', 'string'],
  ['device', 'string'],
];

/** Test catalog: numbers and booleans first in num slots, strings in str slots. */
export function testCatalog(): BuiltinCatalog {
  let n = 0;
  let s = 0;
  const features: BuiltinFeature[] = DEFS.map(([name, type]) => ({
    name,
    type,
    slot: type === 'string' ? s++ : n++,
    description: name,
  }));
  const byName = new Map(features.map((f) => [f.name, f]));
  return { features, numSlots: n, strSlots: s, lookup: (x) => byName.get(x) };
}

export const CAT = testCatalog();

/** Compiles one file of text against the test catalog. */
export function compile(text: string): PolicyBuild {
  return compilePolicy([{ file: 'p.fk', text }], CAT, 'test');
}

/** Diagnostics of one file of text. */
export function check(text: string): PolicyDiagnostic[] {
  return checkPolicy([{ file: 'p.fk', text }], CAT);
}

/** A vector for `policy` with the given builtin values; everything else unknown. */
export function vec(policy: { numSlots: number; strSlots: number }, values: Record<string, number | string | boolean>): FeatureVector {
  const v = createVector(policy.numSlots, policy.strSlots);
  for (const [k, val] of Object.entries(values)) {
    const f = CAT.lookup(k);
    if (!f) throw new Error(`no builtin ${k}`);
    if (f.type === 'string') v.str[f.slot] = String(val);
    else v.num[f.slot] = typeof val === 'boolean' ? (val ? 1 : 0) : Number(val);
  }
  return v;
}
