/**
 * The policy lifecycle of a running server: draft (compiled, with every diagnostic on failure),
 * propose, approve by a second admin key (four eyes), publish, roll back, and incident overlays
 * switched on and off. Every change is checked completely before anything is written, written with
 * its audit entry in one transaction, and only then applied to the engine — synchronously, in one
 * tick, so no decision sees half a swap and none waits for one.
 *
 * A version whose windows the live engine already holds (same signatures) swaps at once with
 * Engine.replacePolicy; one that adds or changes windows is first warmed by replay (warm.ts) and
 * answers `warming` (202) until it is live. The swapping is LivePolicy's (live.ts), the incident
 * modes IncidentModes' (modes.ts).
 */
import { ConflictError, ContractError, NotFoundError, PolicyCompileError } from '../errors.js';
import type { PolicyBuild, PolicySource } from '../rules/compile.js';
import { runnableKey, type Runnable } from './compiled.js';
import { diffPolicies, type PolicyDiff } from './diff.js';
import { objectBody, onlyFields, parseDraft, stringField, versionField } from './input.js';
import { checkDraft, compileSummaryOf, LivePolicy, target, versionSummary, type CompileSummary, type LifecycleDeps, type Outcome } from './live.js';
import { IncidentModes } from './modes.js';
import type { Page, PolicyVersion, Publication, VersionSummary } from './versions.js';

export type { CompileSummary, LifecycleDeps, Outcome, PublishingView } from './live.js';

/** Told when version `n` went live at once or its proposal was rejected, and by whom. */
export type VersionListener = (n: number, change: 'live' | 'rejected', actor: string) => void;

/** The policy lifecycle of one server. */
export class PolicyLifecycle {
  /** The live policy, which every change goes through. */
  readonly state: LivePolicy;
  /** The incident modes. */
  readonly modes: IncidentModes;
  private readonly d: LifecycleDeps;
  private readonly versionListeners: VersionListener[] = [];

  constructor(deps: LifecycleDeps) {
    this.d = deps;
    this.state = new LivePolicy(deps);
    this.modes = new IncidentModes(this.state);
  }

  /** Stops a warm-up in progress (server shutdown); an approved proposal completes at the next start. */
  close(): void {
    this.state.close();
  }

  /**
   * Calls `fn` after a version went live at once (approval, rollback) or its proposal was rejected
   * (shadows stop then). A publication that warms first is not reported: watch the engine's policy.
   */
  onVersionChange(fn: VersionListener): void {
    this.versionListeners.push(fn);
  }

  private changed(n: number, change: 'live' | 'rejected', actor: string): void {
    for (const fn of this.versionListeners) {
      try {
        fn(n, change, actor);
      } catch (e) {
        process.stderr.write(`fengkong serve: a version listener failed: ${(e as Error).message}\n`);
      }
    }
  }

  // ---------------------------------------------------------------- reads

  /** The version live now, with the policy deciding (overlays included) and any publication under way. */
  live(): Record<string, unknown> {
    const pub = this.state.livePublication();
    const v = this.state.mustVersion(pub.version);
    return {
      version: v.version,
      name: v.name,
      policy: this.d.engine.currentPolicy.name,
      description: v.description,
      publication: pub,
      modes: this.d.store.activeModes().map((m) => ({ name: m.name, since: m.activeSince, by: m.activeBy })),
      publishing: this.state.publishingView(),
      lastFailure: this.state.failure,
    };
  }

  /** Versions newest first, without texts. */
  list(page: Page): { versions: VersionSummary[]; next: number | null } {
    const versions = this.d.store.versions(page);
    const limit = page.limit ?? 100;
    const last = versions.at(-1);
    return { versions, next: versions.length === limit && last !== undefined ? last.version : null };
  }

  /** Publications newest first. */
  publications(page: Page): { publications: Publication[]; next: number | null } {
    const publications = this.d.store.publications(page);
    const limit = page.limit ?? 100;
    const last = publications.at(-1);
    return { publications, next: publications.length === limit && last !== undefined ? last.seq : null };
  }

