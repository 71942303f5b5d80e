/**
 * The worker side of a shadow (run by shadow-worker.ts in its own thread): a second engine running
 * the shadowed version, warmed with Warmup over the journal (its own read-only connection) up to the
 * seq the server noted at the start, then fed the committed events the server forwards — in order,
 * seqs it already applied skipped. Once caught up, each payment is decided again and recorded with
 * live's decision, one store transaction per forwarded batch, and counted in the running totals.
 *
 * What live knows beyond the journal comes along: the lists are the data folder's (reloaded when
 * their version changes, as the server's are), and each payment carries the account restrictions
 * and merchant controls live had when it was forwarded (operator actions are no journal events).
 */
import { AccountRestriction } from '../features/account-restriction.js';
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import { parseEventText } from '../contract/parse.js';
import type { Decision } from '../engine/decision.js';
import { Engine } from '../engine/engine.js';
import { PolicyCompileError, StoreError } from '../errors.js';
import { ListSet } from '../lists/list-set.js';
import { modelFromText } from '../model/model-file.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import { replayEntry } from '../log/recovery.js';
import type { Journal } from '../log/journal.js';
import { checkModelFits, compileVersion, type Overlay } from './compiled.js';
import type { ShadowCommand, ShadowReply, ShadowWorkerData, WireControl, WireEvent, WireRestriction, WorkerStatus } from './shadow-messages.js';
import type { ShadowRecord, ShadowSource, ShadowStore } from './shadow-types.js';
import { ShadowTally } from './shadow-tally.js';
import { Warmup, type LiveFeed } from './warm.js';

/** How long records wait to be written together: one transaction per batch of this span. */
export const WRITE_EVERY_MS = 50;
/** How often the running totals are saved with a batch. */
const SAVE_EVERY_MS = 5_000;
/** How often the list version is checked (a reload when it changed). */
const LISTS_EVERY_MS = 20;
/** How often the worker tells the server how far it got. */
const ACK_EVERY_MS = 1_000;
/** The control id the shadow marks live's controls with (real ones are positive). */
const LIVE_CONTROL = -1;

/** One shadow run inside its worker. */
export class ShadowRunner {
  private state: 'warming' | 'running' | 'stopped' = 'warming';
  private readonly journal: Journal;
  private readonly store: ShadowStore<'sync'>;
  private readonly lists: ShadowSource['lists'];
  /** The lists this shadow's engine reads, kept in step with the store's (see syncLists). */
  private readonly engineLists = new ListSet();
  private listsVersion: number;
  private listsChecked = 0;
  private readonly engine: Engine;
  private readonly model: GbdtModel | null;
  private policyName: string;
  private overlayProblem: string | null = null;
  private readonly tally = new ShadowTally();
  private warmup: Warmup | null;
  private warmFn: ((seq: number, e: FkEvent) => void) | null = null;
  private told: number;
  private applied = 0;
  private firstSeq = 0;
  private since: number | null = null;
  private lastSaved = Date.now();
  private lastAck = 0;
  private closed = false;
  /** Records decided and not yet written. */
  private rows: ShadowRecord[] = [];
  private writeTimer: NodeJS.Timeout | null = null;

  /** Compiles the version and warms from `source` (opened by the worker; closed by `close`). */
  constructor(
    private readonly data: ShadowWorkerData,
    private readonly source: ShadowSource,
    private readonly post: (m: ShadowReply) => void,
  ) {
    this.model = data.modelText === null ? null : modelFromText(data.modelText);
    const policy = this.compile(data.overlays);
    this.policyName = policy.name;
    this.journal = source.journal;
    this.store = source.shadows;
    this.lists = source.lists;
    this.listsVersion = this.lists.version();
    this.lists.loadInto(this.engineLists);
    this.engine = new Engine(policy, { model: this.model ?? undefined, lists: this.engineLists });
    this.told = data.base;
    const self = this;
    const feed: LiveFeed = {
      get appliedSeq() {
        return self.told;
      },
      journalFailure: null,
      observe(fn) {
        self.warmFn = fn;
        return () => {
          if (self.warmFn === fn) self.warmFn = null;
        };
      },
    };
    // a thread of its own: longer slices than on the server's event loop
    this.warmup = new Warmup(this.journal, feed, this.engine, { sliceMs: 20 });
  }

