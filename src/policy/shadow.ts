/**
 * One shadow, the server's side: a version that is not live decides every payment again beside the
 * live one, off the answer path, in a worker thread of its own (shadow-runner.ts), so the only work
 * the shadow puts on the server's event loop is taking note of each event and handing batches over.
 *
 * Start: it subscribes to DecisionService.onCommitted (every event once durable — a payment once its
 * answer left — in seq order, with the live decision) and notes the journal's last seq; the worker
 * warms its engine with Warmup over the journal up to that seq (its windows see the history from
 * before the start), then takes the events forwarded since. Warmup is fed these committed events,
 * not the applied-events observer a publication warms through (DecisionService.observe, one at a
 * time), so shadows and a publication warm side by side and never refuse each other.
 *
 * Running: each committed event is queued (one push on the answer path), and every setImmediate
 * turn posts the queue to the worker in one message — payments with the account restrictions and
 * merchant controls live has then (operator actions, no journal events) — where it is one store
 * transaction. Status and stop are questions to the worker, answered in order after every batch
 * posted before them.
 */
import { Worker } from 'node:worker_threads';
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import type { Decision } from '../engine/decision.js';
import type { Engine } from '../engine/engine.js';
import type { AdapterRef } from '../io/adapter-ref.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { CommitListener } from '../log/feed.js';
import type { Journal } from '../log/journal.js';
import type { ShadowCommand, ShadowReply, ShadowWorkerData, WireControl, WireEvent, WorkerStatus } from './shadow-messages.js';
import { ShadowTally, type ShadowTotals } from './shadow-tally.js';
import type { ShadowState } from './shadow-types.js';
import type { Overlay } from './compiled.js';
import type { WarmProgress } from './warm.js';

/** Events forwarded and not yet applied beyond this mean the shadow cannot keep up: it stops. */
export const MAX_BACKLOG = 500_000;
/** How long a status or stop waits for the worker. */
const ASK_TIMEOUT_MS = 10_000;

/** What a shadow needs from the running server. */
export interface ShadowDeps {
  /** Committed events with their live decisions (the DecisionService). */
  readonly service: {
    onCommitted(fn: CommitListener): () => void;
    readonly appliedSeq: number;
  };
  readonly journal: Journal;
  /** The live engine: its account restrictions and merchant controls are forwarded with each payment. */
  readonly live: Engine;
}

/** What the owner of shadows hears from one. */
export interface ShadowHooks {
  /** The live engine's policy object changed (publication, rollback, mode switch); checked before each batch. */
  livePolicyChanged(s: Shadow): void;
  /** The shadow cannot go on (its worker failed, it fell too far behind). */
  failed(s: Shadow, message: string): void;
}

/** A shadow's status, for the API. */
export interface ShadowStatus extends ShadowTotals {
  readonly version: number;
  readonly run: number;
  readonly state: ShadowState;
  /** The policy the shadow decides as (`v7`, `v7+incident:…` with incident modes on). */
  readonly policy: string;
  readonly startedAt: number;
  readonly startedBy: string;
  /** When comparisons began (the warm-up ended); null while warming. */
  readonly since: number | null;
  /** Journal seq the warm-up replayed to; comparisons start once the warm-up caught up after it. */
  readonly startSeq: number;
  readonly stoppedAt: number | null;
  readonly stoppedBy: string | null;
  readonly stopReason: string | null;
  /** Progress while warming (`liveSeq`: the live engine's seq now). */
  readonly warmup: (WarmProgress & { readonly liveSeq: number }) | null;
  /** While running: events the live engine applied that the shadow has not (yet). */
  readonly lag: { readonly events: number; readonly shadowSeq: number; readonly liveSeq: number } | null;
  /** Why the incident modes on are not in the shadow's policy, when they do not compile with it. */
  readonly overlayProblem: string | null;
  /** The run a restart interrupted and this one resumed (its records and totals stay readable); null when started by request. */
  readonly resumedFrom: number | null;
}

