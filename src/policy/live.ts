/**
 * The live policy of a running server and the one way to change it: every version is compiled (with
 * the incident overlays on) through the cache, swapped into the engine in one synchronous step, and
 * a version that needs new windows is warmed first (warm.ts) while the live one keeps deciding. The
 * lifecycle (versions, four eyes, rollback) and the incident modes both change the policy here.
 */
import type { PolicyDiagnostic } from '../errors.js';
import { ConflictError, ContractError, NotFoundError, PolicyCompileError } from '../errors.js';
import { Engine } from '../engine/engine.js';
import type { ListSet } from '../lists/list-set.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import { modelFromJson } from '../model/model-file.js';
import { diffPolicies, type PolicyDiff } from './diff.js';
import type { DraftInput } from './input.js';
import type { AuditLog } from '../audit/log.js';
import type { Journal } from '../log/journal.js';
import { checkModelFits, compileVersion, runnableKey, type CompiledCache, type Overlay, type Runnable } from './compiled.js';
import type { PolicyBuild } from '../rules/compile.js';
import { modelHash as sha256, type PolicyStore, type PolicyVersion, type Proposal, type Publication, type VersionSummary } from './versions.js';
import { Warmup, WarmupCancelled, type LiveFeed, type WarmProgress } from './warm.js';

/** What the lifecycle works on: the server's parts. */
export interface LifecycleDeps {
  readonly store: PolicyStore<'sync'>;
  readonly audit: AuditLog<'sync'>;
  /** The live engine; it stays the same object, its policy is swapped. */
  readonly engine: Engine;
  /** The lists the live engine decides with; a warming engine reads the same ones. */
  readonly lists: ListSet;
  readonly feed: LiveFeed;
  readonly journal: Journal;
  readonly cache: CompiledCache;
}

/** An answer of a change: the HTTP status it maps to and the body. */
export interface Outcome<T = unknown> {
  readonly status: 200 | 201 | 202;
  readonly body: T;
}

/** What a compiled version holds, for reviewers. */
export interface CompileSummary {
  readonly ok: boolean;
  readonly rules?: number;
  readonly windows?: readonly string[];
  readonly features?: number;
  readonly thresholds?: { review: number; challenge: number; decline: number; scale: number };
  readonly lists?: readonly string[];
  /** Lists it names that do not exist, or of another kind than what it looks up. */
  readonly listProblems?: readonly string[];
  readonly warnings?: readonly PolicyDiagnostic[];
  /** Windows the live engine lacks: publishing this version warms them from the journal first. */
  readonly freshWindows?: readonly string[];
  readonly model?: string | null;
  /** When the stored version no longer compiles (a newer feature catalog): why. */
  readonly diagnostics?: readonly PolicyDiagnostic[];
}

/** A publication on its way (a version warming its windows). */
export interface PublishingView {
  readonly version: number;
  readonly kind: 'publish' | 'rollback';
  readonly by: string;
  readonly freshWindows: readonly string[];
  readonly progress: WarmProgress;
}

/** A publication under way: the version warming and what made it. */
export interface Publishing {
  readonly version: PolicyVersion;
  readonly kind: 'publish' | 'rollback';
  readonly actor: string;
  readonly proposal: Proposal | null;
  readonly reason: string | null;
  readonly fresh: readonly string[];
  readonly warmup: Warmup;
}

/** The last warm-up that did not end live, for GET /v1/policies/live. */
export interface Failure {
  readonly version: number;
  readonly at: number;
  readonly message: string;
}

/** The audit target of a version. */
export const target = (n: number): string => `policies/${n}`;

/** What reviewers see of a compiled policy; `engine` tells the windows it lacks, `lists` the lists it names badly. */
export function compileSummaryOf(p: PolicyBuild, modelHash: string | null, lists: ListSet, engine: Engine): CompileSummary {
  return {
    ok: true,
    rules: p.rules.length,
    windows: p.windows.map((w) => w.name),
    features: p.derived.length,
    thresholds: { ...p.thresholds, scale: p.scoreScale },
    lists: p.lists,
    listProblems: lists.problems(p.listUses),
    warnings: p.warnings,
    freshWindows: engine.freshWindowsFor(p),
    model: modelHash,
  };
}

/** What a checked draft is: its model (given, inherited from its parent, or none), compiled and diffed. */
export interface CheckedDraft {
  readonly modelText: string | null;
  readonly model: GbdtModel | null;
  readonly modelHash: string | null;
  readonly policy: PolicyBuild;
  readonly diff: PolicyDiff;
}

