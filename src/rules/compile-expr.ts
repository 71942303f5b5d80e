/**
 * Checked syntax trees → closures over the feature vector, with no eval. The hot path is one closure
 * call per rule, so the common shapes get their own closure (`slot >= const` reads `v.num[slot]`
 * directly), constants are folded, and `in` uses a Set.
 *
 * Logic is three-valued (Kleene): an unknown value (NaN, '') makes a comparison unknown, and unknown
 * is neither true nor false. Each boolean expression is compiled for one polarity, "is certainly
 * true" or "is certainly false"; `not e` is `e` compiled for the other polarity. So a rule never fires
 * on missing data, even under `not`, and the closures still return plain booleans.
 */
import type { Expr, ListItem, NameExpr } from './ast.js';
import type { FeatureSymbol, Ty } from './checker.js';
import type { NumberFn, Predicate } from './policy-types.js';

/** A numeric operand: known at compile time, one slot, or computed. */
type Num = { readonly k: 'const'; readonly c: number } | { readonly k: 'slot'; readonly s: number } | { readonly k: 'fn'; readonly f: NumberFn };
/** A string operand: only literals and slots produce strings. */
type Str = { readonly k: 'const'; readonly c: string } | { readonly k: 'slot'; readonly s: number };
/** A predicate, folded to a constant when it can be. */
type Bool = { readonly k: 'const'; readonly c: boolean } | { readonly k: 'fn'; readonly f: Predicate };

/** Relations after polarity: `ne` means both known and different. */
type Rel = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

const TRUE: Bool = { k: 'const', c: true };
const FALSE: Bool = { k: 'const', c: false };
const ALWAYS: Predicate = () => true;
const NEVER: Predicate = () => false;

const REL_FOR: Record<string, readonly [Rel, Rel]> = {
  '<': ['lt', 'ge'],
  '<=': ['le', 'gt'],
  '>': ['gt', 'le'],
  '>=': ['ge', 'lt'],
  '==': ['eq', 'ne'],
  '!=': ['ne', 'eq'],
};
const FLIP: Record<Rel, Rel> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };

function relate(rel: Rel, a: number, b: number): boolean {
  switch (rel) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'eq':
      return a === b;
    case 'ne':
      return a === a && b === b && a !== b;
  }
}

function relSlotConst(rel: Rel, s: number, c: number): Predicate {
  switch (rel) {
    case 'lt':
      return (v) => v.num[s] < c;
    case 'le':
      return (v) => v.num[s] <= c;
    case 'gt':
      return (v) => v.num[s] > c;
    case 'ge':
      return (v) => v.num[s] >= c;
    case 'eq':
      return (v) => v.num[s] === c;
    case 'ne':
      return (v) => {
        const x = v.num[s];
        return x === x && x !== c;
      };
  }
}

function relFnConst(rel: Rel, f: NumberFn, c: number): Predicate {
  switch (rel) {
    case 'lt':
      return (v) => f(v) < c;
    case 'le':
      return (v) => f(v) <= c;
    case 'gt':
      return (v) => f(v) > c;
    case 'ge':
      return (v) => f(v) >= c;
    case 'eq':
      return (v) => f(v) === c;
    case 'ne':
      return (v) => {
        const x = f(v);
        return x === x && x !== c;
      };
  }
}

function relSlotSlot(rel: Rel, a: number, b: number): Predicate {
  switch (rel) {
    case 'lt':
      return (v) => v.num[a] < v.num[b];
    case 'le':
      return (v) => v.num[a] <= v.num[b];
    case 'gt':
      return (v) => v.num[a] > v.num[b];
    case 'ge':
      return (v) => v.num[a] >= v.num[b];
    case 'eq':
      return (v) => v.num[a] === v.num[b];
    case 'ne':
      return (v) => {
        const x = v.num[a];
        const y = v.num[b];
        return x === x && y === y && x !== y;
      };
  }
}

function relFnFn(rel: Rel, f: NumberFn, g: NumberFn): Predicate {
  switch (rel) {
    case 'lt':
      return (v) => f(v) < g(v);
    case 'le':
      return (v) => f(v) <= g(v);
    case 'gt':
      return (v) => f(v) > g(v);
    case 'ge':
      return (v) => f(v) >= g(v);
    case 'eq':
      return (v) => f(v) === g(v);
    case 'ne':
      return (v) => {
        const x = f(v);
        const y = g(v);
        return x === x && y === y && x !== y;
      };
  }
}

function arithConst(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    default:
      return b === 0 ? NaN : a / b;
  }
}

