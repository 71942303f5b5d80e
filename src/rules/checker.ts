/**
 * Name resolution and type checking across all files of a policy. It fixes every declared feature's
 * slot and records each expression's type and each name's symbol, so code generation is a plain walk
 * that never has to report anything. Unknown names get the `error` type, which is compatible with
 * everything: one typo yields one diagnostic, not a cascade.
 */
import type { DerivedDecl, Expr, NameExpr, NameRef, PolicyFile, RuleDecl, SettingDecl, WindowDecl } from './ast.js';
import { Diagnostics, didYouMean, posText, type DiagnosticBag, type SourcePos } from './diagnostics.js';
import type { BuiltinCatalog, ValueType } from '../features/vector.js';
import { LIST_NAME_RE, RULE_OUTCOMES, type RuleOutcome } from './policy-types.js';
import { checkActions, type RuleAction } from './actions.js';
import { checkSettings, type PolicySettings } from './settings.js';

/** A value type, or `error` after something was already reported. */
export type Ty = ValueType | 'error';

/** What a name stands for once resolved. */
export interface FeatureSymbol {
  readonly name: string;
  readonly type: Ty;
  /** num slot for numbers and booleans, str slot for strings. */
  readonly slot: number;
  readonly origin: 'builtin' | 'window' | 'derived';
  readonly pos: SourcePos | null;
}

/** A window with its resolved slots and clamped buckets. */
export interface CheckedWindow {
  readonly decl: WindowDecl;
  readonly slot: number;
  readonly buckets: number;
  readonly valueSlot: number;
  readonly keySlots: readonly number[];
  readonly keyNames: readonly string[];
}

/** A derived feature with its slot and type. */
export interface CheckedDerived {
  readonly decl: DerivedDecl;
  readonly slot: number;
  readonly type: 'number' | 'boolean';
}

/** A rule with its file and resolved outcome. */
export interface CheckedRule {
  readonly decl: RuleDecl;
  readonly file: string;
  readonly outcome: RuleOutcome | null;
  /** its actions that checked clean (rules/actions.ts). */
  readonly actions: readonly RuleAction[];
}

/** One `in_list(x, "name")` call: the list, the builtin looked up (null when not a plain feature) and where. */
export interface CheckedListUse {
  readonly list: string;
  readonly feature: string | null;
  readonly pos: SourcePos;
}

/** Everything code generation needs; only valid when the bag holds no errors. */
export interface CheckedPolicy {
  readonly windows: readonly CheckedWindow[];
  readonly derived: readonly CheckedDerived[];
  readonly rules: readonly CheckedRule[];
  readonly settings: PolicySettings;
  readonly numSlots: number;
  readonly strSlots: number;
  readonly types: ReadonlyMap<Expr, Ty>;
  readonly symbols: ReadonlyMap<NameExpr, FeatureSymbol>;
  /** every well-formed in_list() call, in checking order. */
  readonly listUses: readonly CheckedListUse[];
}

/** Shortest window, in ms: below a second, bucketing is noise. */
export const MIN_WINDOW_MS = 1_000;
/** Longest window, in ms: 90 days bounds the state the engine keeps per key. */
export const MAX_WINDOW_MS = 90 * 86_400_000;
/** Buckets when a window names none: 1/12 of the window is the error on its trailing edge. */
export const DEFAULT_BUCKETS = 12;
/** Most buckets a window may have, bounding memory per key. */
export const MAX_BUCKETS = 120;


/** Where a name is being used, which decides what it may refer to. */
type Scope =
  | { readonly kind: 'filter'; readonly window: string }
  | { readonly kind: 'derived'; readonly name: string; readonly index: number }
  | { readonly kind: 'rule' };

const article = (t: Ty): string => (t === 'number' ? 'a number' : t === 'boolean' ? 'a boolean' : t === 'string' ? 'a string' : 'an error');

