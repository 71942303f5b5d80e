/**
 * The shadows of a running server: start shadowing a version that is not live (at most
 * MAX_SHADOWS at once), read its status and recorded decisions, stop it; every start and stop is
 * audited (`policy.shadow.start`, `policy.shadow.stop`). A shadowing version that becomes live
 * (published, rolled back to) or whose proposal is rejected stops shadowing: the lifecycle tells
 * (PolicyLifecycle.onVersionChange), and a publication that warmed first is noticed by its engine
 * swap before the next batch or read. Incident modes switched on or off are followed: the shadow
 * decides as the version would if published now. Shutdown stops every shadow, and the next start
 * resumes each one a shutdown or a crash interrupted, as a new run of the same version that warms
 * from the journal again (`resumedFrom` names the interrupted run, whose records and totals stay
 * readable): a shadow meant to run for weeks survives a deploy. A version that became live, or no
 * longer compiles, or a third shadow beyond MAX_SHADOWS, is not resumed (said on stderr).
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { AuditLog } from '../audit/log.js';
import type { Journal } from '../log/journal.js';
import type { Engine } from '../engine/engine.js';
import type { AdapterRef } from '../io/adapter-ref.js';
import { runnableKey } from './compiled.js';
import type { PolicyLifecycle } from './lifecycle.js';
import { target, type Outcome } from './live.js';
import { Shadow, type ShadowDeps, type ShadowStatus } from './shadow.js';
import { ShadowTally, type ShadowTotals } from './shadow-tally.js';
import type { ShadowPage, ShadowRecord, ShadowRunInfo, ShadowStore } from './shadow-types.js';

/** Shadows running at once, at most: each is a second engine (memory, a worker thread's CPU per event). */
export const MAX_SHADOWS = 2;
/** Why a shadow stopped at shutdown, and after a crash (both resumed at the next start). */
const SHUTTING_DOWN = 'the server is shutting down';
const CRASHED = 'the server stopped while it ran';

/** What the shadows need from the server. */
export interface ShadowPoliciesDeps {
  readonly lifecycle: PolicyLifecycle;
  readonly service: ShadowDeps['service'];
  readonly journal: Journal;
  readonly engine: Engine;
  readonly audit: AuditLog<'sync'>;
  /** Opens the shadow store of the data folder (creating it on first use). */
  readonly openStore: () => ShadowStore<'sync'>;
  /** Whether the data folder has a shadow store yet: one never used is not created by a start or a read. */
  readonly storeExists: () => boolean;
  /** What the shadows' workers open the data folder with (a module exporting ShadowAdapter). */
  readonly adapter: AdapterRef;
}

/** The shadows of one server. */
export class ShadowPolicies {
  private readonly active = new Map<number, Shadow>();
  /** Shadows stopping (their worker recording the end), by version. */
  private readonly ending = new Map<number, Promise<ShadowStatus>>();
  private storeNow: ShadowStore<'sync'> | null = null;
  private closed = false;

  constructor(private readonly d: ShadowPoliciesDeps) {
    d.lifecycle.onVersionChange((n, change, actor) => {
      if (this.active.has(n)) void this.end(n, actor, change === 'live' ? 'the version was published' : 'its proposal was rejected');
    });
    if (d.storeExists()) {
      // runs a crash left open: stopped now, and resumed below like those a shutdown stopped
      for (const r of this.store().stopDangling(Date.now(), CRASHED)) {
        d.audit.append({
          actor: 'system',
          action: 'policy.shadow.stop',
          target: target(r.version),
          before: { run: r.run, state: r.runningSince === null ? 'warming' : 'running' },
          after: { state: 'stopped', reason: CRASHED },
        });
      }
      this.resumeInterrupted();
    }
  }

  /** Starts again, as new runs, the shadows the last shutdown or crash interrupted. */
  private resumeInterrupted(): void {
    for (const r of this.store().toResume()) {
      this.store().markResume(r.run, false);
      try {
        this.start(r.version, 'system', { run: r.run, startedBy: r.startedBy });
        process.stderr.write(`fengkong serve: resumed the shadow of version ${r.version} (run ${r.run} was interrupted by the restart)\n`);
      } catch (e) {
        process.stderr.write(`fengkong serve: the shadow of version ${r.version} (run ${r.run}) is not resumed: ${(e as Error).message}\n`);
      }
    }
  }