/** How the worker is started: its entry (tests may swap it) and what it is given. */
export interface ShadowSpec {
  readonly name: string;
  readonly sources: ShadowWorkerData['sources'];
  readonly modelText: string | null;
  readonly overlays: readonly Overlay[];
  /** The policy name with those overlays (what the shadow decides as). */
  readonly policy: string;
  /** What the worker opens the data folder with. */
  readonly adapter: AdapterRef;
}

/** One shadow run of one version, seen from the server. */
export class Shadow {
  private stateNow: ShadowState = 'warming';
  /** The overlays the shadow's policy was compiled with (a runnableKey). */
  key: string;
  run = 0;
  /** The interrupted run this one resumes, if a restart started it. */
  resumedFrom: number | null = null;
  private worker: Worker | null = null;
  private unsubscribe: (() => void) | null = null;
  private base = 0;
  /** Committed events not yet handed over; the event object only for the flush's account lookup. */
  private queue: WireEvent[] = [];
  private queuedEvents: FkEvent[] = [];
  private scheduled = false;
  private posted = 0;
  private acked = 0;
  private seenLive: CompiledPolicy;
  private lastStatus: WorkerStatus | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (m: ShadowReply | null) => void>();

  constructor(
    private readonly d: ShadowDeps,
    private readonly hooks: ShadowHooks,
    readonly version: number,
    readonly startedAt: number,
    readonly startedBy: string,
    private readonly spec: ShadowSpec,
    key: string,
  ) {
    this.key = key;
    this.seenLive = d.live.currentPolicy;
  }

  get state(): ShadowState {
    return this.stateNow;
  }

  /** Subscribes to committed events and notes where the journal is; returns that seq (the replay's end). */
  open(): number {
    this.unsubscribe = this.d.service.onCommitted(this.onCommitted);
    // read after subscribing: every event committed later than this read is told to us
    this.base = this.d.journal.lastSeq();
    this.posted = this.base;
    this.acked = this.base;
    return this.base;
  }

  /** Starts the worker as run `run`: it warms, then compares. */
  warm(run: number): void {
    this.run = run;
    const data: ShadowWorkerData = {
      adapter: this.spec.adapter,
      run,
      version: this.version,
      name: this.spec.name,
      sources: this.spec.sources,
      overlays: this.spec.overlays,
      modelText: this.spec.modelText,
      base: this.base,
    };
    const w = new Worker(new URL('./shadow-worker.js', import.meta.url), { workerData: data });
    this.worker = w;
    w.on('message', (m: ShadowReply) => this.reply(m));
    w.on('error', (e) => this.hooks.failed(this, `its worker failed: ${e.message}`));
    w.on('exit', (code) => {
      this.worker = null;
      for (const [, resolve] of this.waiting) resolve(null);
      this.waiting.clear();
      if (this.stateNow !== 'stopped') this.hooks.failed(this, `its worker exited (${code})`);
    });
  }

