// Property tests of the rule language. Random well-typed programs (rules, derived features, window
// filters) are printed to text, compiled to closures and run on random feature vectors; a reference
// interpreter over the generated tree, written here and sharing nothing with src/rules, must agree
// on every hit and every derived value. Random ill-formed text must come back as diagnostics, quickly,
// never as an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CAT, check, compile } from '../rules/helpers.js';
import { createVector, type ListLookup } from '../../src/features/vector.js';
import { computeDerived, evaluateRules } from '../../src/rules/evaluate.js';
import { PolicyCompileError } from '../../src/errors.js';
import { params } from './config.js';

// ------------------------------------------------------------------ the generated language

type Cmp = '<' | '<=' | '>' | '>=' | '==' | '!=';
interface NumLit {
  readonly text: string;
  readonly v: number;
}
type N =
  | { readonly k: 'lit'; readonly lit: NumLit }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'neg'; readonly a: N }
  | { readonly k: 'arith'; readonly op: '+' | '-' | '*' | '/'; readonly a: N; readonly b: N }
  | { readonly k: 'fn1'; readonly fn: 'abs' | 'log'; readonly a: N }
  | { readonly k: 'fn2'; readonly fn: 'min' | 'max'; readonly a: N; readonly b: N };
type S = { readonly k: 'slit'; readonly v: string } | { readonly k: 'svar'; readonly name: string };
type B =
  | { readonly k: 'blit'; readonly v: boolean }
  | { readonly k: 'bvar'; readonly name: string }
  | { readonly k: 'not'; readonly a: B }
  | { readonly k: 'logic'; readonly op: 'and' | 'or'; readonly a: B; readonly b: B }
  | { readonly k: 'cmp'; readonly op: Cmp; readonly a: N; readonly b: N }
  | { readonly k: 'beq'; readonly op: '==' | '!='; readonly a: B; readonly b: B }
  | { readonly k: 'seq'; readonly op: '==' | '!='; readonly a: S; readonly b: S }
  | { readonly k: 'nin'; readonly neg: boolean; readonly a: N; readonly items: readonly NumLit[]; readonly signs: readonly boolean[] }
  | { readonly k: 'sin'; readonly neg: boolean; readonly a: S; readonly items: readonly string[] }
  | { readonly k: 'knownN'; readonly a: N }
  | { readonly k: 'knownS'; readonly a: S }
  | { readonly k: 'knownB'; readonly a: B }
  | { readonly k: 'inlist'; readonly a: S; readonly list: string };

const NUM_BUILTINS = ['amount', 'hour', 'mean_amount_30d', 'since_last_tx'];
const BOOL_BUILTINS = ['is_round_amount', 'is_night'];
const STR_BUILTINS = ['channel', 'account', 'merchant', 'device'];
const LISTS = ['la', 'lb'];

const NUM_LITS: NumLit[] = [
  { text: '0', v: 0 }, { text: '1', v: 1 }, { text: '2', v: 2 }, { text: '3', v: 3 }, { text: '5', v: 5 },
  { text: '0.5', v: 0.5 }, { text: '1_000', v: 1000 }, { text: '¥1.5', v: 150 }, { text: '¥10', v: 1000 },
  { text: '2h', v: 7_200_000 }, { text: '90s', v: 90_000 }, { text: '100000000000000000000', v: 1e20 },
];
const NUM_VALUES = [NaN, NaN, 0, 1, 2, 3, 5, -2, 0.5, 150, 1000, 7_200_000, 1e308, -1e-9, Infinity];
const STR_VALUES = ['', '', 'qr', 'app', 'card', 'a"b', 'back\\slash', 'x\ny', 'tab\there', '支付', '💳', ' '];

