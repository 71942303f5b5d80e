/**
 * The policy lifecycle on a cluster (docs/scale-out.md, "Control entries"): the same API, checks,
 * four-eyes rule and audit trail as the embedded server's (lifecycle.ts, modes.ts), over a networked
 * PolicyStore. The difference is where a change takes effect: no node swaps its engine here. A
 * publication, rollback or mode switch is recorded in the store (the publication with no journal
 * position yet) and announced; the partition's owner places it in the journal as a control entry —
 * warming new windows first when it needs them — and records the position. Every node applies the
 * entry at that position, so live decisions, takeovers and replays agree on where it took effect.
 */
import { ConflictError, ContractError, NotFoundError, PolicyCompileError } from '../errors.js';
import type { AuditLog } from '../audit/log.js';
import type { Engine } from '../engine/engine.js';
import type { ListSet } from '../lists/list-set.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import type { PolicyBuild } from '../rules/compile.js';
import { checkModelFits, checkOverlay, compileVersion, runnableKey, type CompiledCache, type Overlay, type Runnable } from './compiled.js';
import { diffPolicies } from './diff.js';
import { modeName, objectBody, onlyFields, parseDraft, stringField, versionField } from './input.js';
import { checkDraft, compileSummaryOf, target, versionSummary as summaryOf, type CompileSummary, type Outcome, type PublishingView } from './live.js';
import { definition, modeTarget } from './modes.js';
import type { IncidentMode, Page, PolicyStore, PolicyVersion, Publication, VersionSummary } from './versions.js';

/** What the lifecycle sees of the node it runs on. */
export interface ClusterPolicyView {
  /** This node's engine of the partition (its policy, its windows: what a version would need warmed). */
  engine(): Engine;
  readonly lists: ListSet;
  /** Tells the partition's owner that what should decide changed (it also polls). */
  changed(): void;
  /** The owner's last failure to place the wanted policy, when this node knows it. */
  placeFailure(): string | null;
}

/** How long a change waits for the owner to place it before answering 202 (the caller may poll live). */
const PLACE_WAIT_MS = 3000;


/** The policy lifecycle and incident modes of a cluster node. */
export class ClusterPolicyLifecycle {
  constructor(
    private readonly store: PolicyStore<'async'>,
    private readonly audit: AuditLog<'async'>,
    private readonly cache: CompiledCache,
    private readonly view: ClusterPolicyView,
  ) {}

  // ---------------------------------------------------------------- reads

  private async mustVersion(n: number): Promise<PolicyVersion> {
    const v = await this.store.version(n);
    if (v === undefined) throw new NotFoundError(`policy version ${n} does not exist`);
    return v;
  }

  private async livePublication(): Promise<Publication> {
    const p = await this.store.live();
    if (p === undefined) throw new Error('policy store has no live version (the first node imports one)');
    return p;
  }

  private async overlays(): Promise<Overlay[]> {
    return (await this.store.activeModes()).map((m) => ({ name: m.name, rules: m.rules }));
  }

  private async modelOf(v: PolicyVersion): Promise<GbdtModel | null> {
    const hash = v.modelHash;
    if (hash === null) return null;
    const text = await this.store.model(hash);
    return this.cache.model(hash, () => text);
  }

  private async runnable(v: PolicyVersion, overlays: readonly Overlay[]): Promise<Runnable> {
    const key = runnableKey(v.version, overlays);
    const hit = overlays.length === 0 ? this.cache.get(key) : undefined;
    if (hit !== undefined) return hit;
    const model = await this.modelOf(v);
    const policy = compileVersion(v, overlays);
    checkModelFits(model, policy);
    const r = { policy, model };
    if (overlays.length === 0) this.cache.set(key, r);
    return r;
  }

  private policyName(): string {
    return this.view.engine().currentPolicy.name;
  }

  /** The live publication's placement under way: recorded, not yet in the journal. */
  private publishingOf(pub: Publication, fresh: readonly string[]): PublishingView | null {
    if (pub.journalSeq !== null) return null;
    return {
      version: pub.version,
      kind: pub.kind === 'rollback' ? 'rollback' : 'publish',
      by: pub.actor,
      freshWindows: fresh,
      progress: { phase: 'replay', seq: 0, replayTo: 0, liveSeq: 0, elapsedMs: Date.now() - pub.at },
    };
  }

