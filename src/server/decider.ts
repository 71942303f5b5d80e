/**
 * The port the HTTP routes decide through. On the embedded server it is the DecisionService itself;
 * on a cluster node (docs/scale-out.md) it decides in place for a partition the node owns and
 * forwards to the owner otherwise — the routes cannot tell, so both serve the same API byte for byte.
 */
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import type { ApiError } from './errors.js';

/** The answer to a decision request: JSON text, and whether it is the replay of a known id. */
export type DecisionCallback = (err: ApiError | null, body: string, replayed: boolean) => void;

/** The answer to an events request: how many events were applied and journaled. */
export type EventsCallback = (err: ApiError | null, accepted: number) => void;

/** What the decision routes need: decide a payment, apply other events, find an answered decision. */
export interface Decider {
  /**
   * Decides `tx` exactly once per id (a known id replays its stored answer); `startedAt`
   * (performance.now()) is when its request arrived. `cb` runs once the decision is durable.
   */
  decide(tx: TransactionEvent, startedAt: number, cb: DecisionCallback): void;
  /** Applies already-validated non-payment events in order; `cb` once they are durable. */
  accept(events: readonly FkEvent[], cb: EventsCallback): void;
  /** The answered decision of `txId` (JSON text, as answered), or null when none was made. */
  find(txId: string, cb: (err: ApiError | null, body: string | null) => void): void;
}
