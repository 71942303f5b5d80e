/**
 * The Decider of a cluster node (server/decider.ts): a payment or event goes to its partition's
 * owner — decided in place when that is this node, forwarded over NATS otherwise — so any node
 * answers any request, and the HTTP routes are the embedded server's, unchanged. With one partition
 * (`P = 1`) every event is partition 0's: one engine, one order, as the embedded server has; with
 * more, an account's payments and account events are its partition's (partitionOf), and reference
 * data and labels partition 0's — every partition applies them from the stream.
 */
import type { FkEvent, TransactionEvent } from '../../contract/events.js';
import { parseEvent } from '../../contract/parse.js';
import type { DecisionCallback, Decider, EventsCallback } from '../../server/decider.js';
import { API_ERROR_CODES, ApiError, type ApiErrorCode } from '../../server/errors.js';
import { partitionOf } from '../../engine/partition-of.js';
import type { ForwardedAnswer, ForwardedRequest, Forwarder } from '../../store/nats/forward.js';

/** Where a partition is decided on this node: its runner's service when owned. */
export interface LocalPartitions {
  /** The cluster's partition count. */
  readonly partitions: number;
  /** What decides `partition` when this node owns it, else null. */
  owner(partition: number): Decider | null;
  /** A decision this node followed or decided recently (a read that need not travel), else null. */
  recent(partition: number, txId: string): string | null;
  /** A decision as the PostgreSQL projection holds it (JSON text), else null: for reads while no node owns the partition. */
  projected(txId: string): Promise<string | null>;
}

/**
 * The partition an event is journaled in: an account's payments and account events in the account's
 * partition; reference data and labels, which every partition applies, in partition 0.
 */
export function partitionOfEvent(e: FkEvent, partitions: number): number {
  return e.type === 'transaction' || e.type === 'account' || e.type === 'account_event' ? partitionOf(e.accountId, partitions) : 0;
}

/** The API error a forwarded refusal stands for: same code and status as if it had been answered here. */
export function forwardedError(a: Extract<ForwardedAnswer, { ok: false }>): ApiError {
  const code: ApiErrorCode = (API_ERROR_CODES as readonly string[]).includes(a.code) ? (a.code as ApiErrorCode) : 'internal';
  const retry = a.status === 503 ? { headers: { 'retry-after': '1' } } : {};
  return new ApiError(code, a.message, retry);
}

/** Routes every request to its partition's owner. */
export class ClusterDecider implements Decider {
  constructor(
    private readonly local: LocalPartitions,
    private readonly forwarder: Forwarder,
  ) {}

  decide(tx: TransactionEvent, startedAt: number, cb: DecisionCallback): void {
    const p = partitionOf(tx.accountId, this.local.partitions);
    const here = this.local.owner(p);
    if (here !== null) return here.decide(tx, startedAt, cb);
    this.send(p, { kind: 'decide', event: JSON.stringify(tx) }, (a) => (a.ok ? cb(null, a.body, a.replayed === true) : cb(forwardedError(a), '', false)));
  }

  /**
   * Events go to their partitions (partitionOfEvent), each partition's in their order; a batch that
   * spans partitions is answered once every part is durable, and a part refused is the answer.
   */
  accept(events: readonly FkEvent[], cb: EventsCallback): void {
    const r = events.findIndex((e) => e.type === 'account_event' && e.kind === 'reversal');
    if (r >= 0) {
      // a reversal is journaled with the payment it reverses (DecisionService), which a cluster's
      // partitions cannot undo alike yet: refused rather than taken and left undone
      const path = events.length > 1 ? `[${r}].kind` : 'kind';
      return cb(new ApiError('invalid_event', `${path}: a kind other than "reversal": a cluster does not take reversals yet (docs/iso8583.md); send them to an embedded server`, { path }), 0);
    }
    const P = this.local.partitions;
    const parts = new Map<number, FkEvent[]>();
    for (const e of events) {
      const p = partitionOfEvent(e, P);
      const list = parts.get(p);
      if (list === undefined) parts.set(p, [e]);
      else list.push(e);
    }
    if (parts.size <= 1) return this.acceptIn(parts.keys().next().value ?? 0, events, cb);
    let left = parts.size, accepted = 0, failed: ApiError | null = null;
    for (const [p, list] of parts) {
      this.acceptIn(p, list, (err, n) => {
        if (err !== null) failed ??= new ApiError(err.api, `${err.message.replace(/^\[FK\d+\] /, '')} (the batch spans ${parts.size} partitions: the other partitions' events may have been applied; send the refused ones again)`, err.status === 503 ? { headers: { 'retry-after': '1' } } : {});
        else accepted += n;
        if (--left === 0) cb(failed, failed === null ? accepted : 0);
      });
    }
  }

