/**
 * The alerts a deployment raised and who acknowledged them: the port the alerts module writes
 * through (each change with its audit entry, so a raised alert also reaches webhooks as
 * `alert.raised`).
 */
import type { RaisedAlert } from './monitor.js';

/** A stored alert. */
export interface Alert extends RaisedAlert {
  readonly id: number;
  readonly raisedAt: number;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
  readonly ackNote: string | null;
}

/** Alerts of one deployment. Synchronous (the embedded store). */
export interface AlertStore {
  add(a: RaisedAlert, at: number): Alert;
  /** Alert `id` (NotFoundError when unknown). */
  get(id: number): Alert;
  /** Newest first; `open` true for the unacknowledged only. */
  list(q: { open?: boolean; limit?: number }): Alert[];
  /** Acknowledges `id` (NotFoundError when unknown; ConflictError when already acknowledged). */
  ack(id: number, by: string, note: string | null, at: number): Alert;
  /** Unacknowledged alerts, for /metrics. */
  openCount(): number;
}