/** Expression arbitraries over the given feature names (derived features join the builtins). */
function exprArbs(nums: readonly string[], bools: readonly string[]): { n: fc.Arbitrary<N>; b: fc.Arbitrary<B>; s: fc.Arbitrary<S> } {
  const o = { maxDepth: 4, depthIdentifier: 'expr', depthSize: 'small' } as const;
  return fc.letrec<{ n: N; b: B; s: S }>((tie) => ({
    n: fc.oneof(
      o,
      fc.oneof(
        fc.record({ k: fc.constant('lit' as const), lit: fc.constantFrom(...NUM_LITS) }),
        fc.record({ k: fc.constant('var' as const), name: fc.constantFrom(...nums) }),
      ),
      fc.record({ k: fc.constant('neg' as const), a: tie('n') }),
      fc.record({ k: fc.constant('arith' as const), op: fc.constantFrom('+' as const, '-' as const, '*' as const, '/' as const), a: tie('n'), b: tie('n') }),
      fc.record({ k: fc.constant('fn1' as const), fn: fc.constantFrom('abs' as const, 'log' as const), a: tie('n') }),
      fc.record({ k: fc.constant('fn2' as const), fn: fc.constantFrom('min' as const, 'max' as const), a: tie('n'), b: tie('n') }),
    ),
    s: fc.oneof(
      fc.record({ k: fc.constant('svar' as const), name: fc.constantFrom(...STR_BUILTINS) }),
      fc.record({ k: fc.constant('slit' as const), v: fc.constantFrom(...STR_VALUES) }),
    ),
    b: fc.oneof(
      o,
      fc.oneof(
        fc.record({ k: fc.constant('bvar' as const), name: fc.constantFrom(...bools) }),
        fc.record({ k: fc.constant('blit' as const), v: fc.boolean() }),
        fc.record({ k: fc.constant('knownS' as const), a: tie('s') }),
        fc.record({ k: fc.constant('inlist' as const), a: tie('s'), list: fc.constantFrom(...LISTS) }),
        fc.record({ k: fc.constant('seq' as const), op: fc.constantFrom('==' as const, '!=' as const), a: tie('s'), b: tie('s') }),
        fc.record({
          k: fc.constant('sin' as const),
          neg: fc.boolean(),
          a: tie('s'),
          items: fc.array(fc.constantFrom(...STR_VALUES), { maxLength: 4 }),
        }),
      ),
      fc.record({ k: fc.constant('not' as const), a: tie('b') }),
      fc.record({ k: fc.constant('logic' as const), op: fc.constantFrom('and' as const, 'or' as const), a: tie('b'), b: tie('b') }),
      fc.record({ k: fc.constant('logic' as const), op: fc.constantFrom('and' as const, 'or' as const), a: tie('b'), b: tie('b') }),
      fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom<Cmp>('<', '<=', '>', '>=', '==', '!='), a: tie('n'), b: tie('n') }),
      fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom<Cmp>('<', '<=', '>', '>=', '==', '!='), a: tie('n'), b: tie('n') }),
      fc.record({ k: fc.constant('beq' as const), op: fc.constantFrom('==' as const, '!=' as const), a: tie('b'), b: tie('b') }),
      fc
        .array(fc.tuple(fc.constantFrom(...NUM_LITS), fc.boolean()), { maxLength: 4 })
        .chain((its) => fc.record({ k: fc.constant('nin' as const), neg: fc.boolean(), a: tie('n'), items: fc.constant(its.map((x) => x[0])), signs: fc.constant(its.map((x) => x[1])) })),
      fc.record({ k: fc.constant('knownN' as const), a: tie('n') }),
      fc.record({ k: fc.constant('knownB' as const), a: tie('b') }),
    ),
  }));
}

// ------------------------------------------------------------------ printing, with as few parentheses as the grammar needs

interface Printed {
  readonly text: string;
  /** 1 or, 2 and, 3 not, 4 comparison, 5 sum, 6 product, 7 unary minus, 8 primary. */
  readonly prec: number;
}

function wrap(p: Printed, min: number): string {
  return p.prec >= min ? p.text : `(${p.text})`;
}

