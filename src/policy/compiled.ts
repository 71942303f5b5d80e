/**
 * Policy versions and incident overlays turned into what the engine runs, ahead of time. Compiling a
 * 1,000-rule policy takes ~90 ms, far too long for the event loop at the moment of a swap, so every
 * version and every version+overlays combination is compiled when it is drafted, proposed or saved
 * and kept here; publishing then costs a map lookup and a pointer swap.
 *
 * An overlay is compiled together with the version's own files as `modes/<name>.fk`, with the
 * compiler's `overrideFiles` option: its `setting`s replace the version's instead of clashing.
 */
import { ContractError, PolicyCompileError, type PolicyDiagnostic } from '../errors.js';
import { BUILTINS } from '../features/catalog.js';
import type { BuiltinCatalog } from '../features/vector.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import { bindModelToPolicy } from '../model/feature-names.js';
import { modelFromText } from '../model/model-file.js';
import { compilePolicy, type PolicyBuild, type PolicySource } from '../rules/compile.js';
import { DiagnosticBag } from '../rules/diagnostics.js';
import { parseFile } from '../rules/parser.js';
import type { PolicyVersion } from './versions.js';

/** An overlay as compiled: its name and its text. */
export interface Overlay {
  readonly name: string;
  readonly rules: string;
}

/** The file name an overlay's diagnostics point into. */
export function overlayFile(name: string): string {
  return `modes/${name}.fk`;
}

/** What decisions call a version with overlays on: `v7+incident:remote-wave`. */
export function effectiveName(versionName: string, overlays: readonly Overlay[]): string {
  return [versionName, ...overlays.map((o) => `incident:${o.name}`)].join('+');
}

/** Diagnostic codes of overlay checks (the rule language's own codes are FKR…). */
export const OVERLAY_CODES = {
  /** An overlay declared a feature: overlays hold rules and settings only. */
  featureInOverlay: 'FKP101',
  /** An overlay declared nothing. */
  emptyOverlay: 'FKP102',
} as const;

/**
 * Refuses an overlay that declares features (a window would start empty, blinding its rules; a
 * feature belongs in a reviewed version) or nothing at all; syntax errors are left to the compile.
 */
export function checkOverlay(o: Overlay): void {
  const file = overlayFile(o.name);
  const bag = new DiagnosticBag();
  const parsed = parseFile(file, o.rules, bag);
  const problems: PolicyDiagnostic[] = [];
  for (const d of parsed.decls) {
    if (d.kind === 'window' || d.kind === 'derived') {
      problems.push({
        code: OVERLAY_CODES.featureInOverlay,
        message: `Incident overlays hold rules and settings only; declare feature '${d.name.name}' in a policy version.`,
        file,
        line: d.name.pos.line,
        column: d.name.pos.column,
        severity: 'error',
      });
    }
  }
  if (parsed.decls.length === 0 && !bag.hasErrors) {
    problems.push({
      code: OVERLAY_CODES.emptyOverlay,
      message: 'An incident overlay needs at least one rule or setting.',
      file,
      line: 1,
      column: 1,
      severity: 'error',
    });
  }
  if (problems.length > 0) throw new PolicyCompileError(problems);
}

/**
 * Compiles a version with overlays on top (none: the version alone), named as decisions will show
 * it. Throws PolicyCompileError with every diagnostic, overlay ones pointing into `modes/<name>.fk`.
 */
export function compileVersion(v: Pick<PolicyVersion, 'name' | 'sources'>, overlays: readonly Overlay[] = [], builtins: BuiltinCatalog = BUILTINS): PolicyBuild {
  for (const o of overlays) checkOverlay(o);
  const files: PolicySource[] = overlays.map((o) => ({ file: overlayFile(o.name), text: o.rules }));
  return compilePolicy([...v.sources, ...files], builtins, effectiveName(v.name, overlays), { overrideFiles: files.map((f) => f.file) });
}

/** A compiled policy with the model that scores beside it. */
export interface Runnable {
  readonly policy: PolicyBuild;
  readonly model: GbdtModel | null;
}

/** The cache key of a version with overlays. */
export function runnableKey(version: number, overlays: readonly Overlay[]): string {
  return [String(version), ...overlays.map((o) => `${o.name}\u0000${o.rules}`)].join('\u0001');
}

/**
 * Compiled versions (with and without overlays) and parsed models, most recently used kept. Entries
 * in `pinned` (the live policy and what a pending publication will swap in) are never evicted.
 */
export class CompiledCache {
  private readonly runnables = new Map<string, Runnable>();
  private readonly models = new Map<string, GbdtModel>();
  private readonly pinned = new Set<string>();

  constructor(private readonly capacity = 12) {}

  get(key: string): Runnable | undefined {
    const r = this.runnables.get(key);
    if (r !== undefined) {
      this.runnables.delete(key);
      this.runnables.set(key, r);
    }
    return r;
  }

  set(key: string, r: Runnable): void {
    this.runnables.delete(key);
    this.runnables.set(key, r);
    for (const k of this.runnables.keys()) {
      if (this.runnables.size <= this.capacity) break;
      if (!this.pinned.has(k)) this.runnables.delete(k);
    }
  }

  /** Keeps exactly these keys from eviction. */
  pin(keys: readonly string[]): void {
    this.pinned.clear();
    for (const k of keys) this.pinned.add(k);
  }

  /** A model by hash, parsed once; `text` supplies it on a miss. */
  model(hash: string, text: () => string | undefined): GbdtModel {
    let m = this.models.get(hash);
    if (m === undefined) {
      const t = text();
      if (t === undefined) throw new ContractError('model', `a stored model (${hash.slice(0, 12)}… is missing from the store)`);
      m = modelFromText(t);
      if (this.models.size >= 4) this.models.delete(this.models.keys().next().value as string);
      this.models.set(hash, m);
    }
    return m;
  }
}

/** Checks that `model` can score beside `policy` (every feature it needs is computed); a ContractError otherwise. */
export function checkModelFits(model: GbdtModel | null, policy: PolicyBuild): void {
  if (model === null) return;
  try {
    bindModelToPolicy(model, policy);
  } catch (e) {
    throw new ContractError('model', `a model whose features the policy computes: ${(e as Error).message.replace(/^\[FK\d+\] /, '')}`);
  }
}