/** Turns any numeric operand into a function, for shapes that have no closure of their own. */
/** Whether `f`'s value is known (not NaN) — or, with `want` false, unknown — as a predicate: `known(x)` and `not known(x)`. */
function knownFn(f: NumberFn, want: boolean): Bool {
  return {
    k: 'fn',
    f: want
      ? (v) => {
          const x = f(v);
          return x === x;
        }
      : (v) => {
          const x = f(v);
          return x !== x;
        },
  };
}

function numFn(n: Num): NumberFn {
  if (n.k === 'fn') return n.f;
  if (n.k === 'slot') {
    const s = n.s;
    return (v) => v.num[s];
  }
  const c = n.c;
  return () => c;
}

function boolFn(b: Bool): Predicate {
  return b.k === 'fn' ? b.f : b.c ? ALWAYS : NEVER;
}

function and(a: Bool, b: Bool): Bool {
  if (a.k === 'const') return a.c ? b : FALSE;
  if (b.k === 'const') return b.c ? a : FALSE;
  const f = a.f;
  const g = b.f;
  return { k: 'fn', f: (v) => f(v) && g(v) };
}

function or(a: Bool, b: Bool): Bool {
  if (a.k === 'const') return a.c ? TRUE : b;
  if (b.k === 'const') return b.c ? TRUE : a;
  const f = a.f;
  const g = b.f;
  return { k: 'fn', f: (v) => f(v) || g(v) };
}

/** Compiles expressions of one checked policy; the maps come from the checker. */
export class ExprCompiler {
  constructor(
    private readonly types: ReadonlyMap<Expr, Ty>,
    private readonly symbols: ReadonlyMap<NameExpr, FeatureSymbol>,
  ) {}

  /** "e is certainly true", plus the folded constant when the answer never depends on the payment. */
  predicate(e: Expr): { readonly test: Predicate; readonly constant: boolean | null } {
    const b = this.bool(e, true);
    return { test: boolFn(b), constant: b.k === 'const' ? b.c : null };
  }

  /** A numeric expression's value (NaN when unknown). */
  number(e: Expr): NumberFn {
    return numFn(this.num(e));
  }

  /** A boolean expression stored as a number: 1, 0, or NaN when unknown. */
  booleanValue(e: Expr): NumberFn {
    const t = this.bool(e, true);
    const f = this.bool(e, false);
    if (t.k === 'const' && f.k === 'const') {
      const c = t.c ? 1 : f.c ? 0 : NaN;
      return () => c;
    }
    const ft = boolFn(t);
    const ff = boolFn(f);
    return (v) => (ft(v) ? 1 : ff(v) ? 0 : NaN);
  }

  private slotOf(e: NameExpr): number {
    const s = this.symbols.get(e);
    if (!s) throw new Error(`internal: unresolved name '${e.name}' reached code generation`);
    return s.slot;
  }

  private typeOf(e: Expr): Ty {
    return this.types.get(e) ?? 'error';
  }

  // ---------------------------------------------------------------- numbers

  private num(e: Expr): Num {
    switch (e.kind) {
      case 'num':
        return { k: 'const', c: e.value };
      case 'name':
        return { k: 'slot', s: this.slotOf(e) };
      case 'unary': {
        const o = this.num(e.operand);
        if (o.k === 'const') return { k: 'const', c: -o.c };
        if (o.k === 'slot') {
          const s = o.s;
          return { k: 'fn', f: (v) => -v.num[s] };
        }
        const f = o.f;
        return { k: 'fn', f: (v) => -f(v) };
      }
      case 'binary':
        return this.arith(e.op, this.num(e.left), this.num(e.right));
      case 'call':
        return this.numCall(e.fn, e.args.map((a) => this.num(a)));
      default:
        throw new Error(`internal: ${e.kind} is not a number`);
    }
  }

