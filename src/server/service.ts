/**
 * The server's core, without HTTP: decide a validated payment exactly once per id, apply other
 * events, and hand every answer back only after the journal made it durable. Idempotency looks at
 * the batch still on its way to disk first, then at the journal, so the same id is never applied
 * twice, not even when both requests arrive in the same tick.
 */
import type { AccountActivityEvent, AnsweredOutcome, FkEvent, TransactionEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import type { Decision } from '../engine/decision.js';
import type { Engine } from '../engine/engine.js';
import type { Outcome } from '../rules/policy-types.js';
import { PartitionLostError } from '../errors.js';
import type { CommitFeed, CommitListener, EventIntake } from '../log/feed.js';
import type { StoredDecision } from '../log/journal.js';
import type { DecisionCallback, Decider, EventsCallback } from './decider.js';
import { ApiError } from './errors.js';
import type { Batch, GroupCommit } from './group-commit.js';
import type { ServerMetrics } from './metrics.js';
import type { SeenIds } from './seen-ids.js';

export type { DecisionCallback, EventsCallback } from './decider.js';

/** An account event reversing a payment. */
function isReversal(e: FkEvent): e is AccountActivityEvent {
  return e.type === 'account_event' && e.kind === 'reversal';
}

/**
 * Where the service finds a decision answered before this run: the SQLite journal answers at once; a
 * cluster node (docs/scale-out.md) may have to ask PostgreSQL, and then answers with a promise.
 */
export interface DecisionLookup {
  /** The decision answered for `txId`, if it was ever committed. */
  decision(txId: string): StoredDecision | undefined | Promise<StoredDecision | undefined>;
}

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
  /** What the policy's rules did besides deciding (engine/rule-actions.ts); absent when nothing. */
  readonly actions?: Decision['actions'];
}

interface Pending {
  readonly body: string;
  readonly batch: Batch;
  /** The payment as journaled (JSON text), so a retry with another body is refused. */
  readonly event: string;
}

function journalError(err: Error): ApiError {
  if (err instanceof PartitionLostError) {
    // another node took the partition over: the client's retry (same id) reaches the new owner
    return new ApiError('partition_unavailable', `this node no longer owns the payment's partition; nothing was answered, retry: ${err.message}`, {
      cause: err,
      headers: { 'retry-after': '1' },
    });
  }
  return new ApiError('journal_unavailable', `the journal could not store this; nothing was answered: ${err.message}`, {
    cause: err,
  });
}