  /** The version live now, the policy this node decides with, and a placement under way. */
  async live(): Promise<Record<string, unknown>> {
    const pub = await this.livePublication();
    const v = await this.mustVersion(pub.version);
    const fresh = pub.journalSeq === null ? this.view.engine().freshWindowsFor((await this.runnable(v, [])).policy) : [];
    const failure = this.view.placeFailure();
    return {
      version: v.version,
      name: v.name,
      policy: this.policyName(),
      description: v.description,
      publication: pub,
      modes: (await this.store.activeModes()).map((m) => ({ name: m.name, since: m.activeSince, by: m.activeBy })),
      publishing: this.publishingOf(pub, fresh),
      lastFailure: failure === null ? null : { version: pub.version, at: Date.now(), message: failure },
    };
  }

  /** Versions newest first, without texts (`next`: the cursor of the following page). */
  async list(page: Page): Promise<{ versions: VersionSummary[]; next: number | null }> {
    const versions = await this.store.versions(page);
    const last = versions.at(-1);
    return { versions, next: versions.length === (page.limit ?? 100) && last !== undefined ? last.version : null };
  }

  /** Publications newest first, each with its journal position once placed. */
  async publications(page: Page): Promise<{ publications: Publication[]; next: number | null }> {
    const publications = await this.store.publications(page);
    const last = publications.at(-1);
    return { publications, next: publications.length === (page.limit ?? 100) && last !== undefined ? last.seq : null };
  }

  /** One version: its files, its diff against its parent, its compile summary, its proposals. */
  async show(n: number): Promise<Record<string, unknown>> {
    const v = await this.mustVersion(n);
    const parent = v.parent === null ? undefined : await this.store.version(v.parent);
    const live = await this.livePublication();
    return {
      ...summaryOf(v),
      files: v.sources,
      diff: diffPolicies(v.parent, parent?.sources ?? [], v.sources),
      compile: await this.compileSummary(v),
      proposals: await this.store.proposals(n),
      publishing: live.version === n ? this.publishingOf(live, []) : null,
    };
  }

  // ---------------------------------------------------------------- versions

  /** `POST /v1/policies`: compiled first (422 with every diagnostic, nothing stored), then stored with its audit entry. */
  async draft(body: unknown, actor: string): Promise<Outcome> {
    const { input, parentN, modelText, policy, diff } = await this.prepare(body);
    const v = await this.store.atomically(async () => {
      const n = await this.store.nextVersion();
      const stored = await this.store.createVersion({ parent: parentN, author: actor, description: input.description, sources: input.sources, model: modelText, name: `v${n}` });
      await this.audit.append({
        actor,
        action: 'policy.draft',
        target: target(stored.version),
        before: null,
        after: { version: stored.version, parent: parentN, description: stored.description, files: stored.sources.map((s) => s.file), model: stored.modelHash, changes: diff.summary },
      });
      return stored;
    });
    return { status: 201, body: { ...summaryOf(v), diff, compile: this.summaryOfPolicy(policy, v.modelHash) } };
  }

  /** `POST /v1/policies/validate`: what a draft of this body would be, storing nothing. */
  async validate(body: unknown): Promise<Outcome> {
    const { parentN, policy, diff, modelHash } = await this.prepare(body);
    return { status: 200, body: { ok: true, parent: parentN, diff, compile: this.summaryOfPolicy(policy, modelHash) } };
  }

  private async prepare(body: unknown) {
    const input = parseDraft(body);
    const parentN = input.parent ?? (await this.livePublication()).version;
    const parent = await this.store.version(parentN);
    if (parent === undefined) throw new NotFoundError(`policy version ${parentN} does not exist (parent)`);
    const inherit = input.model === undefined && parent.modelHash !== null;
    const checked = checkDraft(input, parentN, parent, await this.store.nextVersion(), {
      text: inherit ? ((await this.store.model(parent.modelHash!)) ?? null) : null,
      model: inherit ? await this.modelOf(parent) : null,
    });
    return { input, parentN, ...checked };
  }