  private arith(op: string, a: Num, b: Num): Num {
    if (a.k === 'const' && b.k === 'const') return { k: 'const', c: arithConst(op, a.c, b.c) };
    if (op === '/' && b.k === 'const' && b.c === 0) return { k: 'const', c: NaN };
    if (a.k === 'slot' && b.k === 'const') {
      const s = a.s;
      const c = b.c;
      switch (op) {
        case '+':
          return { k: 'fn', f: (v) => v.num[s] + c };
        case '-':
          return { k: 'fn', f: (v) => v.num[s] - c };
        case '*':
          return { k: 'fn', f: (v) => v.num[s] * c };
        default:
          return { k: 'fn', f: (v) => v.num[s] / c };
      }
    }
    if (a.k === 'slot' && b.k === 'slot') {
      const x = a.s;
      const y = b.s;
      switch (op) {
        case '+':
          return { k: 'fn', f: (v) => v.num[x] + v.num[y] };
        case '-':
          return { k: 'fn', f: (v) => v.num[x] - v.num[y] };
        case '*':
          return { k: 'fn', f: (v) => v.num[x] * v.num[y] };
        default:
          return {
            k: 'fn',
            f: (v) => {
              const d = v.num[y];
              return d === 0 ? NaN : v.num[x] / d;
            },
          };
      }
    }
    const f = numFn(a);
    const g = numFn(b);
    switch (op) {
      case '+':
        return { k: 'fn', f: (v) => f(v) + g(v) };
      case '-':
        return { k: 'fn', f: (v) => f(v) - g(v) };
      case '*':
        return { k: 'fn', f: (v) => f(v) * g(v) };
      default:
        return {
          k: 'fn',
          f: (v) => {
            const d = g(v);
            return d === 0 ? NaN : f(v) / d;
          },
        };
    }
  }

  private numCall(fn: string, args: readonly Num[]): Num {
    const [a, b] = args;
    if (args.every((x) => x.k === 'const')) {
      const xs = args.map((x) => (x.k === 'const' ? x.c : NaN));
      return { k: 'const', c: fn === 'abs' ? Math.abs(xs[0]) : fn === 'log' ? Math.log(xs[0]) : fn === 'min' ? Math.min(xs[0], xs[1]) : Math.max(xs[0], xs[1]) };
    }
    const f = numFn(a);
    switch (fn) {
      case 'abs':
        return { k: 'fn', f: (v) => Math.abs(f(v)) };
      case 'log':
        return { k: 'fn', f: (v) => Math.log(f(v)) };
      case 'min': {
        const g = numFn(b);
        return { k: 'fn', f: (v) => Math.min(f(v), g(v)) };
      }
      default: {
        const g = numFn(b);
        return { k: 'fn', f: (v) => Math.max(f(v), g(v)) };
      }
    }
  }

  // ---------------------------------------------------------------- strings

  private str(e: Expr): Str {
    if (e.kind === 'str') return { k: 'const', c: e.value };
    if (e.kind === 'name') return { k: 'slot', s: this.slotOf(e) };
    throw new Error(`internal: ${e.kind} is not a string`);
  }

  /** `eq`: both known and equal; `ne`: both known and different ('' is unknown). */
  private strRel(rel: 'eq' | 'ne', a: Str, b: Str): Bool {
    if (a.k === 'const' && b.k === 'const') {
      return a.c !== '' && b.c !== '' && (rel === 'eq') === (a.c === b.c) ? TRUE : FALSE;
    }
    if (a.k === 'const') return this.strRel(rel, b, a);
    const s = a.s;
    if (b.k === 'const') {
      const c = b.c;
      if (c === '') return FALSE;
      if (rel === 'eq') return { k: 'fn', f: (v) => v.str[s] === c };
      return {
        k: 'fn',
        f: (v) => {
          const x = v.str[s];
          return x !== '' && x !== c;
        },
      };
    }
    const t = b.s;
    if (rel === 'eq') {
      return {
        k: 'fn',
        f: (v) => {
          const x = v.str[s];
          return x !== '' && x === v.str[t];
        },
      };
    }
    return {
      k: 'fn',
      f: (v) => {
        const x = v.str[s];
        const y = v.str[t];
        return x !== '' && y !== '' && x !== y;
      },
    };
  }

  // ---------------------------------------------------------------- booleans

  /** "e evaluates to `want`": certainly true (want) or certainly false (!want). */
  private bool(e: Expr, want: boolean): Bool {
    switch (e.kind) {
      case 'bool':
        return e.value === want ? TRUE : FALSE;
      case 'name': {
        const s = this.slotOf(e);
        const c = want ? 1 : 0;
        return { k: 'fn', f: (v) => v.num[s] === c };
      }
      case 'unary':
        return this.bool(e.operand, !want);
      case 'binary':
        return this.binaryBool(e, want);
      case 'in':
        return this.inList(e.operand, e.items, e.negated !== want);
      case 'call':
        if (e.fn === 'in_list') return this.onList(e.args[0], e.args[1], want);
        return this.known(e.args[0], want);
      default:
        throw new Error(`internal: ${e.kind} is not a boolean`);
    }
  }