  /** On the answer path: take note, nothing else. */
  private readonly onCommitted = (seq: number, event: FkEvent, _decision: Decision | null, eventJson: string, decisionJson: string | null): void => {
    if (seq <= this.base) return;
    this.queue.push([seq, eventJson, decisionJson, null, null]);
    this.queuedEvents.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  /** Hands the queue to the worker in one message, with live's operator state for each payment. */
  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.stateNow === 'stopped') return;
    this.checkLive();
    const q = this.queue;
    const events = this.queuedEvents;
    if (q.length === 0 || this.worker === null) return;
    this.queue = [];
    this.queuedEvents = [];
    const live = this.d.live;
    const controls = live.merchantRisk.controls;
    for (let i = 0; i < q.length; i++) {
      const e = events[i];
      if (e.type !== 'transaction') continue;
      q[i][3] = live.account(e.accountId)?.restriction ?? null;
      if (controls.any) q[i][4] = controlOf(live, e);
    }
    this.posted = q[q.length - 1][0];
    this.send({ kind: 'events', events: q });
    if (this.posted - this.acked > MAX_BACKLOG) this.hooks.failed(this, `fell ${this.posted - this.acked} events behind live traffic`);
  };

  private send(m: ShadowCommand): void {
    this.worker?.postMessage(m);
  }

  private reply(m: ShadowReply): void {
    switch (m.kind) {
      case 'applied':
        this.acked = m.seq;
        if (this.stateNow === 'warming') this.stateNow = 'running';
        return;
      case 'failed':
        this.hooks.failed(this, m.message);
        return;
      case 'status':
      case 'stopped': {
        const resolve = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        resolve?.(m);
        return;
      }
    }
  }

  /** Asks the worker (after every batch posted before); null when it is gone or does not answer. */
  private ask(m: ShadowCommand & { id: number }): Promise<ShadowReply | null> {
    if (this.worker === null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(m.id);
        resolve(null);
      }, ASK_TIMEOUT_MS);
      this.waiting.set(m.id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.send(m);
    });
  }

  /** Tells the hooks when the live engine's policy changed since last seen (a pointer compare). */
  checkLive(): void {
    if (this.stateNow === 'stopped' || this.d.live.currentPolicy === this.seenLive) return;
    this.seenLive = this.d.live.currentPolicy;
    this.hooks.livePolicyChanged(this);
  }

  /** Incident modes switched: the worker compiles the version with `overlays` (same windows). */
  setOverlays(overlays: readonly Overlay[], key: string): void {
    this.key = key;
    this.send({ kind: 'policy', overlays });
  }

  /**
   * Stops: no more events (what is queued is handed over first), the worker records the end with
   * the final totals and exits. Resolves to those totals; null when the worker could not record
   * them (the caller records the end then).
   */
  async stop(at: number, by: string, reason: string): Promise<ShadowTotals | null> {
    if (this.stateNow === 'stopped') return null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.flush();
    this.stateNow = 'stopped';
    const r = await this.ask({ kind: 'stop', id: this.nextId++, at, by, reason });
    await this.worker?.terminate();
    return r !== null && r.kind === 'stopped' ? r.totals : null;
  }

  /** Status for the API: asked of the worker (so it counts every event committed before the call). */
  async status(): Promise<ShadowStatus> {
    const r = this.stateNow === 'stopped' ? null : await this.ask({ kind: 'status', id: this.nextId++ });
    if (r !== null && r.kind === 'status') {
      this.lastStatus = r.status;
      if (this.stateNow === 'warming' && r.status.state === 'running') this.stateNow = 'running';
    }
    return this.view(this.lastStatus);
  }

  /** The status from what the worker last said. */
  view(w: WorkerStatus | null, stopped: { at: number; by: string; reason: string; totals: ShadowTotals | null } | null = null): ShadowStatus {
    const liveSeq = this.d.service.appliedSeq;
    const running = stopped === null && w?.state === 'running';
    return {
      version: this.version,
      run: this.run,
      state: stopped !== null ? 'stopped' : running ? 'running' : 'warming',
      policy: w?.policy ?? this.spec.policy,
      startedAt: this.startedAt,
      startedBy: this.startedBy,
      since: w?.since ?? null,
      startSeq: this.base,
      stoppedAt: stopped?.at ?? null,
      stoppedBy: stopped?.by ?? null,
      stopReason: stopped?.reason ?? null,
      warmup: stopped === null && w?.warmup ? { ...w.warmup, liveSeq } : null,
      lag: running ? { events: Math.max(0, liveSeq - w!.applied), shadowSeq: w!.applied, liveSeq } : null,
      overlayProblem: w?.overlayProblem ?? null,
      resumedFrom: this.resumedFrom,
      ...(stopped?.totals ?? w?.totals ?? new ShadowTally().view()),
    };
  }

  /** The last status the worker gave (for a stop whose worker did not answer). */
  get last(): WorkerStatus | null {
    return this.lastStatus;
  }
}

/** Live's merchant controls touching payment `tx`, or null when none does. */
function controlOf(live: Engine, tx: TransactionEvent): WireControl | null {
  const risk = live.merchantRisk;
  const suspended = risk.controls.isSuspended(tx.terminalId, tx.t);
  const held = risk.heldMerchantOf(tx, live.reference.terminals.get(tx.terminalId)?.merchantId);
  return suspended || held !== null ? { suspended, held } : null;
}