  /** `POST /v1/policies/{n}/publish`: proposes `n`; another admin key must approve. */
  async propose(n: number, body: unknown, actor: string): Promise<Outcome> {
    const o = body === undefined ? {} : objectBody(body, 'an object {note?}');
    onlyFields(o, ['note']);
    const note = stringField(o, 'note', { required: false, max: 4_000 }) ?? '';
    const v = await this.mustVersion(n);
    if (v.state === 'live') throw new ConflictError(`version ${n} is already live`);
    const pending = await this.store.pendingProposal(n);
    if (pending !== undefined) throw new ConflictError(`version ${n} is already proposed (proposal ${pending.id} by ${pending.proposedBy}, ${pending.state})`);
    const r = await this.runnable(v, await this.overlays());
    if (r.policy.acting) {
      // a cluster node has no rule-action followers yet (docs/automation.md): the actions would stay in one node's memory
      throw new ConflictError(`version ${n} has rule actions (action …), which a cluster does not take yet; publish it on an embedded server, or remove the action lines`);
    }
    const live = await this.livePublication();
    const proposal = await this.store.atomically(async () => {
      const p = await this.store.propose(n, actor, note);
      await this.audit.append({
        actor,
        action: 'policy.propose',
        target: target(n),
        before: { state: v.state },
        after: { state: 'proposed', proposal: p.id, note, live: live.version, parent: v.parent },
      });
      return p;
    });
    return {
      status: 200,
      body: {
        version: n,
        state: 'proposed',
        proposal,
        freshWindows: this.view.engine().freshWindowsFor(r.policy),
        warning: v.parent !== live.version ? `version ${n} was drafted from version ${v.parent}, but version ${live.version} is live: publishing it drops what changed since` : null,
      },
    };
  }

  /**
   * `POST /v1/policies/{n}/approve`: a second admin key approves, which publishes: recorded at once,
   * placed in the journal by the partition's owner (after warming new windows). 200 once placed, 202
   * while the owner is still at it (`GET /v1/policies/live` shows it under `publishing`).
   */
  async approve(n: number, actor: string): Promise<Outcome> {
    const v = await this.mustVersion(n);
    const p = await this.store.pendingProposal(n);
    if (p === undefined) throw new ConflictError(`version ${n} is not proposed; propose it first with POST /v1/policies/${n}/publish`);
    if (p.proposedBy === actor) throw new ConflictError(`four-eyes rule: version ${n} was proposed by ${actor}; another admin key must approve it`);
    const r = await this.runnable(v, await this.overlays());
    const fresh = this.view.engine().freshWindowsFor(r.policy);
    const pub = await this.store.atomically(async () => {
      const live = await this.livePublication();
      if (live.journalSeq === null) throw new ConflictError(`version ${live.version} is being published (its partition's owner has not placed it yet); wait for it, or roll back`);
      await this.store.decideProposal(p.id, 'published', actor);
      await this.audit.append({ actor, action: 'policy.approve', target: target(n), before: { state: 'proposed', proposedBy: p.proposedBy }, after: { state: 'live', approvedBy: actor, freshWindows: fresh } });
      return this.recordLive(v, r, live, 'publish', actor, p.id, p.proposedBy, p.note === '' ? null : p.note);
    });
    return this.placed(pub, r, fresh);
  }

  private async recordLive(v: PolicyVersion, r: Runnable, live: Publication, kind: 'publish' | 'rollback', actor: string, proposalId: number | null, proposedBy: string | null, reason: string | null): Promise<Publication> {
    const pub = await this.store.publish({ version: v.version, kind, fromVersion: live.version, actor, proposedBy, proposalId, journalSeq: null, reason });
    await this.audit.append({
      actor,
      action: 'policy.publish',
      target: target(v.version),
      before: { version: live.version },
      after: { version: v.version, policy: r.policy.name, kind, proposedBy, journalSeq: null, publication: pub.seq },
    });
    return pub;
  }