/** Checks a parsed policy; all problems go into `bag`. */
export function checkFiles(files: readonly PolicyFile[], builtins: BuiltinCatalog, bag: DiagnosticBag): CheckedPolicy {
  return new Checker(builtins, bag).run(files);
}

class Checker {
  private readonly types = new Map<Expr, Ty>();
  private readonly symbols = new Map<NameExpr, FeatureSymbol>();
  private readonly declared = new Map<string, FeatureSymbol>();
  /** derived feature name → its position in declaration order. */
  private readonly derivedIndex = new Map<string, number>();
  private readonly used = new Set<string>();
  private readonly listUses: CheckedListUse[] = [];

  constructor(
    private readonly builtins: BuiltinCatalog,
    private readonly bag: DiagnosticBag,
  ) {}

  run(files: readonly PolicyFile[]): CheckedPolicy {
    const windowDecls: WindowDecl[] = [];
    const derivedDecls: DerivedDecl[] = [];
    const rules: { decl: RuleDecl; file: string }[] = [];
    const settings: SettingDecl[] = [];
    const firstDecl = new Map<string, SourcePos>();

    // 1. declarations: names, duplicates, slots (windows first, then derived, each in order)
    for (const f of files) {
      for (const d of f.decls) {
        if (d.kind === 'rule') rules.push({ decl: d, file: f.file });
        else if (d.kind === 'setting') settings.push(d);
        else {
          if (this.builtins.lookup(d.name.name)) {
            this.bag.add(Diagnostics.ShadowsBuiltin, d.name.pos, d.name.name);
            continue;
          }
          const prev = firstDecl.get(d.name.name);
          if (prev) {
            this.bag.add(Diagnostics.DuplicateFeature, d.name.pos, d.name.name, posText(prev));
            continue;
          }
          firstDecl.set(d.name.name, d.name.pos);
          if (d.kind === 'window') windowDecls.push(d);
          else derivedDecls.push(d);
        }
      }
    }
    let slot = this.builtins.numSlots;
    const windowSlots = windowDecls.map((w) => {
      const s = slot++;
      this.declared.set(w.name.name, { name: w.name.name, type: 'number', slot: s, origin: 'window', pos: w.name.pos });
      return s;
    });
    const derivedSlots = derivedDecls.map((d, i) => {
      this.derivedIndex.set(d.name.name, i);
      return slot++;
    });

    // 2. windows
    const windows = windowDecls.map((w, i) => this.checkWindow(w, windowSlots[i]));

    // 3. derived features, in order, so each sees the types of the ones before it
    const derived: CheckedDerived[] = derivedDecls.map((d, i) => {
      const t = this.checkExpr(d.expr, { kind: 'derived', name: d.name.name, index: i });
      if (t === 'string') this.bag.add(Diagnostics.ExpectedType, d.expr.pos, `Derived feature '${d.name.name}'`, 'a number or a boolean', article(t));
      const type: 'number' | 'boolean' = t === 'boolean' ? 'boolean' : 'number';
      this.declared.set(d.name.name, { name: d.name.name, type: t === 'string' ? 'error' : t, slot: derivedSlots[i], origin: 'derived', pos: d.name.pos });
      return { decl: d, slot: derivedSlots[i], type };
    });

    // 4. rules
    const seenRules = new Map<string, SourcePos>();
    const checkedRules: CheckedRule[] = rules.map(({ decl, file }) => this.checkRule(decl, file, seenRules));

    // 5. settings
    const resolved = checkSettings(settings, this.bag);

    // 6. lint: declared but unused — except in a file of features only, which declares model inputs
    // (a model reads every feature; the default pack's baselines and a trained model's generated file)
    const modelInputFiles = new Set(files.filter((f) => f.decls.some((d) => d.kind !== 'rule') && !f.decls.some((d) => d.kind === 'rule')).map((f) => f.file));
    for (const [name, sym] of this.declared) {
      if (!this.used.has(name) && sym.pos && !modelInputFiles.has(sym.pos.file)) this.bag.add(Diagnostics.UnusedFeature, sym.pos, name);
    }

    return {
      windows,
      derived,
      rules: checkedRules,
      settings: resolved,
      numSlots: slot,
      strSlots: this.builtins.strSlots,
      types: this.types,
      symbols: this.symbols,
      listUses: this.listUses,
    };
  }

