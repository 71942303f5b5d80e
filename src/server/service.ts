/**
 * The server's core, without HTTP: decide a validated payment exactly once per id, apply other
 * events, and hand every answer back only after the journal made it durable. Idempotency looks at
 * the batch still on its way to disk first, then at the journal, so the same id is never applied
 * twice, not even when both requests arrive in the same tick.
 */
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import type { Decision } from '../engine/decision.js';
import type { Engine } from '../engine/engine.js';
import type { Outcome } from '../rules/policy-types.js';
import type { CommitFeed, CommitListener, EventIntake } from '../log/feed.js';
import type { Journal } from '../log/journal.js';
import { ApiError } from './errors.js';
import type { Batch, GroupCommit } from './group-commit.js';
import type { ServerMetrics } from './metrics.js';
import type { SeenIds } from './seen-ids.js';

/** The answer to a decision request: JSON text, and whether it is the replay of a known id. */
export type DecisionCallback = (err: ApiError | null, body: string, replayed: boolean) => void;

/** The answer to an events request: how many events were applied and journaled. */
export type EventsCallback = (err: ApiError | null, accepted: number) => void;

/** The shape of a decision answer: the contract's decision plus policy, journal seq and timing. */
export interface DecisionAnswer {
  readonly txId: string;
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { readonly code: string }[];
  /** The policy that decided. */
  readonly policy: string;
  /** Journal sequence number of this transaction. */
  readonly seq: number;
  /** Microseconds from the request's arrival (headers parsed) to the decision; journal wait excluded. */
  readonly latencyUs: number;
}

interface Pending {
  readonly body: string;
  readonly batch: Batch;
  /** The payment as journaled (JSON text), so a retry with another body is refused. */
  readonly event: string;
}

function journalError(err: Error): ApiError {
  return new ApiError('journal_unavailable', `the journal could not store this; nothing was answered: ${err.message}`, {
    cause: err,
  });
}

/**
 * A transaction id reused with another payment: refused, as Stripe refuses an idempotency key reused
 * with other parameters — silently answering the first payment's decision for a different payment
 * would approve what was never decided. The message names the fields that differ.
 */
function idempotencyConflict(txId: string, first: string, now: string): ApiError {
  const a = JSON.parse(first) as Record<string, unknown>;
  const b = JSON.parse(now) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => k !== 't' && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();
  return new ApiError(
    'idempotency_conflict',
    `transaction ${JSON.stringify(txId)} was already decided with another body (differs in ${fields.join(', ') || 'its fields'}); ` +
      'a retry must send the same payment, and a new payment needs a new id',
    { path: fields[0] ?? 'id', details: { txId, fields } },
  );
}