  /** One version: its files, its diff against its parent, its compile summary, its proposals. */
  show(n: number): Record<string, unknown> {
    const v = this.state.mustVersion(n);
    const parent = v.parent === null ? undefined : this.d.store.version(v.parent);
    return {
      ...this.summaryOf(v),
      files: v.sources,
      diff: diffPolicies(v.parent, parent?.sources ?? [], v.sources),
      compile: this.compileSummary(v),
      proposals: this.d.store.proposals(n),
      publishing: this.state.publishing?.version.version === n ? this.state.publishingView() : null,
    };
  }

  /**
   * What a backtest of `n` runs: its files and its model's JSON text (or null). The plug-in point
   * for the backtest route: `runBacktestInWorker(store.file, sources, { modelText })`.
   */
  backtestInput(n: number): { version: PolicyVersion; sources: readonly PolicySource[]; modelText: string | null } {
    const v = this.state.mustVersion(n);
    return { version: v, sources: v.sources, modelText: v.modelHash === null ? null : (this.d.store.model(v.modelHash) ?? null) };
  }

  // ---------------------------------------------------------------- versions

  /**
   * `POST /v1/policies`: compiles the files first (a PolicyCompileError with every diagnostic, and
   * nothing stored, when they do not compile), then stores the version with its audit entry.
   */
  draft(body: unknown, actor: string): Outcome {
    const { input, parentN, modelText, model, policy, diff, n } = this.prepare(body);
    const v = this.d.store.atomically(() => {
      const stored = this.d.store.createVersion({
        parent: parentN,
        author: actor,
        description: input.description,
        sources: input.sources,
        model: modelText,
        name: `v${n}`,
      });
      this.d.audit.append({
        actor,
        action: 'policy.draft',
        target: target(stored.version),
        before: null,
        after: {
          version: stored.version,
          parent: parentN,
          description: stored.description,
          files: stored.sources.map((s) => s.file),
          model: stored.modelHash,
          changes: diff.summary,
        },
      });
      return stored;
    });
    this.d.cache.set(runnableKey(v.version, []), { policy, model });
    return { status: 201, body: { ...this.summaryOf(v), diff, compile: this.compileSummary(v) } };
  }

  /**
   * `POST /v1/policies/validate`: what a draft of this body would be — compiled (422 with every
   * diagnostic otherwise), its diff and compile summary — without storing anything.
   */
  validate(body: unknown): Outcome {
    const { parentN, policy, diff, modelHash } = this.prepare(body);
    return { status: 200, body: { ok: true, parent: parentN, diff, compile: this.summaryOfPolicy(policy, modelHash) } };
  }

  /** Checks and compiles a draft body; nothing is stored. */
  private prepare(body: unknown) {
    const input = parseDraft(body);
    const parentN = input.parent ?? this.state.livePublication().version;
    const parent = this.d.store.version(parentN);
    if (parent === undefined) throw new NotFoundError(`policy version ${parentN} does not exist (parent)`);
    const inherit = input.model === undefined && parent.modelHash !== null;
    const n = this.d.store.nextVersion();
    const checked = checkDraft(input, parentN, parent, n, {
      text: inherit ? (this.d.store.model(parent.modelHash!) ?? null) : null,
      model: inherit ? this.state.modelOf(parent) : null,
    });
    return { input, parentN, n, ...checked };
  }