  private checkWindow(w: WindowDecl, slot: number): CheckedWindow {
    if (w.lengthMs === w.lengthMs && (w.lengthMs < MIN_WINDOW_MS || w.lengthMs > MAX_WINDOW_MS)) {
      this.bag.add(Diagnostics.WindowLengthOutOfRange, w.lengthPos, w.lengthText);
    }
    let buckets = DEFAULT_BUCKETS;
    if (w.buckets !== null && w.bucketsPos !== null && w.buckets === w.buckets) {
      if (!Number.isInteger(w.buckets)) this.bag.add(Diagnostics.InvalidBuckets, w.bucketsPos, w.buckets);
      else {
        buckets = Math.min(MAX_BUCKETS, Math.max(1, w.buckets));
        if (buckets !== w.buckets) this.bag.add(Diagnostics.BucketsClamped, w.bucketsPos, w.buckets, buckets);
      }
    }
    const keySlots: number[] = [];
    const keyNames: string[] = [];
    for (const k of w.keys) {
      const b = this.builtinFor(w, k);
      if (!b) continue;
      if (b.type !== 'string') this.bag.add(Diagnostics.WindowKeyNotString, k.pos, k.name, article(b.type));
      keySlots.push(b.slot);
      keyNames.push(b.name);
    }
    let valueSlot = -1;
    if (w.value) {
      const b = this.builtinFor(w, w.value);
      if (b) {
        if (w.agg === 'distinct' && b.type !== 'string') this.bag.add(Diagnostics.DistinctNotString, w.value.pos, b.name, article(b.type));
        if (w.agg !== 'distinct' && b.type !== 'number') this.bag.add(Diagnostics.AggregateNotNumber, w.value.pos, w.agg, b.name, article(b.type));
        valueSlot = b.slot;
      }
    }
    if (w.filter) {
      const t = this.checkExpr(w.filter, { kind: 'filter', window: w.name.name });
      if (t !== 'boolean' && t !== 'error') this.bag.add(Diagnostics.ExpectedType, w.filter.pos, `The 'where' filter of window '${w.name.name}'`, 'a boolean', article(t));
    }
    return { decl: w, slot, buckets, valueSlot, keySlots, keyNames };
  }

  /** Resolves a window's key or value, which must be a builtin. */
  private builtinFor(w: WindowDecl, ref: NameRef): { name: string; type: ValueType; slot: number } | undefined {
    const b = this.builtins.lookup(ref.name);
    if (b) return b;
    if (this.declared.has(ref.name) || this.derivedIndex.has(ref.name)) this.bag.add(Diagnostics.WindowOverDeclared, ref.pos, w.name.name, ref.name);
    else this.bag.add(Diagnostics.UnknownFeature, ref.pos, ref.name, didYouMean(ref.name, this.builtins.features.map((f) => f.name)));
    return undefined;
  }