function strLit(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

function printN(e: N): Printed {
  switch (e.k) {
    case 'lit':
      return { text: e.lit.text, prec: 8 };
    case 'var':
      return { text: e.name, prec: 8 };
    case 'neg':
      return { text: `-${wrap(printN(e.a), 7)}`, prec: 7 };
    case 'arith': {
      const p = e.op === '+' || e.op === '-' ? 5 : 6;
      return { text: `${wrap(printN(e.a), p)} ${e.op} ${wrap(printN(e.b), p + 1)}`, prec: p };
    }
    case 'fn1':
      return { text: `${e.fn}(${printN(e.a).text})`, prec: 8 };
    case 'fn2':
      return { text: `${e.fn}(${printN(e.a).text}, ${printN(e.b).text})`, prec: 8 };
  }
}

function printS(e: S): Printed {
  return { text: e.k === 'svar' ? e.name : strLit(e.v), prec: 8 };
}

function printB(e: B): Printed {
  switch (e.k) {
    case 'blit':
      return { text: String(e.v), prec: 8 };
    case 'bvar':
      return { text: e.name, prec: 8 };
    case 'not':
      return { text: `not ${wrap(printB(e.a), 3)}`, prec: 3 };
    case 'logic': {
      const p = e.op === 'or' ? 1 : 2;
      return { text: `${wrap(printB(e.a), p)} ${e.op} ${wrap(printB(e.b), p + 1)}`, prec: p };
    }
    case 'cmp':
      return { text: `${wrap(printN(e.a), 5)} ${e.op} ${wrap(printN(e.b), 5)}`, prec: 4 };
    case 'beq':
      return { text: `${wrap(printB(e.a), 5)} ${e.op} ${wrap(printB(e.b), 5)}`, prec: 4 };
    case 'seq':
      return { text: `${printS(e.a).text} ${e.op} ${printS(e.b).text}`, prec: 4 };
    case 'nin':
      return { text: `${wrap(printN(e.a), 5)} ${e.neg ? 'not in' : 'in'} [${e.items.map((x, i) => (e.signs[i] ? '-' : '') + x.text).join(', ')}]`, prec: 4 };
    case 'sin':
      return { text: `${printS(e.a).text} ${e.neg ? 'not in' : 'in'} [${e.items.map(strLit).join(', ')}]`, prec: 4 };
    case 'knownN':
      return { text: `known(${printN(e.a).text})`, prec: 8 };
    case 'knownS':
      return { text: `known(${printS(e.a).text})`, prec: 8 };
    case 'knownB':
      return { text: `known(${printB(e.a).text})`, prec: 8 };
    case 'inlist':
      return { text: `in_list(${printS(e.a).text}, "${e.list}")`, prec: 8 };
  }
}

// ------------------------------------------------------------------ the reference interpreter (Kleene logic; NaN and '' unknown)

type K = boolean | null;
interface Env {
  readonly num: ReadonlyMap<string, number>;
  readonly bool: ReadonlyMap<string, K>;
  readonly str: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, ReadonlySet<string>>;
}

function evalN(e: N, env: Env): number {
  switch (e.k) {
    case 'lit':
      return e.lit.v;
    case 'var':
      return env.num.get(e.name) ?? NaN;
    case 'neg':
      return -evalN(e.a, env);
    case 'arith': {
      const a = evalN(e.a, env);
      const b = evalN(e.b, env);
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      return b === 0 ? NaN : a / b;
    }
    case 'fn1':
      return e.fn === 'abs' ? Math.abs(evalN(e.a, env)) : Math.log(evalN(e.a, env));
    case 'fn2': {
      const a = evalN(e.a, env);
      const b = evalN(e.b, env);
      return e.fn === 'min' ? Math.min(a, b) : Math.max(a, b);
    }
  }
}

function evalS(e: S, env: Env): string {
  return e.k === 'slit' ? e.v : env.str.get(e.name) ?? '';
}

function relate(op: Cmp, a: number, b: number): boolean {
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '==') return a === b;
  return a !== b;
}