/** Decides, applies and journals; one instance per server. */
export class DecisionService implements CommitFeed, EventIntake {
  private readonly pending = new Map<string, Pending>();
  /** Sees every event applied, with its seq (see observe); null when nobody watches. */
  private observer: ((seq: number, e: FkEvent, answered?: Outcome) => void) | null = null;
  /** Told about every event after it committed (see onCommitted). */
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly journal: Journal,
    private readonly commit: GroupCommit,
    private readonly metrics: ServerMetrics,
    /** Every transaction id journaled before this server started (filled by recovery). */
    private readonly seen: SeenIds,
  ) {}

  /**
   * Decides `tx` unless its id is known (then the stored answer is replayed, nothing applied);
   * `startedAt` (performance.now()) is when its request arrived.
   */
  decide(tx: TransactionEvent, startedAt: number, cb: DecisionCallback): void {
    const eventJson = JSON.stringify(tx);
    const p = this.pending.get(tx.id);
    if (p !== undefined) {
      if (p.event !== eventJson) return cb(idempotencyConflict(tx.id, p.event, eventJson), '', false);
      this.commit.whenCommitted(p.batch, (err) => (err === null ? cb(null, p.body, true) : cb(journalError(err), '', false)));
      return;
    }
    if (this.seen.mightContain(tx.id)) {
      const stored = this.journal.decision(tx.id);
      if (stored !== undefined) {
        if (stored.event !== eventJson) return cb(idempotencyConflict(tx.id, stored.event, eventJson), '', false);
        cb(null, stored.decision, true);
        return;
      }
    }
    const failed = this.commit.failed;
    if (failed !== null) {
      cb(journalError(failed), '', false);
      return;
    }
    const d = this.engine.decide(tx);
    const answer: DecisionAnswer = {
      txId: d.txId,
      outcome: d.outcome,
      score: d.score,
      reasons: d.reasons,
      policy: d.policy,
      seq: this.commit.lastSeq + 1,
      latencyUs: Math.round((performance.now() - startedAt) * 1000),
    };
    const body = JSON.stringify(answer);
    const batch = this.commit.add('transaction', tx.id, eventJson, body);
    if (this.observer !== null) this.observer(answer.seq, tx, d.outcome);
    this.pending.set(tx.id, { body, batch, event: eventJson });
    this.seen.add(tx.id);
    this.metrics.decision(d, answer.latencyUs, Date.now());
    this.commit.whenCommitted(batch, (err) => {
      this.pending.delete(tx.id);
      if (err === null) {
        cb(null, body, false);
        if (this.listeners.length > 0) this.tell(answer.seq, tx, d, eventJson, body);
      } else cb(journalError(err), '', false);
    });
  }

  /** Applies already-validated non-transaction events in order, journaled as part of one batch. */
  accept(events: readonly FkEvent[], cb: EventsCallback): void {
    const failed = this.commit.failed;
    if (failed !== null) {
      cb(journalError(failed), 0);
      return;
    }
    let batch: Batch | null = null;
    const texts: string[] = [];
    for (const e of events) {
      this.engine.apply(e);
      const text = JSON.stringify(e);
      texts.push(text);
      batch = this.commit.add(e.type, null, text, null);
      if (this.observer !== null) this.observer(this.commit.lastSeq, e);
    }
    if (batch === null) {
      cb(null, 0);
      return;
    }
    const lastSeq = this.commit.lastSeq;
    this.commit.whenCommitted(batch, (err) => {
      if (err !== null) return cb(journalError(err), 0);
      cb(null, events.length);
      if (this.listeners.length > 0) {
        for (let i = 0; i < events.length; i++) this.tell(lastSeq - events.length + 1 + i, events[i], null, texts[i], null);
      }
    });
  }

  /**
   * Calls `fn` with every event from now on once it is durable (a transaction once answered), in
   * seq order; the returned function stops it. Off the decision path: `fn` should queue, not work
   * (the cases feed batches in setImmediate). A throwing listener is reported and ignored.
   */
  onCommitted(fn: CommitListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private tell(seq: number, e: FkEvent, d: Decision | null, eventJson: string, decisionJson: string | null): void {
    for (const fn of this.listeners) {
      try {
        fn(seq, e, d, eventJson, decisionJson);
      } catch (err) {
        process.stderr.write(`fengkong serve: a commit listener failed: ${(err as Error).stack ?? err}\n`);
      }
    }
  }

  /** The answered decision of `txId` (waiting for its commit if it is on its way), or null. */
  find(txId: string, cb: (err: ApiError | null, body: string | null) => void): void {
    const p = this.pending.get(txId);
    if (p !== undefined) {
      this.commit.whenCommitted(p.batch, (err) => (err === null ? cb(null, p.body) : cb(journalError(err), null)));
      return;
    }
    cb(null, this.journal.decision(txId)?.decision ?? null);
  }

  /** Decisions decided and not yet durable. */
  get pendingDecisions(): number {
    return this.pending.size;
  }

  /** Entries applied and not yet durable (the group commit's backlog): how far the disk is behind. */
  get journalPending(): number {
    return this.commit.pendingEntries;
  }

  /** Journal seq of the last event the engine applied, durable or not: the engine's place in the journal. */
  get appliedSeq(): number {
    return this.commit.lastSeq;
  }

  /** The journal's failure once it failed (nothing is applied after it); null while healthy. */
  get journalFailure(): Error | null {
    return this.commit.failed;
  }

  /**
   * Calls `fn` with every event the engine applies from now on and its journal seq, in order and in
   * the same tick, until the returned function is called. A policy version warming a second engine
   * by replay (policy/warm.ts) catches up with live traffic through it, so that engine ends up
   * having applied exactly what this one did, each payment with the outcome it was answered. One observer at a time.
   */
  observe(fn: (seq: number, e: FkEvent, answered?: Outcome) => void): () => void {
    if (this.observer !== null) throw new Error('DecisionService.observe: an observer is already attached');
    this.observer = fn;
    return () => {
      if (this.observer === fn) this.observer = null;
    };
  }
}