  /** Warms, then runs; a failure is posted. */
  start(): void {
    this.warmup!.run(() => this.ready()).catch((e: unknown) => {
      if (this.state !== 'stopped') this.fail(`warming failed: ${(e as Error).message}`);
    });
  }

  /** In the tick the warm-up has applied every event forwarded so far: comparisons start. */
  private ready(): void {
    this.warmup = null;
    this.applied = this.told;
    this.firstSeq = this.applied + 1;
    this.state = 'running';
    this.since = Date.now();
    this.store.markRunning(this.data.run, this.since, this.policyName);
  }

  private compile(overlays: readonly Overlay[]) {
    const policy = compileVersion({ name: this.data.name, sources: this.data.sources }, overlays);
    checkModelFits(this.model, policy);
    return policy;
  }

  /** A message from the server. */
  handle(m: ShadowCommand): void {
    if (this.state === 'stopped' && m.kind !== 'stop') return;
    try {
      switch (m.kind) {
        case 'events':
          return this.events(m.events);
        case 'policy':
          return this.setOverlays(m.overlays);
        case 'status':
          this.write();
          return this.post({ kind: 'status', id: m.id, status: this.status() });
        case 'stop':
          return this.stop(m.id, m.at, m.by, m.reason);
      }
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private events(events: readonly WireEvent[]): void {
    if (this.state === 'warming') {
      for (const ev of events) {
        if (ev[0] <= this.told) continue;
        this.told = ev[0];
        this.warmFn?.(ev[0], parseEventText(ev[1]));
      }
      return;
    }
    this.syncLists();
    for (let i = 0; i < events.length; i++) this.process(events[i]);
    if (this.rows.length > 0 && this.writeTimer === null) this.writeTimer = setTimeout(this.write, WRITE_EVERY_MS);
    const now = Date.now();
    if (now - this.lastAck >= ACK_EVERY_MS) {
      this.lastAck = now;
      this.post({ kind: 'applied', seq: this.applied });
    }
  }

  private process(ev: WireEvent): void {
    const [seq, eventJson, decisionJson, restriction, control] = ev;
    this.told = Math.max(this.told, seq);
    if (seq <= this.applied) return;
    // the journal's own text: valid by construction, parsed here on the worker's core
    const e = parseEventText(eventJson);
    const decision = decisionJson === null ? null : (JSON.parse(decisionJson) as Decision);
    if (seq !== this.applied + 1) this.fill(seq - 1);
    if (e.type === 'transaction') {
      this.restrict(e.accountId, restriction);
      if (control !== null) this.control(e, control, true);
      const s = this.engine.decide(e);
      if (control !== null) this.control(e, control, false);
      if (decision !== null) this.record(seq, e, decision, s);
    } else {
      this.engine.apply(e);
      if (e.type === 'label' && e.txId !== undefined) this.label(e.txId, e.fraud);
    }
    this.applied = seq;
  }

  /** Applies journal entries that were not forwarded (never expected: the feed is gapless), uncompared. */
  private fill(to: number): void {
    this.journal.forEachEventInRange({ fromSeq: this.applied + 1, toSeq: to }, (entry) => {
      replayEntry(this.engine, entry, this.applied, null); // a shadow's state follows its own decisions
      this.applied = entry.seq;
      return true;
    });
    if (this.applied !== to) throw new StoreError(`shadow lost its place: at ${this.applied}, expected ${to}`);
  }

  /** The account's restrictions as live had them. */
  private restrict(accountId: string, r: WireRestriction | null): void {
    if (r === null) {
      // nothing to lift on an account without restrictions (and none to remember)
      if ((this.engine.account(accountId)?.restriction ?? null) === null) return;
      this.engine.applyInput({ kind: 'restrict_account', accountId, restriction: null });
      return;
    }
    this.engine.applyInput({ kind: 'restrict_account', accountId, restriction: Object.assign(new AccountRestriction(), r) });
  }

  /** Live's merchant controls for this payment, put in place (`on`) and taken away after it. */
  private control(tx: TransactionEvent, c: WireControl, on: boolean): void {
    const e = this.engine;
    const control = { id: LIVE_CONTROL, expiresAt: Infinity };
    if (c.suspended) {
      if (on) e.applyInput({ kind: 'suspend_terminal', terminalId: tx.terminalId, control });
      else e.applyInput({ kind: 'release_terminal', terminalId: tx.terminalId, id: LIVE_CONTROL });
    }
    if (c.held !== null) {
      if (on) e.applyInput({ kind: 'hold_settlement', merchantId: c.held, control });
      else e.applyInput({ kind: 'release_settlement', merchantId: c.held, id: LIVE_CONTROL });
    }
  }

  private record(seq: number, tx: TransactionEvent, live: Decision, shadow: Decision): void {
    const liveReasons = live.reasons.map((r) => r.code);
    const shadowReasons = shadow.reasons.map((r) => r.code);
    this.tally.add(live.policy, tx.amount, live.outcome, liveReasons, shadow.outcome, shadowReasons, shadow.actions);
    this.rows.push({
      seq,
      txId: tx.id,
      t: tx.t,
      amount: tx.amount,
      live: { policy: live.policy, outcome: live.outcome, score: live.score, reasons: liveReasons },
      shadow: { outcome: shadow.outcome, score: shadow.score, reasons: shadowReasons },
      changed: live.outcome !== shadow.outcome,
      label: null,
    });
  }

  /**
   * Writes the records decided since the last write in one transaction (with the totals every few
   * seconds). Records are derived data: written in batches of WRITE_EVERY_MS rather than one
   * transaction per forwarded batch, as each commit's WAL writes cost more than its rows.
   */
  private readonly write = (): void => {
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    const rows = this.rows;
    const now = Date.now();
    const save = now - this.lastSaved >= SAVE_EVERY_MS;
    if (rows.length === 0 && !save) return;
    this.rows = [];
    try {
      this.store.batch(this.data.run, this.data.version, rows, save ? this.tally.view() : null);
      if (save) this.lastSaved = now;
    } catch (e) {
      this.fail(`cannot record the shadow's decisions: ${(e as Error).message}`);
    }
  };

  /** A label naming a payment this run compared: recorded on its row and in the totals. */
  private label(txId: string, fraud: boolean): void {
    const stored = this.journal.decision(txId);
    if (stored === undefined || stored.seq < this.firstSeq) return;
    if (this.rows.length > 0) this.write();
    const row = this.store.label(this.data.run, stored.seq, fraud);
    if (row !== undefined) this.tally.label(txId, fraud, row);
  }

  /** Reloads the lists when the data folder's changed (as the server's own lists do), checked every LISTS_EVERY_MS. */
  private syncLists(): void {
    const now = performance.now();
    if (now - this.listsChecked < LISTS_EVERY_MS) return;
    this.listsChecked = now;
    const v = this.lists.version();
    if (v === this.listsVersion) return;
    const fresh = new ListSet();
    this.lists.loadInto(fresh);
    this.engineLists.replaceWith(fresh);
    this.listsVersion = v;
  }

  /** Incident modes switched on the server: decide as the version would if published now. */
  private setOverlays(overlays: readonly Overlay[]): void {
    let policy;
    try {
      policy = this.compile(overlays);
    } catch (e) {
      const message = e instanceof PolicyCompileError ? e.message : (e as Error).message;
      this.overlayProblem = `the incident modes on do not compile with version ${this.data.version}: ${message}`;
      return;
    }
    this.overlayProblem = null;
    this.engine.replacePolicy(policy, this.model);
    this.policyName = policy.name;
  }

  private status(): WorkerStatus {
    const w = this.warmup;
    return {
      state: this.state === 'running' ? 'running' : 'warming',
      policy: this.policyName,
      since: this.since,
      applied: this.state === 'running' ? this.applied : (w?.progress().seq ?? 0),
      warmup: this.state === 'warming' && w !== null ? w.progress() : null,
      overlayProblem: this.overlayProblem,
      totals: this.tally.view(),
    };
  }

  private stop(id: number, at: number, by: string, reason: string): void {
    this.write();
    const totals = this.tally.view();
    this.halt();
    let recorded = false;
    try {
      this.store.stopRun(this.data.run, at, by, reason, totals);
      recorded = true;
    } finally {
      this.close();
      this.post({ kind: 'stopped', id, totals: recorded ? totals : null });
    }
  }

  private fail(message: string): void {
    if (this.state === 'stopped') return;
    this.post({ kind: 'failed', message });
    this.halt();
  }

  private halt(): void {
    this.state = 'stopped';
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    this.warmFn = null;
    this.warmup?.cancel('the shadow was stopped');
    this.warmup = null;
  }

  /** Closes the connections (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
  }
}
