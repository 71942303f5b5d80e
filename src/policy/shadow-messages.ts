/**
 * What crosses between the server's thread and a shadow's worker thread (shadow.ts ↔
 * shadow-worker.ts). Events travel as they were applied (structured clone, batched per
 * setImmediate turn); functions and engines never cross.
 */
import type { AdapterRef } from '../io/adapter-ref.js';
import type { PolicySource } from '../rules/compile.js';
import type { Overlay } from './compiled.js';
import type { ShadowTotals } from './shadow-tally.js';
import type { WarmProgress } from './warm.js';

/** What a shadow worker starts with. */
export interface ShadowWorkerData {
  /** The adapter (a module exporting ShadowAdapter) and data folder the worker opens its ShadowSource with. */
  readonly adapter: AdapterRef;
  readonly run: number;
  readonly version: number;
  /** The version's name (`v7`) and files, compiled again in the worker with `overlays`. */
  readonly name: string;
  readonly sources: readonly PolicySource[];
  readonly overlays: readonly Overlay[];
  readonly modelText: string | null;
  /** Journal seq the warm-up replays to: every later event arrives as a message. */
  readonly base: number;
}

/** An account's restrictions as live had them (AccountRestriction's fields). */
export interface WireRestriction {
  readonly frozenUntil: number;
  readonly stepUpUntil: number;
  readonly limitCap: number;
  readonly limitUntil: number;
}

/** Live's merchant controls for one payment (sent only while any control is in force). */
export interface WireControl {
  readonly suspended: boolean;
  /** The merchant whose held settlement the payment touches, or null. */
  readonly held: string | null;
}

/**
 * One committed event: seq, the event and live's decision as the JSON text the journal holds (a
 * string crosses threads as a copy of its bytes; cloning the objects cost the event loop more), and
 * for a payment live's operator state.
 */
export type WireEvent = [seq: number, event: string, decision: string | null, restriction: WireRestriction | null, control: WireControl | null];

/** Main thread → worker. */
export type ShadowCommand =
  | { readonly kind: 'events'; readonly events: readonly WireEvent[] }
  | { readonly kind: 'policy'; readonly overlays: readonly Overlay[] }
  | { readonly kind: 'status'; readonly id: number }
  | { readonly kind: 'stop'; readonly id: number; readonly at: number; readonly by: string; readonly reason: string };

/** The worker's side of a status. */
export interface WorkerStatus {
  readonly state: 'warming' | 'running';
  readonly policy: string;
  readonly since: number | null;
  /** Last seq the shadow engine applied. */
  readonly applied: number;
  readonly warmup: WarmProgress | null;
  readonly overlayProblem: string | null;
  readonly totals: ShadowTotals;
}

/** Worker → main thread. */
export type ShadowReply =
  | { readonly kind: 'status'; readonly id: number; readonly status: WorkerStatus }
  /** The run's end recorded by the worker with `totals`; null when the worker could not (the server records it). */
  | { readonly kind: 'stopped'; readonly id: number; readonly totals: ShadowTotals | null }
  | { readonly kind: 'applied'; readonly seq: number }
  | { readonly kind: 'failed'; readonly message: string };