function evalB(e: B, env: Env): K {
  switch (e.k) {
    case 'blit':
      return e.v;
    case 'bvar':
      return env.bool.get(e.name) ?? null;
    case 'not': {
      const a = evalB(e.a, env);
      return a === null ? null : !a;
    }
    case 'logic': {
      const a = evalB(e.a, env);
      const b = evalB(e.b, env);
      if (e.op === 'and') return a === false || b === false ? false : a === null || b === null ? null : true;
      return a === true || b === true ? true : a === null || b === null ? null : false;
    }
    case 'cmp': {
      const a = evalN(e.a, env);
      const b = evalN(e.b, env);
      return Number.isNaN(a) || Number.isNaN(b) ? null : relate(e.op, a, b);
    }
    case 'beq': {
      const a = evalB(e.a, env);
      const b = evalB(e.b, env);
      return a === null || b === null ? null : (a === b) === (e.op === '==');
    }
    case 'seq': {
      const a = evalS(e.a, env);
      const b = evalS(e.b, env);
      return a === '' || b === '' ? null : (a === b) === (e.op === '==');
    }
    case 'nin': {
      const a = evalN(e.a, env);
      if (Number.isNaN(a)) return null;
      const values = e.items.map((x, i) => (e.signs[i] ? -x.v : x.v));
      return values.some((x) => x === a) !== e.neg;
    }
    case 'sin': {
      const a = evalS(e.a, env);
      return a === '' ? null : e.items.includes(a) !== e.neg;
    }
    case 'knownN':
      return !Number.isNaN(evalN(e.a, env));
    case 'knownS':
      return evalS(e.a, env) !== '';
    case 'knownB':
      return evalB(e.a, env) !== null;
    case 'inlist': {
      const a = evalS(e.a, env);
      return a === '' ? null : (env.lists.get(e.list)?.has(a) ?? false);
    }
  }
}

// ------------------------------------------------------------------ programs and inputs

interface Program {
  readonly dn0: N;
  readonly db0: B;
  readonly dn1: N;
  readonly db1: B;
  readonly filters: readonly B[];
  readonly rules: readonly B[];
}

const builtinsOnly = exprArbs(NUM_BUILTINS, BOOL_BUILTINS);
const withDn0 = exprArbs([...NUM_BUILTINS, 'dn0'], [...BOOL_BUILTINS]);
const withDb0 = exprArbs([...NUM_BUILTINS, 'dn0'], [...BOOL_BUILTINS, 'db0']);
const withAll = exprArbs([...NUM_BUILTINS, 'dn0', 'dn1'], [...BOOL_BUILTINS, 'db0', 'db1']);

const program: fc.Arbitrary<Program> = fc.record({
  dn0: builtinsOnly.n,
  db0: withDn0.b,
  dn1: withDb0.n,
  db1: withDb0.b,
  filters: fc.array(builtinsOnly.b, { maxLength: 2 }),
  rules: fc.array(withAll.b, { minLength: 1, maxLength: 6 }),
});

function programText(p: Program): string {
  const lines = [
    `feature dn0 = ${printN(p.dn0).text}`,
    `feature db0 = ${printB(p.db0).text}`,
    `feature dn1 = ${printN(p.dn1).text}`,
    `feature db1 = ${printB(p.db1).text}`,
    ...p.filters.map((f, i) => `feature w${i} = count by account over 1h where ${printB(f).text}`),
    ...p.rules.map((r, i) => `rule R${i}\n  when ${printB(r).text}\n  score 1`),
  ];
  return lines.join('\n') + '\n';
}

interface Input {
  readonly num: readonly number[];
  readonly bool: readonly number[];
  readonly str: readonly string[];
  readonly lists: readonly (readonly string[])[];
}