/**
 * A draft body checked against its parent, storing nothing: the model it carries (`input.model`; when
 * omitted, `inherited` — the parent's, read by the caller from its store), compiled as version `n`
 * (a PolicyCompileError with every diagnostic), the model fitted to it, diffed against the parent.
 * Shared by the data folder's lifecycle and a cluster's.
 */
export function checkDraft(input: DraftInput, parentN: number, parent: PolicyVersion, n: number, inherited: { text: string | null; model: GbdtModel | null }): CheckedDraft {
  let modelText: string | null = null;
  let model: GbdtModel | null = null;
  if (input.model === undefined) ({ text: modelText, model } = inherited);
  else if (input.model !== null) {
    try {
      model = modelFromJson(input.model);
    } catch (e) {
      throw new ContractError('model', `a valid model file: ${(e as Error).message.replace(/^\[FK\d+\] /, '')}`);
    }
    modelText = JSON.stringify(input.model);
  }
  const policy = compileVersion({ name: `v${n}`, sources: input.sources });
  checkModelFits(model, policy);
  const diff = diffPolicies(parentN, parent.sources, input.sources);
  const modelHash = modelText === null ? null : input.model === undefined ? parent.modelHash : sha256(modelText);
  return { modelText, model, modelHash, policy, diff };
}

/** A version in a listing: everything but the file texts. */
export function versionSummary(v: PolicyVersion): VersionSummary {
  const { sources, ...rest } = v;
  return { ...rest, files: sources.map((s) => s.file) };
}

/** The live policy and its changes; shared by the lifecycle and the incident modes. */
export class LivePolicy {
  private pending: Publishing | null = null;
  private lastFailure: Failure | null = null;
  private closed = false;

  /** @param d the server's parts (store, audit log, engine, …), read by the lifecycle and the modes too. */
  constructor(readonly d: LifecycleDeps) {
    this.pinLive();
  }

  /** The publication warming now, if any. */
  get publishing(): Publishing | null {
    return this.pending;
  }

  /** The last warm-up that did not end live. */
  get failure(): Failure | null {
    return this.lastFailure;
  }

  /** Stops a warm-up in progress (server shutdown); an approved proposal completes at the next start. */
  close(): void {
    this.closed = true;
    this.pending?.warmup.cancel('the server is shutting down');
  }

  /** Version `n`; a NotFoundError when there is none. */
  mustVersion(n: number): PolicyVersion {
    const v = this.d.store.version(n);
    if (v === undefined) throw new NotFoundError(`policy version ${n} does not exist`);
    return v;
  }

  /** The publication that made the live version live. */
  livePublication(): Publication {
    const p = this.d.store.live();
    if (p === undefined) throw new Error('policy store has no live version (the server boots one)');
    return p;
  }

  /** The live version. */
  liveVersion(): PolicyVersion {
    return this.mustVersion(this.livePublication().version);
  }

  /** The incident overlays on, in the order they were switched on. */
  overlays(): Overlay[] {
    return this.d.store.activeModes().map((m) => ({ name: m.name, rules: m.rules }));
  }

  /** The version's model, parsed once. */
  modelOf(v: PolicyVersion): GbdtModel | null {
    const hash = v.modelHash;
    return hash === null ? null : this.d.cache.model(hash, () => this.d.store.model(hash));
  }

  /** `v` with `overlays` compiled (from the cache when it was before). */
  runnable(v: PolicyVersion, overlays: readonly Overlay[]): Runnable {
    const key = runnableKey(v.version, overlays);
    const hit = this.d.cache.get(key);
    if (hit !== undefined) return hit;
    const policy = compileVersion(v, overlays);
    const model = this.modelOf(v);
    checkModelFits(model, policy);
    const r = { policy, model };
    this.d.cache.set(key, r);
    return r;
  }

  /** Keeps the live version (plain and with its overlays) and a pending publication compiled. */
  pinLive(): void {
    const live = this.d.store.live();
    const keys: string[] = [];
    if (live !== undefined) keys.push(runnableKey(live.version, []), runnableKey(live.version, this.overlays()));
    const pub = this.pending;
    if (pub !== null) keys.push(runnableKey(pub.version.version, []), runnableKey(pub.version.version, this.overlays()));
    this.d.cache.pin(keys);
  }

  /** Makes `r` decide from the next event on (with a warmed engine's windows when given); synchronous. */
  swap(r: Runnable, warmed?: Engine): void {
    this.d.engine.replacePolicy(r.policy, r.model, warmed);
    this.pinLive();
  }

