/**
 * Our compiled rules against json-rules-engine, side by side in one process: the same 50 rules (the
 * shapes a risk team writes: thresholds on several features, `in` lists, and/or combinations) are
 * generated both as policy text and as json-rules-engine rules, and run on the same random inputs.
 * Every input must give the same set of matching rules on both sides, or the run fails.
 *
 *   node dist/bench/rules-vs-json-rules-engine.js [--inputs 20000] [--rules 50] [--seed 7]
 *
 * Inputs hold every fact (no unknowns): json-rules-engine has no notion of an unknown value, so
 * that is the only ground on which both must agree.
 */
import { performance } from 'node:perf_hooks';
import { Engine, type NestedCondition, type RuleProperties } from 'json-rules-engine';
import { createVector, type BuiltinCatalog, type BuiltinFeature, type FeatureVector } from '../src/features/vector.js';
import { compilePolicy } from '../src/rules/compile.js';
import { evaluateRules } from '../src/rules/evaluate.js';
import { answerHelp } from './util.js';

answerHelp('usage: node dist/bench/rules-vs-json-rules-engine.js [--inputs 20000] [--rules 50] [--seed 7]');

function arg(name: string, fallback: number): number {
  const a = process.argv.indexOf(`--${name}`);
  const v = a >= 0 ? Number(process.argv[a + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const INPUTS = arg('inputs', 20_000);
const RULES = arg('rules', 50);
const SEED = arg('seed', 7);

// ------------------------------------------------------------------ features

/** Numeric facts with the range random inputs draw from. */
const NUMS: [string, number, number][] = [
  ['amount', 100, 2_000_000],
  ['hour', 0, 23],
  ['tx_count_1h', 0, 20],
  ['tx_count_24h', 0, 80],
  ['distinct_merchants_24h', 0, 15],
  ['account_age_days', 0, 2000],
  ['amount_vs_mean', 0, 12],
  ['device_age_days', 0, 400],
  ['failed_logins_1h', 0, 6],
  ['distance_km', 0, 3000],
];
/** String facts with their possible values. */
const STRS: [string, string[]][] = [
  ['channel', ['qr', 'card', 'app']],
  ['mcc', ['5411', '5812', '5999', '7995', '4829', '6051', '5732', '5944']],
  ['country', ['CN', 'HK', 'MO', 'SG', 'US']],
  ['kyc', ['none', 'basic', 'full']],
];

function benchCatalog(): BuiltinCatalog {
  const features: BuiltinFeature[] = [
    ...NUMS.map(([name], slot) => ({ name, type: 'number' as const, slot, description: name })),
    ...STRS.map(([name], slot) => ({ name, type: 'string' as const, slot, description: name })),
  ];
  const byName = new Map(features.map((f) => [f.name, f]));
  return { features, numSlots: NUMS.length, strSlots: STRS.length, lookup: (n) => byName.get(n) };
}

// ------------------------------------------------------------------ one rule model, two renderings

type Op = '>' | '>=' | '<' | '<=' | '==' | 'in' | 'not in';
type Cond = { all: Cond[] } | { any: Cond[] } | { fact: string; op: Op; value: number | string | string[] };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function makeRules(n: number, rand: () => number): Cond[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const threshold = (): Cond => {
    const [fact, lo, hi] = pick(NUMS);
    const op = pick(['>', '>=', '<', '<='] as const);
    // thresholds in the upper or lower part of the range, as a risk rule would set them
    const q = op === '>' || op === '>=' ? 0.7 + rand() * 0.28 : 0.02 + rand() * 0.28;
    return { fact, op, value: Math.round(lo + q * (hi - lo)) };
  };
  const list = (negated: boolean): Cond => {
    const [fact, values] = pick(STRS);
    const k = 1 + Math.floor(rand() * Math.min(3, values.length - 1));
    const chosen = [...values].sort(() => rand() - 0.5).slice(0, k);
    return { fact, op: negated ? 'not in' : 'in', value: chosen };
  };
  const shapes: (() => Cond)[] = [
    () => ({ all: [threshold(), list(false)] }),
    () => ({ all: [threshold(), threshold()] }),
    () => ({ any: [threshold(), threshold()] }),
    () => ({ any: [{ all: [threshold(), threshold()] }, threshold()] }),
    () => ({ all: [threshold(), threshold(), list(true)] }),
    () => ({ all: [{ fact: 'kyc', op: '==', value: pick(['none', 'basic']) }, threshold()] }),
    () => ({ all: [{ any: [threshold(), list(false)] }, threshold(), list(false)] }),
  ];
  return Array.from({ length: n }, () => pick(shapes)());
}

function toText(c: Cond): string {
  if ('all' in c) return c.all.map((x) => ('any' in x ? `(${toText(x)})` : toText(x))).join(' and ');
  if ('any' in c) return c.any.map((x) => ('all' in x ? `(${toText(x)})` : toText(x))).join(' or ');
  const v = Array.isArray(c.value) ? `[${c.value.map((s) => JSON.stringify(s)).join(', ')}]` : typeof c.value === 'string' ? JSON.stringify(c.value) : String(c.value);
  return `${c.fact} ${c.op} ${v}`;
}

const JRE_OP: Record<Op, string> = { '>': 'greaterThan', '>=': 'greaterThanInclusive', '<': 'lessThan', '<=': 'lessThanInclusive', '==': 'equal', in: 'in', 'not in': 'notIn' };

function toJre(c: Cond): NestedCondition {
  if ('all' in c) return { all: c.all.map(toJre) };
  if ('any' in c) return { any: c.any.map(toJre) };
  return { fact: c.fact, operator: JRE_OP[c.op], value: c.value };
}

function policyText(rules: readonly Cond[]): string {
  return rules.map((c, i) => `rule R${i}\n  when ${toText(c)}\n  score ${1 + (i % 20)}\n`).join('\n');
}

// ------------------------------------------------------------------ inputs

interface Input {
  facts: Record<string, number | string>;
  vector: FeatureVector;
}

function makeInputs(n: number, rand: () => number, numSlots: number, strSlots: number): Input[] {
  const out: Input[] = [];
  for (let i = 0; i < n; i++) {
    const facts: Record<string, number | string> = {};
    const vector = createVector(numSlots, strSlots);
    NUMS.forEach(([name, lo, hi], slot) => {
      const x = Math.round(lo + rand() * (hi - lo));
      facts[name] = x;
      vector.num[slot] = x;
    });
    STRS.forEach(([name, values], slot) => {
      const s = values[Math.floor(rand() * values.length)];
      facts[name] = s;
      vector.str[slot] = s;
    });
    out.push({ facts, vector });
  }
  return out;
}

// ------------------------------------------------------------------ run

async function main(): Promise<void> {
  const rand = rng(SEED);
  const catalog = benchCatalog();
  const conds = makeRules(RULES, rand);
  const policy = compilePolicy([{ file: 'bench.fk', text: policyText(conds) }], catalog, 'bench');
  const engine = new Engine();
  conds.forEach((c, i) => {
    const conditions = toJre(c);
    const rule: RuleProperties = { name: `R${i}`, conditions: 'all' in conditions || 'any' in conditions ? conditions : { all: [conditions] }, event: { type: `R${i}` } };
    engine.addRule(rule);
  });
  const inputs = makeInputs(INPUTS, rand, policy.numSlots, policy.strSlots);

  // json-rules-engine: its API is async; one awaited run per input
  const jreHits: string[] = new Array<string>(inputs.length);
  await engine.run(inputs[0].facts); // warm-up
  const j0 = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    const { events } = await engine.run(inputs[i].facts);
    jreHits[i] = events
      .map((e) => Number(e.type.slice(1)))
      .sort((a, b) => a - b)
      .join(',');
  }
  const jreMs = performance.now() - j0;

  // ours: check every input first, then time whole passes until the clock is meaningful
  const hits = new Int32Array(policy.rules.length);
  let matched = 0;
  for (let i = 0; i < inputs.length; i++) {
    const n = evaluateRules(policy, inputs[i].vector, hits);
    matched += n;
    const ours = Array.from(hits.subarray(0, n)).join(',');
    if (ours !== jreHits[i]) {
      throw new Error(`MISMATCH on input ${i} ${JSON.stringify(inputs[i].facts)}: ours [${ours}] vs json-rules-engine [${jreHits[i]}]`);
    }
  }
  let passes = 0;
  let sink = 0;
  const o0 = performance.now();
  let oursMs = 0;
  do {
    for (let i = 0; i < inputs.length; i++) sink += evaluateRules(policy, inputs[i].vector, hits);
    passes++;
    oursMs = performance.now() - o0;
  } while (oursMs < 300);
  if (sink !== matched * passes) throw new Error('internal: passes disagree');

  // compile time of 1,000 rules of the same shapes
  const big = policyText(makeRules(1000, rng(SEED + 1)));
  compilePolicy([{ file: 'big.fk', text: big }], catalog, 'big'); // warm-up
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const c0 = performance.now();
    compilePolicy([{ file: 'big.fk', text: big }], catalog, 'big');
    times.push(performance.now() - c0);
  }
  times.sort((a, b) => a - b);

  const jrePerSec = inputs.length / (jreMs / 1000);
  const oursPerSec = (inputs.length * passes) / (oursMs / 1000);
  const ratio = oursPerSec / jrePerSec;
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`rules: ${RULES}   inputs: ${fmt(inputs.length)}   matches: ${fmt(matched)} (${(matched / inputs.length).toFixed(2)} rules/input), identical on every input`);
  console.log(`json-rules-engine@7  await engine.run(facts):   ${fmt(jrePerSec).padStart(12)} inputs/s   (${(jreMs / inputs.length * 1000).toFixed(1)} µs/input)`);
  console.log(`fengkong            evaluateRules(policy, v):  ${fmt(oursPerSec).padStart(12)} inputs/s   (${((oursMs / (inputs.length * passes)) * 1000).toFixed(2)} µs/input, ${passes} passes)`);
  console.log(`ratio: ${ratio.toFixed(0)}×  (target ≥ 20×: ${ratio >= 20 ? 'met' : 'NOT MET'})`);
  console.log(`compile 1,000 rules (${fmt(big.length)} chars): median ${times[2].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
  if (ratio < 20) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