  private acceptIn(p: number, events: readonly FkEvent[], cb: EventsCallback): void {
    const here = this.local.owner(p);
    if (here !== null) return here.accept(events, cb);
    this.send(p, { kind: 'events', events: JSON.stringify(events) }, (a) => (a.ok ? cb(null, a.accepted ?? events.length) : cb(forwardedError(a), 0)));
  }

  /**
   * A transaction id names no partition: with several, each is asked (this node's memory first, then
   * the owners); found anywhere is the answer, nowhere (every owner answering) is "none".
   */
  find(txId: string, cb: (err: ApiError | null, body: string | null) => void): void {
    const P = this.local.partitions;
    if (P === 1) return this.findIn(0, txId, cb);
    for (let p = 0; p < P; p++) {
      const seen = this.local.recent(p, txId);
      if (seen !== null) return cb(null, seen);
    }
    let left = P, found: string | null = null, failed: ApiError | null = null;
    for (let p = 0; p < P; p++) {
      this.findIn(p, txId, (err, body) => {
        if (body !== null) found ??= body;
        else if (err !== null) failed ??= err;
        if (--left === 0) cb(found !== null ? null : failed, found);
      });
    }
  }

  private findIn(p: number, txId: string, cb: (err: ApiError | null, body: string | null) => void): void {
    const here = this.local.owner(p);
    if (here !== null) return here.find(txId, cb);
    const seen = this.local.recent(p, txId);
    if (seen !== null) return cb(null, seen);
    this.send(p, { kind: 'find', txId }, (a) => {
      if (a.ok) return cb(null, a.body);
      if (a.status === 404) return cb(null, null);
      if (a.status !== 503) return cb(forwardedError(a), null);
      // no owner to ask (a takeover): the projection answers for what it holds; a miss there is no
      // proof of "never decided" (it may not be projected yet), so that stays a 503
      this.local.projected(txId).then(
        (body) => (body !== null ? cb(null, body) : cb(forwardedError(a), null)),
        () => cb(forwardedError(a), null),
      );
    });
  }

  private send(p: number, req: ForwardedRequest, done: (a: ForwardedAnswer) => void): void {
    this.forwarder.send(p, req).then(done, (e: unknown) =>
      done({ ok: false, status: 500, code: 'internal', message: `forwarding to the owner failed: ${(e as Error).message}` }),
    );
  }
}

/**
 * The owner's side: answers the requests another node forwarded, in order, through the partition's
 * DecisionService (null: this node no longer owns it — every request is answered 503, retry).
 */
export function answerForwarded(service: Decider | null, partition: number, reqs: readonly ForwardedRequest[]): Promise<ForwardedAnswer[]> {
  const started = performance.now();
  return Promise.all(
    reqs.map(
      (r) =>
        new Promise<ForwardedAnswer>((resolve) => {
          const refuse = (e: ApiError): void => resolve({ ok: false, status: e.status, code: e.api, message: e.message.replace(/^\[FK\d+\] /, '') });
          if (service === null) {
            return refuse(new ApiError('partition_unavailable', `this node no longer owns partition ${partition}; retry`));
          }
          try {
            if (r.kind === 'decide') {
              // checked again on this side: the wire is not trusted to carry what the sender validated
              const ev = parseEvent(JSON.parse(r.event));
              if (ev.type !== 'transaction') throw new ApiError('invalid_request', 'a forwarded decision must carry a transaction');
              service.decide(ev, started, (err, body, replayed) => (err === null ? resolve({ ok: true, body, replayed }) : refuse(err)));
            } else if (r.kind === 'events') {
              const raw: unknown = JSON.parse(r.events);
              if (!Array.isArray(raw)) throw new ApiError('invalid_request', 'forwarded events must be an array');
              const list = raw.map((x) => parseEvent(x));
              if (list.some((x) => x.type === 'transaction')) throw new ApiError('invalid_request', 'forwarded events must not carry transactions');
              service.accept(list, (err, accepted) => (err === null ? resolve({ ok: true, body: '', accepted }) : refuse(err)));
            } else {
              service.find(r.txId, (err, body) => {
                if (err !== null) return refuse(err);
                if (body === null) return refuse(new ApiError('not_found', `no decision was made for transaction ${JSON.stringify(r.txId)}`));
                resolve({ ok: true, body });
              });
            }
          } catch (e) {
            refuse(e instanceof ApiError ? e : new ApiError('invalid_request', `a forwarded request was refused: ${(e as Error).message}`));
          }
        }),
    ),
  );
}