  private store(): ShadowStore<'sync'> {
    this.storeNow ??= this.d.openStore();
    return this.storeNow;
  }

  /**
   * `POST /v1/policies/{n}/shadow`: starts shadowing `n` (202, warming). `resuming` names the run a
   * restart interrupted (the new run keeps its starter; the audit entry is the system's).
   */
  start(n: number, actor: string, resuming?: { readonly run: number; readonly startedBy: string }): Outcome<ShadowStatus> {
    const life = this.d.lifecycle.state;
    const v = life.mustVersion(n);
    this.refreshAll();
    const live = life.livePublication();
    if (n === live.version) throw new ConflictError(`version ${n} is live: it decides every payment already; shadow a version that is not live`);
    const running = this.active.get(n);
    if (running !== undefined) throw new ConflictError(`version ${n} is already shadowing (run ${running.run}); stop it first with DELETE /v1/policies/${n}/shadow`);
    if (this.ending.has(n)) throw new ConflictError(`the shadow of version ${n} is stopping; start it again in a moment`);
    if (this.active.size >= MAX_SHADOWS) {
      throw new ConflictError(`${this.active.size} shadows are running (versions ${[...this.active.keys()].join(', ')}), the most at once; stop one first`);
    }
    // compiled here first (from the cache): a version or mode that does not compile is refused now
    const overlays = life.overlays();
    const r = life.runnable(v, overlays);
    const s = new Shadow(
      { service: this.d.service, journal: this.d.journal, live: this.d.engine },
      { livePolicyChanged: (x) => this.livePolicyChanged(x), failed: (x, message) => this.failed(x, message) },
      n,
      Date.now(),
      resuming?.startedBy ?? actor,
      {
        name: v.name,
        sources: v.sources,
        modelText: v.modelHash === null ? null : (this.d.lifecycle.backtestInput(n).modelText ?? null),
        overlays,
        policy: r.policy.name,
        adapter: this.d.adapter,
      },
      runnableKey(n, overlays),
    );
    const startSeq = s.open();
    let run: number;
    try {
      run = this.store().createRun({ version: n, policy: r.policy.name, startedAt: s.startedAt, startedBy: s.startedBy, startSeq, resumedFrom: resuming?.run });
      this.d.audit.append({
        actor,
        action: 'policy.shadow.start',
        target: target(n),
        before: { state: v.state, shadowing: false },
        after: {
          run, state: 'warming', policy: r.policy.name, live: live.version, livePolicy: this.d.engine.currentPolicy.name, journalSeq: startSeq,
          ...(resuming === undefined ? {} : { resumedFrom: resuming.run }),
        },
      });
    } catch (e) {
      void s.stop(Date.now(), actor, 'could not start');
      throw e;
    }
    s.resumedFrom = resuming?.run ?? null;
    s.warm(run);
    this.active.set(n, s);
    return { status: 202, body: s.view(null) };
  }

  /** `DELETE /v1/policies/{n}/shadow`: stops it; its records stay readable. */
  async stop(n: number, actor: string): Promise<Outcome<ShadowStatus>> {
    this.d.lifecycle.state.mustVersion(n);
    this.refreshAll();
    if (!this.active.has(n)) throw new ConflictError(`version ${n} is not shadowing`);
    return { status: 200, body: await this.end(n, actor, 'stopped by request') };
  }

  /** `GET /v1/policies/{n}/shadow`: the running shadow, or the last run. */
  async status(n: number): Promise<ShadowStatus> {
    this.d.lifecycle.state.mustVersion(n);
    this.refreshAll();
    const s = this.active.get(n);
    if (s !== undefined) return s.status();
    const ending = this.ending.get(n);
    if (ending !== undefined) await ending.catch(() => undefined);
    return statusOf(this.lastRun(n));
  }

  /** `GET /v1/policies/{n}/shadow/decisions`: recorded comparisons of the latest run (or `run`), newest first. */
  decisions(n: number, page: ShadowPage & { run?: number }): { version: number; run: number; decisions: ShadowRecord[]; next: number | null } {
    this.d.lifecycle.state.mustVersion(n);
    const info = page.run === undefined ? this.lastRun(n) : this.hasStore() ? this.store().run(page.run) : undefined;
    if (info === undefined || info.version !== n) throw new NotFoundError(page.run === undefined ? `version ${n} was never shadowed` : `version ${n} has no shadow run ${page.run}`);
    const limit = page.limit ?? 100;
    const decisions = this.store().decisions(info.run, page);
    const last = decisions.at(-1);
    return { version: n, run: info.run, decisions, next: decisions.length === limit && last !== undefined ? last.seq : null };
  }

