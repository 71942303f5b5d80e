// Random conditions checked against an independent three-valued interpreter, to catch a wrong
// specialised closure (slot/const/fn shapes × relations × polarities).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, vec } from './helpers.js';
import { evaluateRules } from '../../src/rules/evaluate.js';

type K = boolean | null; // null = unknown
type Vals = { amount: number; hour: number; is_night: number; channel: string };
interface NumGen {
  text: string;
  ref: (x: Vals) => number;
}
interface BoolGen {
  text: string;
  ref: (x: Vals) => K;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('compiled conditions agree with a reference interpreter on random inputs', () => {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const consts = [0, 1, 3, 5, -2];
  const leaf = (): NumGen => {
    const k = r();
    if (k < 0.35) return { text: 'amount', ref: (x) => x.amount };
    if (k < 0.6) return { text: 'hour', ref: (x) => x.hour };
    const c = pick(consts);
    return { text: String(c), ref: () => c };
  };
  const num = (depth: number): NumGen => {
    if (depth <= 0 || r() < 0.5) return leaf();
    const a = num(depth - 1);
    const b = num(depth - 1);
    const op = pick(['+', '-', '*', '/'] as const);
    const f = { '+': (p: number, q: number) => p + q, '-': (p: number, q: number) => p - q, '*': (p: number, q: number) => p * q, '/': (p: number, q: number) => (q === 0 ? NaN : p / q) }[op];
    return { text: `(${a.text} ${op} ${b.text})`, ref: (x) => f(a.ref(x), b.ref(x)) };
  };
  const cmp = (): BoolGen => {
    const k = r();
    if (k < 0.1) return { text: 'is_night', ref: (x) => (x.is_night === 1 ? true : x.is_night === 0 ? false : null) };
    if (k < 0.2) {
      const lit = pick(['qr', 'app']);
      const neg = r() < 0.5;
      return {
        text: `channel ${neg ? 'not in' : 'in'} ["${lit}", "card"]`,
        ref: (x) => (x.channel === '' ? null : (x.channel === lit || x.channel === 'card') !== neg),
      };
    }
    if (k < 0.3) {
      const lit = pick(['qr', 'app']);
      const op = pick(['==', '!=']);
      return { text: `channel ${op} "${lit}"`, ref: (x) => (x.channel === '' ? null : (x.channel === lit) === (op === '==')) };
    }
    if (k < 0.38) {
      const a = num(1);
      return { text: `known(${a.text})`, ref: (x) => a.ref(x) === a.ref(x) };
    }
    const a = num(2);
    const b = num(2);
    const op = pick(['<', '<=', '>', '>=', '==', '!='] as const);
    const f = { '<': (p: number, q: number) => p < q, '<=': (p: number, q: number) => p <= q, '>': (p: number, q: number) => p > q, '>=': (p: number, q: number) => p >= q, '==': (p: number, q: number) => p === q, '!=': (p: number, q: number) => p !== q }[op];
    return {
      text: `${a.text} ${op} ${b.text}`,
      ref: (x) => {
        const p = a.ref(x);
        const q = b.ref(x);
        return p !== p || q !== q ? null : f(p, q);
      },
    };
  };
  const bool = (depth: number): BoolGen => {
    if (depth <= 0 || r() < 0.3) return cmp();
    const k = r();
    if (k < 0.25) {
      const a = bool(depth - 1);
      return { text: `not (${a.text})`, ref: (x) => { const v = a.ref(x); return v === null ? null : !v; } };
    }
    const a = bool(depth - 1);
    const b = bool(depth - 1);
    if (k < 0.6) {
      return {
        text: `(${a.text}) and (${b.text})`,
        ref: (x) => { const p = a.ref(x); const q = b.ref(x); return p === false || q === false ? false : p === null || q === null ? null : true; },
      };
    }
    return {
      text: `(${a.text}) or (${b.text})`,
      ref: (x) => { const p = a.ref(x); const q = b.ref(x); return p === true || q === true ? true : p === null || q === null ? null : false; },
    };
  };

  const gens = Array.from({ length: 300 }, () => bool(3));
  const text = gens.map((g, i) => `rule R${i}\n  when ${g.text}\n  score 1\n`).join('');
  const p = compile(text);
  const hits = new Int32Array(p.rules.length);
  const numVals = [NaN, 0, 1, 3, 5, -2, 7];
  for (let n = 0; n < 400; n++) {
    const x: Vals = {
      amount: pick(numVals),
      hour: pick(numVals),
      is_night: pick([NaN, 0, 1]),
      channel: pick(['', 'qr', 'app', 'card']),
    };
    const values: Record<string, number | string> = { is_night: x.is_night, channel: x.channel, amount: x.amount, hour: x.hour };
    const count = evaluateRules(p, vec(p, values), hits);
    const got = new Set(hits.subarray(0, count));
    gens.forEach((g, i) => {
      assert.equal(got.has(i), g.ref(x) === true, `R${i}: ${g.text} on ${JSON.stringify(x)}`);
    });
  }
});