  /** Announces a recorded publication and waits a moment for the owner to place it. */
  private async placed(pub: Publication, r: Runnable, fresh: readonly string[]): Promise<Outcome> {
    this.view.changed();
    const until = Date.now() + PLACE_WAIT_MS;
    let now = pub;
    while (now.journalSeq === null && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 50));
      now = (await this.store.publications({ before: pub.seq + 1, limit: 1 }))[0] ?? now;
    }
    if (now.journalSeq !== null) return { status: 200, body: { version: pub.version, state: 'live', policy: r.policy.name, publication: now, emptyWindows: [] } };
    return { status: 202, body: { version: pub.version, state: 'warming', freshWindows: fresh, publication: now, publishing: this.publishingOf(now, fresh) } };
  }

  /** `POST /v1/policies/{n}/reject`: refuses the open proposal. */
  async reject(n: number, body: unknown, actor: string): Promise<Outcome> {
    const o = body === undefined ? {} : objectBody(body, 'an object {reason}');
    onlyFields(o, ['reason']);
    const reason = stringField(o, 'reason', { required: false, max: 4_000 }) ?? '';
    await this.mustVersion(n);
    const p = await this.store.pendingProposal(n);
    if (p === undefined) throw new ConflictError(`version ${n} is not proposed`);
    const decided = await this.store.atomically(async () => {
      const out = await this.store.decideProposal(p.id, 'rejected', actor, reason);
      await this.store.setState(n, 'rejected');
      await this.audit.append({ actor, action: 'policy.reject', target: target(n), before: { state: 'proposed', proposedBy: p.proposedBy }, after: { state: 'rejected', reason } });
      return out;
    });
    return { status: 200, body: { version: n, state: 'rejected', proposal: decided } };
  }

  /** `POST /v1/policies/rollback {version?, reason}`: back to a version that was live before, one call by one admin. */
  async rollback(body: unknown, actor: string): Promise<Outcome> {
    const o = objectBody(body, 'an object {version?, reason, warm?}');
    onlyFields(o, ['version', 'reason', 'warm']);
    const reason = stringField(o, 'reason', { required: true, max: 4_000, nonEmpty: true })!;
    if (o.warm !== undefined && o.warm !== true) throw new ContractError('warm', 'true or omitted: a cluster always warms new windows before its owner places a version');
    const live = await this.livePublication();
    const n = versionField(o, 'version') ?? live.fromVersion;
    if (n === null) throw new ConflictError('nothing to roll back to: only one version was ever live');
    if (n === live.version) throw new ConflictError(`version ${n} is already live`);
    const v = await this.mustVersion(n);
    if (!(await this.store.wasPublished(n))) throw new ConflictError(`version ${n} was never live; a rollback returns to a version that was published before (publish a new one instead)`);
    const r = await this.runnable(v, await this.overlays());
    const fresh = this.view.engine().freshWindowsFor(r.policy);
    const pub = await this.store.atomically(async () => {
      const now = await this.livePublication();
      const out = await this.recordLive(v, r, now, 'rollback', actor, null, null, reason);
      await this.audit.append({ actor, action: 'policy.rollback', target: target(n), before: { live: now.version }, after: { live: n, policy: r.policy.name, reason, freshWindows: fresh } });
      return out;
    });
    return this.placed(pub, r, fresh);
  }

  private async compileSummary(v: PolicyVersion): Promise<CompileSummary> {
    let r: Runnable;
    try {
      r = await this.runnable(v, []);
    } catch (e) {
      if (e instanceof PolicyCompileError) return { ok: false, diagnostics: e.diagnostics };
      throw e;
    }
    return this.summaryOfPolicy(r.policy, v.modelHash);
  }

  private summaryOfPolicy(p: PolicyBuild, modelHash: string | null): CompileSummary {
    return compileSummaryOf(p, modelHash, this.view.lists, this.view.engine());
  }


  // ---------------------------------------------------------------- incident modes

  /** Every mode, and the policy this node decides with. */
  async modes(): Promise<{ modes: IncidentMode[]; policy: string }> {
    return { modes: await this.store.modes(), policy: this.policyName() };
  }

  /** One incident mode; a NotFoundError when there is none. */
  async mode(name: string): Promise<IncidentMode> {
    const m = await this.store.mode(modeName(name));
    if (m === undefined) throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
    return m;
  }

  private async checkedMode(rawName: string, body: unknown, describe: boolean) {
    const name = modeName(rawName);
    const o = objectBody(body, 'an object {description, rules}');
    onlyFields(o, ['description', 'rules']);
    const description = stringField(o, 'description', { required: describe, max: 4_000, nonEmpty: describe }) ?? '';
    const rules = stringField(o, 'rules', { required: true, max: 256 * 1024, nonEmpty: true })!;
    const before = await this.store.mode(name);
    checkOverlay({ name, rules });
    const active = await this.overlays();
    const overlays = before?.active === true ? active.map((x) => (x.name === name ? { name, rules } : x)) : [...active, { name, rules }];
    const r = await this.runnable(await this.mustVersion((await this.livePublication()).version), overlays);
    return { name, description, rules, before, policy: r.policy.name };
  }

  /** `POST /v1/modes/{name}/validate`: the checks of a proposal, storing nothing. */
  async validateMode(rawName: string, body: unknown): Promise<Outcome> {
    const { name, policy } = await this.checkedMode(rawName, body, false);
    return { status: 200, body: { ok: true, name, policy } };
  }

  /** `PUT /v1/modes/{name}`: proposes a definition; another admin approves. */
  async proposeMode(rawName: string, body: unknown, actor: string): Promise<Outcome> {
    const { name, description, rules, before } = await this.checkedMode(rawName, body, true);
    const saved = await this.store.atomically(async () => {
      const m = await this.store.proposeMode(name, description, rules, actor);
      await this.audit.append({
        actor,
        action: 'mode.propose',
        target: modeTarget(name),
        before: { approved: definition(before), pending: before?.proposal ?? null },
        after: { proposed: { description, rules }, state: 'proposed' },
      });
      return m;
    });
    return { status: before === undefined ? 201 : 200, body: { mode: saved, state: 'proposed', policy: this.policyName() } };
  }

  /** `POST /v1/modes/{name}/approve`: a second admin key approves; a mode that is on decides with it once placed. */
  async approveMode(rawName: string, actor: string): Promise<Outcome> {
    const m = await this.mode(rawName);
    const p = m.proposal;
    if (p === null) throw new ConflictError(`incident mode ${m.name} has no proposed definition; propose one with PUT /v1/modes/${m.name}`);
    if (p.proposedBy === actor) throw new ConflictError(`four-eyes rule: incident mode ${m.name} was proposed by ${actor}; another admin key must approve it`);
    const policyBefore = this.policyName();
    const saved = await this.store.atomically(async () => {
      const out = await this.store.approveMode(m.name, actor);
      await this.audit.append({
        actor,
        action: 'mode.approve',
        target: modeTarget(m.name),
        before: { approved: definition(m), proposedBy: p.proposedBy, active: m.active, policy: policyBefore },
        after: { approved: { description: p.description, rules: p.rules }, active: m.active },
      });
      return out;
    });
    if (m.active) this.view.changed();
    return { status: 200, body: { mode: saved, state: 'approved', policy: this.policyName() } };
  }

  /** `POST /v1/modes/{name}/reject`: refuses the pending proposal. */
  async rejectMode(rawName: string, body: unknown, actor: string): Promise<Outcome> {
    const o = body === undefined ? {} : objectBody(body, 'an object {reason}');
    onlyFields(o, ['reason']);
    const reason = stringField(o, 'reason', { required: false, max: 4_000 }) ?? '';
    const m = await this.mode(rawName);
    const p = m.proposal;
    if (p === null) throw new ConflictError(`incident mode ${m.name} has no proposed definition to reject`);
    const saved = await this.store.atomically(async () => {
      const out = await this.store.dropModeProposal(m.name);
      await this.audit.append({
        actor,
        action: 'mode.reject',
        target: modeTarget(m.name),
        before: { proposed: { description: p.description, rules: p.rules }, proposedBy: p.proposedBy },
        after: { state: 'rejected', reason, approved: definition(m) },
      });
      return out;
    });
    return { status: 200, body: { mode: saved, state: 'rejected', policy: this.policyName() } };
  }

  /**
   * `POST /v1/modes/{name}/on|off`: one call by one admin, audited — the emergency brake. Recorded,
   * then placed by the partition's owner; answered once placed (or after a few seconds, `placed: false`).
   */
  async switchMode(rawName: string, on: boolean, actor: string): Promise<Outcome> {
    const m = await this.mode(rawName);
    if (m.active === on) return { status: 200, body: { mode: m, changed: false, policy: this.policyName() } };
    if (on && m.approvedAt === null) {
      throw new ConflictError(
        `four-eyes rule: incident mode ${m.name} has no approved definition; another admin key must approve it (POST /v1/modes/${m.name}/approve) before it can be switched on`,
      );
    }
    const active = await this.overlays();
    const next = on ? [...active, { name: m.name, rules: m.rules }] : active.filter((x) => x.name !== m.name);
    const r = await this.runnable(await this.mustVersion((await this.livePublication()).version), next);
    const before = { active: m.active, policy: this.policyName() };
    const saved = await this.store.atomically(async () => {
      const out = await this.store.setModeActive(m.name, on, actor);
      await this.audit.append({ actor, action: on ? 'mode.on' : 'mode.off', target: modeTarget(m.name), before, after: { active: on, policy: r.policy.name } });
      return out;
    });
    this.view.changed();
    const until = Date.now() + PLACE_WAIT_MS;
    while (this.policyName() !== r.policy.name && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    return { status: 200, body: { mode: saved, changed: true, policy: r.policy.name, placed: this.policyName() === r.policy.name } };
  }

  /** `DELETE /v1/modes/{name}`: only a mode that is off. */
  async deleteMode(rawName: string, actor: string): Promise<Outcome> {
    const m = await this.mode(rawName);
    if (m.active) throw new ConflictError(`incident mode ${m.name} is on; switch it off first`);
    await this.store.atomically(async () => {
      await this.store.deleteMode(m.name);
      await this.audit.append({ actor, action: 'mode.delete', target: modeTarget(m.name), before: { description: m.description, rules: m.rules, pending: m.proposal }, after: null });
    });
    return { status: 200, body: { deleted: m.name } };
  }
}