  /** Shutdown: every shadow stops (audited), marked for the next start to resume; the store closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const interrupted = [...this.active.values()].map((s) => s.run);
    await Promise.all([...this.active.keys()].map((n) => this.end(n, 'system', SHUTTING_DOWN).catch(() => undefined)));
    await Promise.all([...this.ending.values()].map((p) => p.catch(() => undefined)));
    for (const run of interrupted) {
      try {
        this.store().markResume(run, true);
      } catch (e) {
        process.stderr.write(`fengkong serve: shadow run ${run} will not resume at the next start: ${(e as Error).message}\n`);
      }
    }
    this.storeNow?.close();
    this.storeNow = null;
  }

  private hasStore(): boolean {
    return this.storeNow !== null || this.d.storeExists();
  }

  private lastRun(n: number): ShadowRunInfo {
    const info = this.hasStore() ? this.store().latestRun(n) : undefined;
    if (info === undefined) throw new NotFoundError(`version ${n} was never shadowed`);
    return info;
  }

  /** Stops shadow `n`: its worker records the end with the final totals; the stop is audited. */
  private end(n: number, actor: string, reason: string): Promise<ShadowStatus> {
    const s = this.active.get(n)!;
    const was = s.state;
    this.active.delete(n);
    const at = Date.now();
    const done = (async () => {
      let totals = await s.stop(at, actor, reason);
      if (totals === null) {
        // the worker could not record it: the last totals it reported stay the run's
        totals = s.last?.totals ?? null;
        this.store().stopRun(s.run, at, actor, reason, totals);
      }
      const t: ShadowTotals = totals ?? new ShadowTally().view();
      this.d.audit.append({
        actor,
        action: 'policy.shadow.stop',
        target: target(n),
        before: { run: s.run, state: was, transactions: t.transactions, changed: t.changed, agreementRate: t.agreementRate },
        after: { state: 'stopped', reason },
      });
      return s.view(s.last, { at, by: actor, reason, totals });
    })();
    this.ending.set(n, done);
    done
      .catch((e: unknown) => process.stderr.write(`fengkong serve: cannot record the end of shadow run ${s.run}: ${(e as Error).message}\n`))
      .finally(() => {
        if (this.ending.get(n) === done) this.ending.delete(n);
      });
    return done;
  }

  /** Notices publications that warmed first (an engine swap the lifecycle did not report). */
  private refreshAll(): void {
    for (const s of [...this.active.values()]) s.checkLive();
  }

  /** The live policy changed: stop a shadow that is now live; follow incident modes switched. */
  private livePolicyChanged(s: Shadow): void {
    const life = this.d.lifecycle.state;
    const pub = life.livePublication();
    if (pub.version === s.version) {
      if (this.active.get(s.version) === s) void this.end(s.version, pub.actor, 'the version was published');
      return;
    }
    const overlays = life.overlays();
    const key = runnableKey(s.version, overlays);
    if (key !== s.key) s.setOverlays(overlays, key);
  }

  private failed(s: Shadow, message: string): void {
    if (this.active.get(s.version) !== s) return;
    process.stderr.write(`fengkong serve: the shadow of version ${s.version} stopped: ${message}\n`);
    void this.end(s.version, 'system', message);
  }
}

/** The status of a run that is over, from the store. */
function statusOf(r: ShadowRunInfo): ShadowStatus {
  return {
    version: r.version,
    run: r.run,
    state: 'stopped',
    policy: r.policy,
    startedAt: r.startedAt,
    startedBy: r.startedBy,
    since: r.runningSince,
    startSeq: r.startSeq,
    stoppedAt: r.stoppedAt,
    stoppedBy: r.stoppedBy,
    stopReason: r.stopReason,
    warmup: null,
    lag: null,
    overlayProblem: null,
    resumedFrom: r.resumedFrom,
    ...(r.summary ?? new ShadowTally().view()),
    actions: r.summary?.actions ?? [], // summaries kept before shadows counted actions have none
  };
}