  private binaryBool(e: Extract<Expr, { kind: 'binary' }>, want: boolean): Bool {
    const { op, left, right } = e;
    if (op === 'and') return want ? and(this.bool(left, true), this.bool(right, true)) : or(this.bool(left, false), this.bool(right, false));
    if (op === 'or') return want ? or(this.bool(left, true), this.bool(right, true)) : and(this.bool(left, false), this.bool(right, false));
    const rel = REL_FOR[op][want ? 0 : 1];
    const lt = this.typeOf(left);
    if (lt === 'string') return this.strRel(rel === 'eq' ? 'eq' : 'ne', this.str(left), this.str(right));
    if (lt === 'boolean') {
      // same: both known and equal; differ: both known and different (unknown on either side: neither).
      // Each side is evaluated once, as 1/0/NaN: compiling it for both polarities would double the
      // work at every level of `(a == b) == c …`, exponential in the nesting.
      const same = rel === 'eq';
      const l = this.tri(left);
      const r = this.tri(right);
      if (l.k === 'const' && r.k === 'const') return l.c === l.c && r.c === r.c && (l.c === r.c) === same ? TRUE : FALSE;
      const f = numFn(l);
      const g = numFn(r);
      return {
        k: 'fn',
        f: (v) => {
          const x = f(v);
          const y = g(v);
          return x === x && y === y && (x === y) === same;
        },
      };
    }
    return this.compare(rel, this.num(left), this.num(right));
  }

  private compare(rel: Rel, a: Num, b: Num): Bool {
    if (a.k === 'const' && b.k === 'const') return relate(rel, a.c, b.c) ? TRUE : FALSE;
    if (a.k === 'const') return this.compare(FLIP[rel], b, a);
    if (b.k === 'const') {
      if (b.c !== b.c) return FALSE; // anything compared with unknown is unknown
      return { k: 'fn', f: a.k === 'slot' ? relSlotConst(rel, a.s, b.c) : relFnConst(rel, a.f, b.c) };
    }
    if (a.k === 'slot' && b.k === 'slot') return { k: 'fn', f: relSlotSlot(rel, a.s, b.s) };
    return { k: 'fn', f: relFnFn(rel, numFn(a), numFn(b)) };
  }

  /** `has`: operand known and in the list; otherwise operand known and not in it. */
  private inList(operand: Expr, items: readonly ListItem[], has: boolean): Bool {
    if (this.typeOf(operand) === 'string') {
      const set = new Set<string>();
      for (const it of items) if (it.kind === 'str' && it.value !== '') set.add(it.value);
      const o = this.str(operand);
      if (o.k === 'const') return o.c !== '' && set.has(o.c) === has ? TRUE : FALSE;
      const s = o.s;
      if (has) {
        if (set.size === 0) return FALSE;
        if (set.size === 1) {
          const only = [...set][0];
          return { k: 'fn', f: (v) => v.str[s] === only };
        }
        return { k: 'fn', f: (v) => set.has(v.str[s]) };
      }
      return {
        k: 'fn',
        f: (v) => {
          const x = v.str[s];
          return x !== '' && !set.has(x);
        },
      };
    }
    const set = new Set<number>();
    for (const it of items) if (it.kind === 'num') set.add(it.value);
    const o = this.num(operand);
    if (o.k === 'const') return o.c === o.c && set.has(o.c) === has ? TRUE : FALSE;
    if (has && set.size === 0) return FALSE;
    if (o.k === 'slot') {
      const s = o.s;
      if (has) return { k: 'fn', f: (v) => set.has(v.num[s]) };
      return {
        k: 'fn',
        f: (v) => {
          const x = v.num[s];
          return x === x && !set.has(x);
        },
      };
    }
    const f = o.f;
    if (has) return { k: 'fn', f: (v) => set.has(f(v)) };
    return {
      k: 'fn',
      f: (v) => {
        const x = f(v);
        return x === x && !set.has(x);
      },
    };
  }

  /**
   * in_list(x, "name"): x known and on the list (`want`), or x known and not on it. The list is read
   * through the vector (`v.lists`, set by the engine) at the payment's event time `v.t`, never
   * captured here, so a compiled policy works with whatever lists the engine deciding it owns.
   */
  private onList(operand: Expr, nameExpr: Expr, want: boolean): Bool {
    if (nameExpr.kind !== 'str') throw new Error('internal: in_list() without a literal list name reached code generation');
    const list = nameExpr.value;
    const o = this.str(operand);
    if (o.k === 'const') {
      const c = o.c;
      if (c === '') return FALSE;
      return { k: 'fn', f: want ? (v) => v.lists.has(list, c, v.t) : (v) => !v.lists.has(list, c, v.t) };
    }
    const s = o.s;
    if (want) return { k: 'fn', f: (v) => v.lists.has(list, v.str[s], v.t) };
    return {
      k: 'fn',
      f: (v) => {
        const x = v.str[s];
        return x !== '' && !v.lists.has(list, x, v.t);
      },
    };
  }