  private checkRule(r: RuleDecl, file: string, seen: Map<string, SourcePos>): CheckedRule {
    const prev = seen.get(r.name.name);
    if (prev) this.bag.add(Diagnostics.DuplicateRule, r.name.pos, r.name.name, posText(prev));
    else seen.set(r.name.name, r.name.pos);
    if (!r.broken && r.when === null) this.bag.add(Diagnostics.RuleWithoutWhen, r.name.pos, r.name.name);
    if (!r.broken && r.outcome === null && r.score === null) this.bag.add(Diagnostics.RuleWithoutEffect, r.name.pos, r.name.name);
    let outcome: RuleOutcome | null = null;
    if (r.outcome) {
      const o = RULE_OUTCOMES.find((x) => x === r.outcome?.name);
      if (o) outcome = o;
      else this.bag.add(Diagnostics.UnknownOutcome, r.outcome.pos, r.outcome.name);
    }
    if (r.when) {
      const t = this.checkExpr(r.when, { kind: 'rule' });
      if (t !== 'boolean' && t !== 'error') this.bag.add(Diagnostics.ExpectedType, r.when.pos, `The 'when' condition of rule '${r.name.name}'`, 'a boolean', article(t));
    }
    // a list a rule adds to is a list the policy uses: it must exist and hold what is added (checked at publication)
    for (const a of r.actions) {
      if (a.name.name === 'add_to_list' && a.list !== null && LIST_NAME_RE.test(a.list.name)) this.listUses.push({ list: a.list.name, feature: a.subject?.name ?? 'account', pos: a.list.pos });
    }
    return { decl: r, file, outcome, actions: checkActions(r.name.name, outcome, r.actions, this.bag) };
  }



  // ---------------------------------------------------------------- expressions

  private resolve(n: NameExpr, scope: Scope): Ty {
    const b = this.builtins.lookup(n.name);
    if (b) {
      const sym: FeatureSymbol = { name: b.name, type: b.type, slot: b.slot, origin: 'builtin', pos: null };
      this.symbols.set(n, sym);
      return b.type;
    }
    const declaredLater = this.derivedIndex.get(n.name);
    if (scope.kind === 'filter' && (this.declared.has(n.name) || declaredLater !== undefined)) {
      this.bag.add(Diagnostics.FilterUsesDeclared, n.pos, scope.window, n.name);
      return 'error';
    }
    if (scope.kind === 'derived' && declaredLater !== undefined && declaredLater >= scope.index) {
      this.bag.add(Diagnostics.DerivedForwardReference, n.pos, scope.name, n.name, declaredLater === scope.index ? 'which is itself' : 'which is declared after it');
      return 'error';
    }
    const sym = this.declared.get(n.name);
    if (!sym) {
      const candidates = [...this.builtins.features.map((f) => f.name), ...this.derivedIndex.keys(), ...this.declared.keys()];
      this.bag.add(Diagnostics.UnknownFeature, n.pos, n.name, didYouMean(n.name, candidates));
      return 'error';
    }
    this.used.add(n.name);
    this.symbols.set(n, sym);
    return sym.type;
  }

  private checkExpr(e: Expr, scope: Scope): Ty {
    const t = this.typeOf(e, scope);
    this.types.set(e, t);
    return t;
  }

