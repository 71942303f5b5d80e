/**
 * Account actions (冻结 freeze, 降额 lower the limit, step-up, restore) and appeals: their kinds,
 * the records the store keeps, and the restriction state folded from those records. Pure data and
 * pure functions; the engine's compact form is AccountRestriction (features/account-restriction.ts).
 */
import { AccountRestriction } from '../features/account-restriction.js';

/** What an account action does. */
export const ACCOUNT_ACTIONS = [
  'freeze',
  'unfreeze',
  'lower_limit',
  'restore_limit',
  'require_step_up',
  'lift_step_up',
  'restore',
] as const;
export type AccountActionKind = (typeof ACCOUNT_ACTIONS)[number];

/** Actions that set a restriction (and may carry an expiry); the others lift one or all. */
export const SETTING_ACTIONS: readonly AccountActionKind[] = ['freeze', 'lower_limit', 'require_step_up'];

/** Longest reason of an action. */
export const MAX_REASON_LENGTH = 500;
/** Longest appeal text. */
export const MAX_APPEAL_LENGTH = 2000;

/** One account action as stored (append-only: the history of an account's restrictions). */
export interface AccountActionRecord {
  readonly id: number;
  readonly accountId: string;
  readonly action: AccountActionKind;
  readonly reason: string;
  /** The API key id (`key_…`) that took it. */
  readonly author: string;
  /** Wall-clock epoch ms it was taken. */
  readonly at: number;
  /** Event time (epoch ms) from which the restriction it sets no longer holds; null for never. */
  readonly expiresAt: number | null;
  /** The lowered limit in fen, for lower_limit; null otherwise. */
  readonly limit: number | null;
  /**
   * The journal position it took effect after: the seq of the last event the engine had applied.
   * A restart replays the journal and applies the action at the same place, so every decision made
   * after it is made with it again (and none before it).
   */
  readonly journalSeq: number;
}

/** A restriction in force: who set it, why, since when, until when. */
export interface Hold {
  readonly actionId: number;
  readonly reason: string;
  readonly author: string;
  /** Wall-clock epoch ms it was set. */
  readonly since: number;
  /** Event time it ends; null for never (until lifted). */
  readonly expiresAt: number | null;
}

/** The lowered limit in force. */
export interface LimitHold extends Hold {
  /** fen */
  readonly limit: number;
}

/** Everything restricting an account; each part is null when not in force. */
export interface Restrictions {
  readonly frozen: Hold | null;
  readonly stepUp: Hold | null;
  readonly limit: LimitHold | null;
}

/** An account without restrictions. */
export const NO_RESTRICTIONS: Restrictions = Object.freeze({ frozen: null, stepUp: null, limit: null });

/** The restrictions after `a`. */
export function foldAction(r: Restrictions, a: AccountActionRecord): Restrictions {
  const hold: Hold = { actionId: a.id, reason: a.reason, author: a.author, since: a.at, expiresAt: a.expiresAt };
  switch (a.action) {
    case 'freeze':
      return { ...r, frozen: hold };
    case 'unfreeze':
      return { ...r, frozen: null };
    case 'lower_limit':
      return { ...r, limit: { ...hold, limit: a.limit ?? 0 } };
    case 'restore_limit':
      return { ...r, limit: null };
    case 'require_step_up':
      return { ...r, stepUp: hold };
    case 'lift_step_up':
      return { ...r, stepUp: null };
    case 'restore':
      return NO_RESTRICTIONS;
  }
}

/** True when a hold ends at or before `atMs`. */
export function ended(h: Hold | null, atMs: number): boolean {
  return h !== null && h.expiresAt !== null && h.expiresAt <= atMs;
}

/** The restrictions still in force at `atMs` (expired ones read as absent). */
export function inForce(r: Restrictions, atMs: number): Restrictions {
  if (!ended(r.frozen, atMs) && !ended(r.stepUp, atMs) && !ended(r.limit, atMs)) return r;
  return {
    frozen: ended(r.frozen, atMs) ? null : r.frozen,
    stepUp: ended(r.stepUp, atMs) ? null : r.stepUp,
    limit: ended(r.limit, atMs) ? null : r.limit,
  };
}

/** True when nothing restricts the account. */
export function isEmpty(r: Restrictions): boolean {
  return r.frozen === null && r.stepUp === null && r.limit === null;
}

/** The compact form the decision hot path reads; null when nothing is set. Expiry is left to event time. */
export function toEngine(r: Restrictions): AccountRestriction | null {
  if (isEmpty(r)) return null;
  const e = new AccountRestriction();
  const until = (h: Hold): number => h.expiresAt ?? Infinity;
  if (r.frozen !== null) e.frozenUntil = until(r.frozen);
  if (r.stepUp !== null) e.stepUpUntil = until(r.stepUp);
  if (r.limit !== null) {
    e.limitCap = r.limit.limit;
    e.limitUntil = until(r.limit);
  }
  return e;
}

/** An appeal a customer filed through customer service. */
export interface AppealRecord {
  readonly id: number;
  readonly accountId: string;
  /** The payment appealed against, if one was named. */
  readonly txId: string | null;
  readonly text: string;
  /** The key id that filed it. */
  readonly author: string;
  /** Wall-clock epoch ms. */
  readonly at: number;
  /** The case it opened; null when no case service was there to open one. */
  readonly caseId: string | null;
}