const input: fc.Arbitrary<Input> = fc.record({
  num: fc.array(fc.constantFrom(...NUM_VALUES), { minLength: NUM_BUILTINS.length, maxLength: NUM_BUILTINS.length }),
  bool: fc.array(fc.constantFrom(NaN, 0, 1), { minLength: BOOL_BUILTINS.length, maxLength: BOOL_BUILTINS.length }),
  str: fc.array(fc.constantFrom(...STR_VALUES), { minLength: STR_BUILTINS.length, maxLength: STR_BUILTINS.length }),
  lists: fc.array(fc.subarray(STR_VALUES.filter((s) => s !== '')), { minLength: LISTS.length, maxLength: LISTS.length }),
});

const asK = (x: number): K => (x === 1 ? true : x === 0 ? false : null);
const fromK = (k: K): number => (k === null ? NaN : k ? 1 : 0);

function describe(x: Input): string {
  const parts = [
    ...NUM_BUILTINS.map((n, i) => `${n}=${x.num[i]}`),
    ...BOOL_BUILTINS.map((n, i) => `${n}=${x.bool[i]}`),
    ...STR_BUILTINS.map((n, i) => `${n}=${JSON.stringify(x.str[i])}`),
    ...LISTS.map((n, i) => `${n}=${JSON.stringify(x.lists[i])}`),
  ];
  return parts.join(' ');
}

test('compiled policies agree with a reference interpreter on every hit, derived value and window filter', () => {
  fc.assert(
    fc.property(program, fc.array(input, { minLength: 1, maxLength: 6 }), (prog, inputs) => {
      const text = programText(prog);
      let p: ReturnType<typeof compile>;
      try {
        p = compile(text);
      } catch (e) {
        const why = e instanceof PolicyCompileError ? e.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n') : String(e);
        assert.fail(`a well-typed program did not compile:\n${text}\n${why}`);
      }
      const slot = (name: string): number => {
        const d = p.derived.find((x) => x.name === name);
        assert.ok(d, name);
        return d.slot;
      };
      const hits = new Int32Array(p.rules.length);
      for (const x of inputs) {
        const sets = new Map(LISTS.map((l, i) => [l, new Set(x.lists[i])]));
        const lookup: ListLookup = { has: (list, value) => value !== '' && (sets.get(list)?.has(value) ?? false) };
        const v = createVector(p.numSlots, p.strSlots);
        NUM_BUILTINS.forEach((n, i) => (v.num[CAT.lookup(n)!.slot] = x.num[i]));
        BOOL_BUILTINS.forEach((n, i) => (v.num[CAT.lookup(n)!.slot] = x.bool[i]));
        STR_BUILTINS.forEach((n, i) => (v.str[CAT.lookup(n)!.slot] = x.str[i]));
        v.lists = lookup;
        v.t = 0;
        computeDerived(p, v);

        const num = new Map<string, number>(NUM_BUILTINS.map((n, i) => [n, x.num[i]]));
        const bool = new Map<string, K>(BOOL_BUILTINS.map((n, i) => [n, asK(x.bool[i])]));
        const env: Env = { num, bool, str: new Map(STR_BUILTINS.map((n, i) => [n, x.str[i]])), lists: sets };
        num.set('dn0', evalN(prog.dn0, env));
        bool.set('db0', evalB(prog.db0, env));
        num.set('dn1', evalN(prog.dn1, env));
        bool.set('db1', evalB(prog.db1, env));
        const where = `\n${text}on ${describe(x)}`;
        for (const d of ['dn0', 'dn1']) assert.ok(Object.is(v.num[slot(d)], num.get(d)), `${d}: compiled ${v.num[slot(d)]}, reference ${num.get(d)}${where}`);
        for (const d of ['db0', 'db1']) assert.ok(Object.is(v.num[slot(d)], fromK(bool.get(d)!)), `${d}: compiled ${v.num[slot(d)]}, reference ${bool.get(d)}${where}`);

        prog.filters.forEach((f, i) => {
          const w = p.windows.find((y) => y.name === `w${i}`);
          assert.ok(w);
          const got = w.filter === null ? true : w.filter(v);
          assert.equal(got, evalB(f, env) === true, `filter of w${i}${where}`);
        });

        const count = evaluateRules(p, v, hits);
        const got = new Set(hits.subarray(0, count));
        prog.rules.forEach((r, i) => assert.equal(got.has(i), evalB(r, env) === true, `R${i}${where}`));
      }
    }),
    params(4_000),
  );
});