  /**
   * A boolean expression as one three-valued closure (1, 0, NaN for unknown) that evaluates each
   * node once, for the places that need both polarities of an operand (`known(b)`, `b1 == b2`).
   * Logic and nesting recurse here; the leaves (comparisons, `in`, in_list) have no boolean operands
   * and are compiled for both polarities, which costs each of them twice and no more.
   */
  private tri(e: Expr): Num {
    if (e.kind === 'name') return { k: 'slot', s: this.slotOf(e) };
    if (e.kind === 'unary') {
      const o = this.tri(e.operand);
      if (o.k === 'const') return { k: 'const', c: o.c === o.c ? 1 - o.c : NaN };
      const f = numFn(o);
      return {
        k: 'fn',
        f: (v) => {
          const x = f(v);
          return x === x ? 1 - x : NaN;
        },
      };
    }
    if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
      const l = this.tri(e.left);
      const r = this.tri(e.right);
      // and: 0 wins, then unknown, then 1; or: 1 wins, then unknown, then 0
      const win = e.op === 'and' ? 0 : 1;
      const k3 = (x: number, y: number): number => (x === win || y === win ? win : x === x && y === y ? 1 - win : NaN);
      if (l.k === 'const' && r.k === 'const') return { k: 'const', c: k3(l.c, r.c) };
      if (l.k === 'const' && l.c === win) return l;
      if (r.k === 'const' && r.c === win) return r;
      const f = numFn(l);
      const g = numFn(r);
      return {
        k: 'fn',
        f: (v) => {
          const x = f(v);
          return x === win ? win : k3(x, g(v));
        },
      };
    }
    if (e.kind === 'binary' && (e.op === '==' || e.op === '!=') && this.typeOf(e.left) === 'boolean') {
      const l = this.tri(e.left);
      const r = this.tri(e.right);
      const same = e.op === '==' ? 1 : 0;
      const k3 = (x: number, y: number): number => (x === x && y === y ? (x === y ? same : 1 - same) : NaN);
      if (l.k === 'const' && r.k === 'const') return { k: 'const', c: k3(l.c, r.c) };
      const f = numFn(l);
      const g = numFn(r);
      return { k: 'fn', f: (v) => k3(f(v), g(v)) };
    }
    if (e.kind === 'call' && e.fn === 'known') {
      // never unknown: one polarity is enough
      const yes = this.bool(e, true);
      if (yes.k === 'const') return { k: 'const', c: yes.c ? 1 : 0 };
      const f = yes.f;
      return { k: 'fn', f: (v) => (f(v) ? 1 : 0) };
    }
    // comparisons of numbers or strings, `in`, in_list: no boolean operand below, so both polarities cost twice at most
    const yes = this.bool(e, true);
    const no = this.bool(e, false);
    if (yes.k === 'const' && no.k === 'const') return { k: 'const', c: yes.c ? 1 : no.c ? 0 : NaN };
    const ft = boolFn(yes);
    const ff = boolFn(no);
    return { k: 'fn', f: (v) => (ft(v) ? 1 : ff(v) ? 0 : NaN) };
  }

  /** known(x): never unknown itself; `want` false asks for "x is unknown". */
  private known(arg: Expr, want: boolean): Bool {
    const t = this.typeOf(arg);
    if (t === 'string') {
      const o = this.str(arg);
      if (o.k === 'const') return (o.c !== '') === want ? TRUE : FALSE;
      const s = o.s;
      return { k: 'fn', f: want ? (v) => v.str[s] !== '' : (v) => v.str[s] === '' };
    }
    if (t === 'boolean' && arg.kind !== 'name') {
      // evaluated once as 1/0/NaN (see tri): both polarities would be exponential in known(known(…))
      const o = this.tri(arg);
      if (o.k === 'const') return (o.c === o.c) === want ? TRUE : FALSE;
      return knownFn(numFn(o), want);
    }
    // numbers, and boolean slots (1/0/NaN)
    const o = this.num(arg);
    if (o.k === 'const') return (o.c === o.c) === want ? TRUE : FALSE;
    if (o.k === 'slot') {
      const s = o.s;
      return { k: 'fn', f: want ? (v) => v.num[s] === v.num[s] : (v) => v.num[s] !== v.num[s] };
    }
    return knownFn(o.f, want);
  }
}