  /**
   * `POST /v1/policies/{n}/publish`: proposes `n` for publication; another admin key must approve.
   * Compiles it with the overlays now on, so approval swaps without compiling.
   */
  propose(n: number, body: unknown, actor: string): Outcome {
    const o = body === undefined ? {} : objectBody(body, 'an object {note?}');
    onlyFields(o, ['note']);
    const note = stringField(o, 'note', { required: false, max: 4_000 }) ?? '';
    const v = this.state.mustVersion(n);
    if (v.state === 'live') throw new ConflictError(`version ${n} is already live`);
    const pending = this.d.store.pendingProposal(n);
    if (pending !== undefined) {
      throw new ConflictError(`version ${n} is already proposed (proposal ${pending.id} by ${pending.proposedBy}, ${pending.state})`);
    }
    const r = this.state.runnable(v, this.state.overlays());
    const live = this.state.livePublication();
    const stale = v.parent !== live.version;
    const proposal = this.d.store.atomically(() => {
      const p = this.d.store.propose(n, actor, note);
      this.d.audit.append({
        actor,
        action: 'policy.propose',
        target: target(n),
        before: { state: v.state },
        after: { state: 'proposed', proposal: p.id, note, live: live.version, parent: v.parent },
      });
      return p;
    });
    this.state.pinLive();
    return {
      status: 200,
      body: {
        version: n,
        state: 'proposed',
        proposal,
        freshWindows: this.d.engine.freshWindowsFor(r.policy),
        warning: stale ? `version ${n} was drafted from version ${v.parent}, but version ${live.version} is live: publishing it drops what changed since` : null,
      },
    };
  }

  /**
   * `POST /v1/policies/{n}/approve`: a second admin key approves the open proposal, which publishes
   * it — at once (200, live) or after warming its new windows (202, warming).
   */
  approve(n: number, actor: string): Outcome {
    const v = this.state.mustVersion(n);
    const p = this.d.store.pendingProposal(n);
    if (p === undefined) throw new ConflictError(`version ${n} is not proposed; propose it first with POST /v1/policies/${n}/publish`);
    if (p.state === 'approved') throw new ConflictError(`version ${n} is already approved (by ${p.decidedBy}) and warming its windows`);
    if (p.proposedBy === actor) {
      throw new ConflictError(`four-eyes rule: version ${n} was proposed by ${actor}; another admin key must approve it`);
    }
    this.state.refuseWhilePublishing();
    const r = this.state.runnable(v, this.state.overlays());
    const fresh = this.d.engine.freshWindowsFor(r.policy);
    if (fresh.length === 0) {
      const pub = this.d.store.atomically(() => {
        this.d.store.decideProposal(p.id, 'published', actor);
        this.d.audit.append({
          actor,
          action: 'policy.approve',
          target: target(n),
          before: { state: 'proposed', proposedBy: p.proposedBy },
          after: { state: 'live', approvedBy: actor },
        });
        return this.state.recordLive(v, r, 'publish', actor, p, p.note === '' ? null : p.note);
      });
      this.state.swap(r);
      this.changed(n, 'live', actor);
      return { status: 200, body: { version: n, state: 'live', policy: r.policy.name, publication: pub } };
    }
    this.d.store.atomically(() => {
      this.d.store.decideProposal(p.id, 'approved', actor);
      this.d.audit.append({
        actor,
        action: 'policy.approve',
        target: target(n),
        before: { state: 'proposed', proposedBy: p.proposedBy },
        after: { state: 'warming', approvedBy: actor, freshWindows: fresh },
      });
    });
    this.state.startWarming({ version: v, kind: 'publish', actor, proposal: { ...p, decidedBy: actor }, reason: p.note === '' ? null : p.note, fresh });
    return { status: 202, body: { version: n, state: 'warming', freshWindows: fresh, publishing: this.state.publishingView() } };
  }

  /** `POST /v1/policies/{n}/reject`: refuses the open proposal (the proposer may withdraw it too). */
  reject(n: number, body: unknown, actor: string): Outcome {
    const o = body === undefined ? {} : objectBody(body, 'an object {reason}');
    onlyFields(o, ['reason']);
    const reason = stringField(o, 'reason', { required: false, max: 4_000 }) ?? '';
    this.state.mustVersion(n);
    const p = this.d.store.pendingProposal(n);
    if (p === undefined) throw new ConflictError(`version ${n} is not proposed`);
    if (p.state === 'approved') {
      // approved and warming: rejecting it now stops the publication
      if (this.state.publishing?.proposal?.id !== p.id) throw new ConflictError(`version ${n} is approved and being published`);
      this.state.cancelPublishing(actor, reason === '' ? 'rejected while warming' : reason, 'rejected');
      this.changed(n, 'rejected', actor);
      return { status: 200, body: { version: n, state: 'rejected', proposal: this.d.store.proposals(n)[0] } };
    }
    const decided = this.d.store.atomically(() => {
      const out = this.d.store.decideProposal(p.id, 'rejected', actor, reason);
      this.d.store.setState(n, 'rejected');
      this.d.audit.append({
        actor,
        action: 'policy.reject',
        target: target(n),
        before: { state: 'proposed', proposedBy: p.proposedBy },
        after: { state: 'rejected', reason },
      });
      return out;
    });
    this.changed(n, 'rejected', actor);
    return { status: 200, body: { version: n, state: 'rejected', proposal: decided } };
  }