function lookupError(err: unknown): ApiError {
  return new ApiError('journal_unavailable', `the earlier decisions could not be searched for this id; nothing was decided, retry: ${(err as Error).message ?? err}`, {
    cause: err,
    headers: { 'retry-after': '1' },
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

/** Decides, applies and journals; one instance per server (per owned partition on a cluster node). */
export class DecisionService implements CommitFeed, EventIntake, Decider {
  private readonly pending = new Map<string, Pending>();
  /**
   * Work that arrived while a lookup was answering with a promise, in arrival order; null when none
   * is outstanding. Everything waits behind the lookup, so two payments of one account are still
   * decided in the order they arrived (a lookup that answers at once never sets it).
   */
  private held: Array<() => void> | null = null;
  /** Sees every event applied, with its seq (see observe); null when nobody watches. */
  private observer: ((seq: number, e: FkEvent, answered?: Outcome) => void) | null = null;
  /** Told about every event after it committed (see onCommitted). */
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly journal: DecisionLookup,
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
    if (this.held !== null) {
      this.held.push(() => this.decide(tx, startedAt, cb));
      return;
    }
    const eventJson = JSON.stringify(tx);
    const p = this.pending.get(tx.id);
    if (p !== undefined) {
      if (p.event !== eventJson) return cb(idempotencyConflict(tx.id, p.event, eventJson), '', false);
      this.commit.whenCommitted(p.batch, (err) => (err === null ? cb(null, p.body, true) : cb(journalError(err), '', false)));
      return;
    }
    if (this.seen.mightContain(tx.id)) {
      const stored = this.journal.decision(tx.id);
      if (stored instanceof Promise) {
        this.hold(stored, (found) => {
          if (found === undefined) this.decideNew(tx, eventJson, startedAt, cb);
          else this.replayStored(found, eventJson, cb);
        }, (e) => cb(lookupError(e), '', false));
        return;
      }
      if (stored !== undefined) return this.replayStored(stored, eventJson, cb);
    }
    this.decideNew(tx, eventJson, startedAt, cb);
  }

  /** Answers a retry from its stored decision; the same id with another body is refused. */
  private replayStored(stored: StoredDecision, eventJson: string, cb: DecisionCallback): void {
    if (stored.event !== eventJson) return cb(idempotencyConflict(stored.txId, stored.event, eventJson), '', false);
    cb(null, stored.decision, true);
  }

  /**
   * Holds every later request until `lookup` settles, then runs `then` and the held requests in
   * arrival order (one of them may hold again: the rest stay behind it).
   */
  private hold<T>(lookup: Promise<T>, then: (v: T) => void, failed: (e: unknown) => void): void {
    this.held = [];
    lookup.then(
      (v) => this.release(() => then(v)),
      (e: unknown) => this.release(() => failed(e)),
    );
  }

  private release(first: () => void): void {
    const queue = this.held ?? [];
    this.held = null;
    first();
    for (let i = 0; i < queue.length; i++) {
      if (this.held !== null) {
        // one of them held again: the rest go first in the new queue, still in arrival order
        (this.held as Array<() => void>).unshift(...queue.slice(i));
        return;
      }
      queue[i]();
    }
  }

  /** Decides a payment whose id is new, applies it and journals it. */
  private decideNew(tx: TransactionEvent, eventJson: string, startedAt: number, cb: DecisionCallback): void {
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
      actions: d.actions,
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

  /**
   * Applies already-validated non-transaction events in order, journaled as part of one batch. A
   * reversal is journaled with the payment it reverses as that was decided (reversalAsJournaled);
   * one the service refuses refuses the batch, nothing applied.
   */
  accept(given: readonly FkEvent[], cb: EventsCallback): void {
    if (this.held !== null) {
      this.held.push(() => this.accept(given, cb));
      return;
    }
    const failed = this.commit.failed;
    if (failed !== null) {
      cb(journalError(failed), 0);
      return;
    }
    let events = given;
    if (given.some(isReversal)) {
      try {
        events = given.map((e) => (isReversal(e) ? this.reversalAsJournaled(e) : e));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return cb(e, 0);
      }
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
   * A reversal as it is applied and journaled: with the reversed payment as it was decided and the
   * outcome it was answered with (in flight, or in the journal), so a replay undoes exactly this; a
   * payment never decided leaves the reversal as it came (recorded, undoing nothing). What a client
   * sent as `original` is never kept.
   */
  private reversalAsJournaled(e: AccountActivityEvent): AccountActivityEvent {
    const { original: _client, originalOutcome: _clientOutcome, ...rest } = e;
    const txId = e.txId!;
    let eventJson: string | undefined;
    let decisionJson: string | undefined;
    const p = this.pending.get(txId);
    if (p !== undefined) {
      eventJson = p.event;
      decisionJson = p.body;
    } else if (this.seen.mightContain(txId)) {
      const stored = this.journal.decision(txId);
      if (stored instanceof Promise) throw new ApiError('invalid_request', 'reversals are not taken by a cluster node yet (docs/iso8583.md): send them to an embedded server');
      eventJson = stored?.event;
      decisionJson = stored?.decision;
    }
    if (eventJson === undefined || decisionJson === undefined) return rest;
    const original = parseEvent(JSON.parse(eventJson));
    if (original.type !== 'transaction') return rest;
    if (original.accountId !== e.accountId) {
      throw new ApiError('invalid_event', `accountId: expected ${JSON.stringify(original.accountId)}, the account of the reversed payment ${JSON.stringify(txId)}`, { path: 'accountId' });
    }
    const outcome = (JSON.parse(decisionJson) as { outcome: AnsweredOutcome }).outcome;
    return { ...rest, original, originalOutcome: outcome };
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
    const stored = this.journal.decision(txId);
    if (stored instanceof Promise) {
      // a read only: nothing to keep in order, so nothing is held behind it
      stored.then((s) => cb(null, s?.decision ?? null), (e: unknown) => cb(lookupError(e), null));
      return;
    }
    cb(null, stored?.decision ?? null);
  }

  /** Resolves once everything decided so far is durable, or failed (a graceful stop's last wait). */
  flushed(): Promise<void> {
    return this.commit.flush().catch(() => undefined);
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