  private typeOf(e: Expr, scope: Scope): Ty {
    switch (e.kind) {
      case 'num':
        return 'number';
      case 'str':
        return 'string';
      case 'bool':
        return 'boolean';
      case 'name':
        return this.resolve(e, scope);
      case 'unary': {
        const t = this.checkExpr(e.operand, scope);
        const want: Ty = e.op === '-' ? 'number' : 'boolean';
        if (t !== want && t !== 'error') {
          this.bag.add(Diagnostics.UnaryTypeMismatch, e.pos, e.op, article(t));
          // a misused minus has no meaningful type; a misused not is still a condition
          if (e.op === '-') return 'error';
        }
        return want;
      }
      case 'binary': {
        const l = this.checkExpr(e.left, scope);
        const r = this.checkExpr(e.right, scope);
        const ok = (want: Ty): boolean => (l === want || l === 'error') && (r === want || r === 'error');
        let result: Ty;
        let good: boolean;
        if (e.op === 'and' || e.op === 'or') {
          result = 'boolean';
          good = ok('boolean');
        } else if (e.op === '==' || e.op === '!=') {
          result = 'boolean';
          good = l === r || l === 'error' || r === 'error';
          this.lintEmptyString(e.left, e.right);
          this.lintEmptyString(e.right, e.left);
        } else if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/') {
          result = 'number';
          good = ok('number');
        } else {
          result = 'boolean';
          good = ok('number');
        }
        if (!good) {
          this.bag.add(Diagnostics.BinaryTypeMismatch, e.pos, e.op, article(l), article(r));
          // misused arithmetic has no meaningful value: do not report its users too
          if (result === 'number') return 'error';
        }
        return result;
      }
      case 'in': {
        const t = this.checkExpr(e.operand, scope);
        const first = e.items[0];
        const mixed = e.items.find((it) => it.kind !== first.kind);
        if (mixed) {
          this.bag.add(Diagnostics.MixedList, mixed.pos);
          return 'boolean';
        }
        const op = e.negated ? 'not in' : 'in';
        const listTy: Ty | null = first === undefined ? null : first.kind === 'num' ? 'number' : 'string';
        if (t === 'error') return 'boolean';
        if (t === 'boolean' || (listTy !== null && t !== listTy)) {
          const listText = listTy === 'number' ? 'a list of numbers' : listTy === 'string' ? 'a list of strings' : 'a list';
          this.bag.add(Diagnostics.BinaryTypeMismatch, e.pos, op, article(t), listText);
        }
        return 'boolean';
      }
      case 'call':
        return this.checkCall(e, scope);
    }
  }

  private checkCall(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Ty {
    if (e.fn === 'in_list') return this.checkInList(e, scope);
    const argTypes = e.args.map((a) => this.checkExpr(a, scope));
    const sig: Record<string, { n: number; result: Ty; any?: boolean }> = {
      abs: { n: 1, result: 'number' },
      log: { n: 1, result: 'number' },
      min: { n: 2, result: 'number' },
      max: { n: 2, result: 'number' },
      known: { n: 1, result: 'boolean', any: true },
    };
    const s = Object.hasOwn(sig, e.fn) ? sig[e.fn] : undefined;
    if (!s) {
      this.bag.add(Diagnostics.UnknownFunction, e.pos, e.fn);
      return 'error';
    }
    if (e.args.length !== s.n) {
      this.bag.add(Diagnostics.ArgumentCount, e.pos, e.fn, s.n === 1 ? '1 argument' : `${s.n} arguments`, e.args.length);
      return s.result;
    }
    if (!s.any) {
      argTypes.forEach((t, i) => {
        if (t !== 'number' && t !== 'error') this.bag.add(Diagnostics.ExpectedType, e.args[i].pos, `Argument ${i + 1} of ${e.fn}()`, 'a number', article(t));
      });
    }
    return s.result;
  }

  /** in_list(x, "name"): x a string, the name a string literal that can name a list. */
  private checkInList(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Ty {
    if (e.args.length !== 2) {
      e.args.forEach((a) => this.checkExpr(a, scope));
      this.bag.add(Diagnostics.ArgumentCount, e.pos, e.fn, '2 arguments', e.args.length);
      return 'boolean';
    }
    const [value, name] = e.args;
    const t = this.checkExpr(value, scope);
    if (t !== 'string' && t !== 'error') this.bag.add(Diagnostics.ExpectedType, value.pos, 'Argument 1 of in_list()', 'a string', article(t));
    if (name.kind !== 'str') {
      this.bag.add(Diagnostics.ListNameNotLiteral, name.pos);
      return 'boolean';
    }
    this.types.set(name, 'string');
    if (!LIST_NAME_RE.test(name.value)) {
      this.bag.add(Diagnostics.InvalidListName, name.pos, name.value);
      return 'boolean';
    }
    this.listUses.push({ list: name.value, feature: value.kind === 'name' ? value.name : null, pos: name.pos });
    return 'boolean';
  }

  private lintEmptyString(lit: Expr, other: Expr): void {
    if (lit.kind === 'str' && lit.value === '') {
      this.bag.add(Diagnostics.EmptyStringComparison, lit.pos, other.kind === 'name' ? other.name : 'x');
    }
  }
}