  /**
   * `POST /v1/policies/rollback {version?, reason}`: back to a version that was live before (default:
   * the one live before the current one), in one call, by one admin: an emergency brake. A
   * publication warming is cancelled.
   */
  rollback(body: unknown, actor: string): Outcome {
    const o = objectBody(body, 'an object {version?, reason, warm?}');
    onlyFields(o, ['version', 'reason', 'warm']);
    const reason = stringField(o, 'reason', { required: true, max: 4_000, nonEmpty: true })!;
    if (o.warm !== undefined && typeof o.warm !== 'boolean') throw new ContractError('warm', 'true (default: rebuild new windows from the journal first) or false (swap now, those windows start empty)');
    const warm = o.warm !== false;
    const live = this.state.livePublication();
    const pending = this.state.publishing;
    const n = versionField(o, 'version') ?? (pending !== null ? live.version : live.fromVersion);
    if (n === null) throw new ConflictError('nothing to roll back to: only one version was ever live');
    const v = this.state.mustVersion(n);
    if (n === live.version) {
      if (pending === null) throw new ConflictError(`version ${n} is already live`);
      // the brake during a publication: keep what is live, stop the version warming
      this.state.cancelPublishing(actor, reason);
      return { status: 200, body: { version: n, state: 'live', policy: this.d.engine.currentPolicy.name, cancelled: pending.version.version } };
    }
    if (!this.d.store.wasPublished(n)) {
      throw new ConflictError(`version ${n} was never live; a rollback returns to a version that was published before (publish a new one instead)`);
    }
    const r = this.state.runnable(v, this.state.overlays());
    this.state.cancelPublishing(actor, `superseded by a rollback to version ${n}`);
    const fresh = this.d.engine.freshWindowsFor(r.policy);
    const before = { live: live.version, policy: this.d.engine.currentPolicy.name };
    if (fresh.length === 0 || !warm) {
      const pub = this.d.store.atomically(() => {
        const out = this.state.recordLive(v, r, 'rollback', actor, null, reason);
        this.d.audit.append({
          actor,
          action: 'policy.rollback',
          target: target(n),
          before,
          after: { live: n, policy: r.policy.name, state: 'live', reason, emptyWindows: fresh },
        });
        return out;
      });
      this.state.swap(r);
      this.changed(n, 'live', actor);
      return { status: 200, body: { version: n, state: 'live', policy: r.policy.name, publication: pub, emptyWindows: fresh } };
    }
    this.d.audit.append({ actor, action: 'policy.rollback', target: target(n), before, after: { live: live.version, state: 'warming', to: n, freshWindows: fresh, reason } });
    this.state.startWarming({ version: v, kind: 'rollback', actor, proposal: null, reason, fresh });
    return { status: 202, body: { version: n, state: 'warming', freshWindows: fresh, publishing: this.state.publishingView() } };
  }

  private summaryOf(v: PolicyVersion): VersionSummary {
    return versionSummary(v);
  }

  private compileSummary(v: PolicyVersion): CompileSummary {
    let r: Runnable;
    try {
      r = this.state.runnable(v, []);
    } catch (e) {
      if (e instanceof PolicyCompileError) return { ok: false, diagnostics: e.diagnostics };
      throw e;
    }
    return this.summaryOfPolicy(r.policy, v.modelHash);
  }

  private summaryOfPolicy(p: PolicyBuild, modelHash: string | null): CompileSummary {
    return compileSummaryOf(p, modelHash, this.d.lists, this.d.engine);
  }

}

/** Re-exported for the routes: what a diff looks like. */
export type { PolicyDiff };