// ------------------------------------------------------------------ ill-formed text

const TOKENS = [
  'rule', 'feature', 'setting', 'when', 'outcome', 'score', 'reason', 'description', 'by', 'over', 'buckets', 'where',
  'and', 'or', 'not', 'in', 'true', 'false', 'decline', 'review', 'allow', 'approve', 'challenge', 'count', 'sum', 'mean',
  'distinct', 'amount', 'hour', 'channel', 'account', 'device', 'is_night', 'known', 'in_list', 'abs', 'log', 'min', 'max',
  'score.review', 'score.scale', 'R1', 'x', 'x.y.z', '0', '1', '12abc', '1.2.3', '1_', '3.', '¥', '¥1.234', '￥5', '5m', '5x',
  '10d', '1e9', '99999999999999999999999', '"a"', '"', '"\\q"', '"unterminated', '"\\', '(', ')', '[', ']', ',', '=', '<',
  '<=', '>', '>=', '==', '!=', '+', '-', '*', '/', '!', '&&', '#', '#comment', '\n', '\t', '\r', '\u00a0', '\ufeff', '💳',
  '\ud800', '支付', '\u0000', '`', '{', '}',
];

const deep = fc
  .tuple(fc.integer({ min: 1, max: 4000 }), fc.constantFrom('(', 'not ', '-', 'abs(', '[', 'known(', 'x in [', '- ('))
  .map(([n, open]) => `rule R\n  when ${open.repeat(n)}1${')'.repeat(n)}\n  score 1\n`);

const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).chain((ts) =>
  fc.array(fc.constantFrom(' ', '\n', ''), { minLength: ts.length, maxLength: ts.length }).map((seps) => ts.map((t, i) => t + seps[i]).join('')),
);

const edited = fc
  .tuple(program.map(programText), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.constantFrom(...TOKENS, '', ' ')), { minLength: 1, maxLength: 5 }))
  .map(([t, edits]) => edits.reduce((s, [at, del, ins]) => s.slice(0, at % (s.length + 1)) + ins + s.slice((at % (s.length + 1)) + del), t));

const DIAG_CODE = /^FKR\d{3}$/;

test('ill-formed policy text: diagnostics, never an exception, never a hang', () => {
  fc.assert(
    fc.property(fc.oneof({ weight: 3, arbitrary: soup }, { weight: 3, arbitrary: edited }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) }, { weight: 1, arbitrary: deep }), (text) => {
      const started = process.hrtime.bigint();
      const diags = check(text);
      for (const d of diags) {
        assert.match(d.code, DIAG_CODE, JSON.stringify(d));
        assert.ok(d.message.length > 0 && !d.message.includes('{0}'), JSON.stringify(d));
        assert.ok(d.line >= 1 && d.column >= 1, JSON.stringify(d));
        assert.ok(d.severity === 'error' || d.severity === 'warning');
      }
      const errors = diags.some((d) => d.severity === 'error');
      try {
        const p = compile(text);
        assert.ok(!errors, 'compiled despite errors');
        const v = createVector(p.numSlots, p.strSlots);
        computeDerived(p, v);
        evaluateRules(p, v, new Int32Array(p.rules.length));
      } catch (e) {
        if (!(e instanceof PolicyCompileError)) throw e;
        assert.ok(errors, 'a PolicyCompileError without an error diagnostic');
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 3000, `${text.length} characters took ${ms.toFixed(0)} ms`);
    }),
    params(3_000),
  );
});
