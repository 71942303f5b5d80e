/**
 * The journal's live side as the asynchronous consumers see it (cases, detectors, shadows): events
 * once durable, the position applied so far, and the one way in for events the domain makes itself
 * (a resolved case's labels). The server's DecisionService implements them; a consumer never
 * reaches into the server, so another transport (ISO 8583, a cluster node) can feed it alike.
 */
import type { FkEvent } from '../contract/events.js';
import type { Decision } from '../engine/decision.js';

/**
 * Sees each event once it is durable — a transaction after its answer was handed to the client —
 * with its journal seq and, for a transaction, its decision; also both as the JSON text journaled
 * (already made, so a listener forwarding events to another thread sends strings instead of
 * cloning objects). Must only take note (queue the work for later): it runs on the answer path.
 */
export type CommitListener = (seq: number, e: FkEvent, decision: Decision | null, eventJson: string, decisionJson: string | null) => void;

/** Durable events as they commit, for consumers that follow live traffic after catching up. */
export interface CommitFeed {
  /** The seq of the last event applied to the live engine (a consumer catches up to it from the journal). */
  readonly appliedSeq: number;
  /** Calls `fn` with every event once durable; returns the unsubscribe. */
  onCommitted(fn: CommitListener): () => void;
}

/**
 * Where events the domain produces enter the journal and the live engine, exactly as a client's
 * would: `cb` runs once they are durable (err set and nothing applied when they could not be).
 */
export interface EventIntake {
  accept(events: readonly FkEvent[], cb: (err: Error | null, accepted: number) => void): void;
}