  /** Records `v` live (publication row, states, audit) inside the caller's transaction. */
  recordLive(v: PolicyVersion, r: Runnable, kind: 'publish' | 'rollback', actor: string, p: Proposal | null, reason: string | null): Publication {
    const live = this.livePublication();
    const pub = this.d.store.publish({
      version: v.version,
      kind,
      fromVersion: live.version,
      actor,
      proposedBy: p?.proposedBy ?? null,
      proposalId: p?.id ?? null,
      journalSeq: this.d.feed.appliedSeq,
      reason,
    });
    this.d.audit.append({
      actor,
      action: 'policy.publish',
      target: target(v.version),
      before: { version: live.version, policy: this.d.engine.currentPolicy.name },
      after: { version: v.version, policy: r.policy.name, kind, proposedBy: pub.proposedBy, journalSeq: pub.journalSeq },
    });
    return pub;
  }

  /** A ConflictError while a publication is warming. */
  refuseWhilePublishing(): void {
    const p = this.pending;
    if (p !== null) {
      const g = p.warmup.progress();
      throw new ConflictError(
        `version ${p.version.version} is being published (warming its windows: seq ${g.seq} of ${g.liveSeq}); wait for it, or roll back to cancel it`,
      );
    }
  }

  /** The publication under way with its progress, for the API. */
  publishingView(): PublishingView | null {
    const p = this.pending;
    if (p === null) return null;
    return { version: p.version.version, kind: p.kind, by: p.actor, freshWindows: p.fresh, progress: p.warmup.progress() };
  }

  /** Builds and warms an engine for `p.version`, then makes it live in the tick it caught up. */
  startWarming(p: Omit<Publishing, 'warmup'>): void {
    const plain = this.runnable(p.version, []);
    const engine = new Engine(plain.policy, { model: plain.model ?? undefined, lists: this.d.lists });
    const warmup = new Warmup(this.d.journal, this.d.feed, engine);
    const pub: Publishing = { ...p, warmup };
    this.pending = pub;
    this.lastFailure = null;
    this.pinLive();
    warmup
      .run((warm) => {
        // compile failures here (an overlay switched on while warming that does not fit) refuse the publication
        const r = this.runnable(p.version, this.overlays());
        this.d.store.atomically(() => {
          if (p.proposal !== null) this.d.store.decideProposal(p.proposal.id, 'published', p.proposal.decidedBy ?? p.actor);
          this.recordLive(p.version, r, p.kind, p.actor, p.proposal, p.reason);
        });
        this.pending = null;
        this.swap(r, warm);
      })
      .catch((e: unknown) => {
        if (this.pending === pub) this.pending = null;
        this.pinLive();
        if (e instanceof WarmupCancelled && this.closed) return;
        const message = e instanceof PolicyCompileError ? e.message : (e as Error).message;
        this.lastFailure = { version: p.version.version, at: Date.now(), message };
        if (!(e instanceof WarmupCancelled)) {
          process.stderr.write(`fengkong serve: publishing version ${p.version.version} failed: ${message}\n`);
          this.recordFailure(p, message);
        }
      });
  }

  /** A warm-up that failed: its proposal is cancelled (audited) so it can be proposed again. */
  private recordFailure(p: Omit<Publishing, 'warmup'>, message: string): void {
    try {
      this.d.store.atomically(() => {
        if (p.proposal !== null) {
          this.d.store.decideProposal(p.proposal.id, 'cancelled', 'system', message);
          this.d.store.setState(p.version.version, 'draft');
        }
        this.d.audit.append({
          actor: 'system',
          action: 'policy.publish.fail',
          target: target(p.version.version),
          before: { state: 'warming' },
          after: { state: p.proposal === null ? p.version.state : 'draft', reason: message },
        });
      });
    } catch (e) {
      process.stderr.write(`fengkong serve: cannot record the failed publication: ${(e as Error).message}\n`);
    }
  }

  /**
   * Cancels a warming publication (a rollback overrides it, a rejection stops it); audited. Its
   * proposal ends `cancelled` (the version back to `draft`, to be proposed again) or `rejected`.
   */
  cancelPublishing(actor: string, reason: string, as: 'cancelled' | 'rejected' = 'cancelled'): void {
    const p = this.pending;
    if (p === null) return;
    p.warmup.cancel(reason);
    this.pending = null;
    this.pinLive();
    const state = p.proposal === null ? p.version.state : as === 'rejected' ? 'rejected' : 'draft';
    this.d.store.atomically(() => {
      if (p.proposal !== null) {
        this.d.store.decideProposal(p.proposal.id, as, actor, reason);
        this.d.store.setState(p.version.version, state);
      }
      this.d.audit.append({
        actor,
        action: 'policy.publish.cancel',
        target: target(p.version.version),
        before: { state: 'warming', progress: p.warmup.progress() },
        after: { state, reason },
      });
    });
  }
}
