/**
 * The policy compiler's front door: text files in, an immutable CompiledPolicy out. Every phase
 * (lex, parse, check) reports into one bag, so a failed compile lists every problem at once, in
 * reading order; code generation runs only on a policy that checked clean.
 */
import type { PolicyDiagnostic } from '../errors.js';
import { PolicyCompileError } from '../errors.js';
import type { BuiltinCatalog } from '../features/vector.js';
import type { PolicyFile, WindowDecl } from './ast.js';
import { checkFiles } from './checker.js';
import { ExprCompiler } from './compile-expr.js';
import { DiagnosticBag, Diagnostics } from './diagnostics.js';
import { parseFile } from './parser.js';
import { printExpr } from './print.js';
import type { CompiledPolicy, CompiledRule, DerivedFeature, WindowFeature } from './policy-types.js';

/** One policy file: its name (shown in diagnostics) and its text. */
export interface PolicySource {
  readonly file: string;
  readonly text: string;
}

/** A compiled policy plus the warnings it compiled with, so tools can show them without a second pass. */
export interface PolicyBuild extends CompiledPolicy {
  readonly warnings: readonly PolicyDiagnostic[];
}

interface BuildResult {
  readonly diagnostics: PolicyDiagnostic[];
  readonly policy: PolicyBuild | null;
}

/** How to compile, beyond the sources. */
export interface CompileOptions {
  /**
   * Files whose `setting`s replace the same settings of the other files instead of clashing with
   * them (FKR508): an incident overlay compiled on top of a policy, so its thresholds win without
   * editing the policy's files. Two such files setting the same thing still clash.
   */
  readonly overrideFiles?: readonly string[];
}

function build(sources: readonly PolicySource[], builtins: BuiltinCatalog, name: string, options: CompileOptions = {}): BuildResult {
  const bag = new DiagnosticBag();
  const parsed: PolicyFile[] = sources.map((s) => parseFile(s.file, s.text, bag));
  const files = options.overrideFiles?.length ? withOverrides(parsed, new Set(options.overrideFiles)) : parsed;
  const checked = checkFiles(files, builtins, bag);
  const order = sources.map((s) => s.file);
  if (bag.hasErrors) return { diagnostics: bag.sorted(order), policy: null };

  const cx = new ExprCompiler(checked.types, checked.symbols);
  const windows: WindowFeature[] = checked.windows.map((w) => {
    const filter = w.decl.filter ? cx.predicate(w.decl.filter) : null;
    return {
      name: w.decl.name.name,
      agg: w.decl.agg,
      valueSlot: w.valueSlot,
      keySlots: w.keySlots,
      keyNames: w.keyNames,
      lengthMs: w.decl.lengthMs,
      buckets: w.buckets,
      filter: filter === null || filter.constant === true ? null : filter.test,
      signature: windowSignature(w.decl, w.buckets, filter?.constant === true),
      slot: w.slot,
      line: w.decl.name.pos.line,
    };
  });
  const derived: DerivedFeature[] = checked.derived.map((d) => ({
    name: d.decl.name.name,
    type: d.type,
    slot: d.slot,
    compute: d.type === 'boolean' ? cx.booleanValue(d.decl.expr) : cx.number(d.decl.expr),
    line: d.decl.name.pos.line,
  }));
  const rules: CompiledRule[] = checked.rules.map(({ decl, file, outcome, actions }) => {
    // a clean check guarantees `when` is present
    const p = decl.when ? cx.predicate(decl.when) : { test: () => false, constant: false };
    if (p.constant !== null) {
      bag.add(Diagnostics.ConstantCondition, decl.name.pos, decl.name.name, p.constant ? 'true' : 'false, so the rule can never fire');
    }
    return {
      name: decl.name.name,
      reason: decl.reason ?? decl.name.name,
      description: decl.description ?? '',
      outcome,
      points: decl.score ?? 0,
      test: p.test,
      actions: Object.freeze(actions),
      file,
      line: decl.name.pos.line,
    };
  });
  const diagnostics = bag.sorted(order);
  const s = checked.settings;
  const policy: PolicyBuild = Object.freeze({
    name,
    windows: Object.freeze(windows),
    derived: Object.freeze(derived),
    rules: Object.freeze(rules),
    thresholds: Object.freeze({ review: s.review, challenge: s.challenge, decline: s.decline }),
    scoreScale: s.scale,
    numSlots: checked.numSlots,
    strSlots: checked.strSlots,
    lists: Object.freeze([...new Set(checked.listUses.map((u) => u.list))].sort()),
    listUses: Object.freeze(checked.listUses.map((u) => Object.freeze({ list: u.list, feature: u.feature, file: u.pos.file, line: u.pos.line }))),
    switchOnAlerts: Object.freeze([...s.switchOnAlerts]),
    schedules: Object.freeze({ reviewEveryDays: s.reviewEveryDays, weeklyReport: s.weeklyReport, rerateIdleDays: s.rerateIdleDays, listExpiry: s.listExpiry }),
    acting: rules.some((r) => r.actions.length > 0),
    actionCaps: Object.freeze({ perHour: s.actionCap, perRulePerHour: s.ruleActionCap, detectorHours: Object.freeze({ ...s.detectorActionHours }), detectorPerHour: s.detectorActionCap }),
    warnings: Object.freeze(diagnostics),
  });
  return { diagnostics, policy };
}

/** The files with every setting an override file also sets left out of the other files. */
function withOverrides(files: readonly PolicyFile[], overrides: ReadonlySet<string>): PolicyFile[] {
  const set = new Set<string>();
  for (const f of files) {
    if (!overrides.has(f.file)) continue;
    for (const d of f.decls) if (d.kind === 'setting') set.add(d.name.name);
  }
  if (set.size === 0) return [...files];
  return files.map((f) =>
    overrides.has(f.file) ? f : { ...f, decls: f.decls.filter((d) => d.kind !== 'setting' || !set.has(d.name.name)) },
  );
}

/**
 * What a window computes, as canonical text (name and position left out): equal signatures in two
 * policies mean the same state, so a policy swap can hand it over. Filters may only read builtins
 * (the checker's rule), whose meaning never depends on the policy.
 */
function windowSignature(d: WindowDecl, buckets: number, constantFilter: boolean): string {
  const filter = d.filter === null || constantFilter ? '' : ` where ${printExpr(d.filter)}`;
  return `${d.agg}(${d.value?.name ?? ''}) by ${d.keys.map((k) => k.name).join(',')} over ${d.lengthMs}ms/${buckets}${filter}`;
}

/**
 * Compiles a policy, or throws PolicyCompileError with every error and warning found. Files are read
 * in the order given; features may be declared in any of them.
 */
export function compilePolicy(
  sources: readonly PolicySource[],
  builtins: BuiltinCatalog,
  name = 'policy',
  options: CompileOptions = {},
): PolicyBuild {
  const r = build(sources, builtins, name, options);
  if (!r.policy) throw new PolicyCompileError(r.diagnostics);
  return r.policy;
}

/** Every diagnostic (errors and warnings) without throwing, for editors, `fengkong check` and CI. */
export function checkPolicy(
  sources: readonly PolicySource[],
  builtins: BuiltinCatalog,
  name = 'policy',
  options: CompileOptions = {},
): PolicyDiagnostic[] {
  return build(sources, builtins, name, options).diagnostics;
}
