/**
 * Validation of account actions and appeals at the boundary: plain JSON in, a checked input out, or
 * an InputError naming the field and what was expected. Pure: nothing here changes state, so
 * a refused request can never change an account.
 */
import { InputError } from '../errors.js';
import { MAX_AMOUNT, MAX_ID_LENGTH, isIdText } from '../contract/fields.js';
import { parseTimestamp } from '../contract/time.js';
import {
  ACCOUNT_ACTIONS,
  MAX_APPEAL_LENGTH,
  MAX_REASON_LENGTH,
  SETTING_ACTIONS,
  type AccountActionKind,
} from './types.js';

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

function asObject(value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('', 'a JSON object');
  for (const k of Object.keys(value)) {
    if (FORBIDDEN_KEYS.includes(k)) throw new InputError(k, 'no such key (reserved name)');
    if (!allowed.includes(k)) throw new InputError(k, `no such field; the fields are ${allowed.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function hasControl(s: string, allowNewlines: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (allowNewlines && (c === 0x0a || c === 0x0d || c === 0x09)) continue;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A required, non-blank text of at most `max` characters. */
function text(value: unknown, field: string, max: number, allowNewlines: boolean): string {
  const what = `a non-empty string of at most ${max} characters${allowNewlines ? '' : ' on one line'}`;
  if (value === undefined || value === null) throw new InputError(field, `${what} (required)`);
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || hasControl(value, allowNewlines)) {
    throw new InputError(field, what);
  }
  return value;
}

/** An account action, checked: what it does, why, and for lower_limit the new limit. */
export interface ActionInput {
  readonly action: AccountActionKind;
  readonly reason: string;
  readonly limit: number | null;
  readonly expiresAt: number | null;
}

/**
 * The highest limit an account may be lowered to: its registered credit limit (a limit is only ever
 * lowered by an action; raising the granted line is the credit system's `limit_changed`), or the
 * contract's largest amount for an account that was never registered.
 */
export function maxLimitOf(registeredLimit: number): number {
  return Number.isFinite(registeredLimit) && registeredLimit >= 0 ? registeredLimit : MAX_AMOUNT;
}

/**
 * An action from JSON `{action, reason, limit?, expiresAt?}`. `registeredLimit` is the account's
 * registered limit (NaN when unregistered); `nowMs` the wall clock, before which no expiry may fall.
 */
export function validateAction(input: unknown, registeredLimit: number, nowMs: number): ActionInput {
  const o = asObject(input, ['action', 'reason', 'limit', 'expiresAt']);
  if (typeof o.action !== 'string' || !(ACCOUNT_ACTIONS as readonly string[]).includes(o.action)) {
    throw new InputError('action', `one of ${ACCOUNT_ACTIONS.join(', ')}`);
  }
  const action = o.action as AccountActionKind;
  const reason = text(o.reason, 'reason', MAX_REASON_LENGTH, false);
  let limit: number | null = null;
  if (action === 'lower_limit') {
    const max = maxLimitOf(registeredLimit);
    const why = Number.isFinite(registeredLimit) ? 'the registered credit limit' : 'the largest amount of the contract';
    if (o.limit === undefined || o.limit === null) {
      throw new InputError('limit', `the new limit in fen, an integer from 0 to ${max} (required for lower_limit)`);
    }
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 0 || o.limit > max) {
      throw new InputError('limit', `an integer number of fen from 0 to ${max} (${why}; an action never raises a limit above it)`);
    }
    limit = o.limit;
  } else if (o.limit !== undefined) {
    throw new InputError('limit', `no limit: only lower_limit takes one, not ${action}`);
  }
  let expiresAt: number | null = null;
  if (o.expiresAt !== undefined && o.expiresAt !== null) {
    if (!SETTING_ACTIONS.includes(action)) {
      throw new InputError('expiresAt', `no expiry: only ${SETTING_ACTIONS.join(', ')} take one, not ${action}`);
    }
    expiresAt = parseExpiry(o.expiresAt, nowMs);
  }
  return { action, reason, limit, expiresAt };
}

/** Epoch ms of an expiry given as epoch ms or ISO 8601 with offset, which must be in the future. */
export function parseExpiry(value: unknown, nowMs: number): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseTimestamp(value) : NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > 8.64e15) {
    throw new InputError(
      'expiresAt',
      'epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry',
    );
  }
  if (ms <= nowMs) throw new InputError('expiresAt', `a time in the future: ${new Date(ms).toISOString()} has passed already`);
  return Math.floor(ms);
}

/** An appeal, checked. */
export interface AppealInput {
  readonly text: string;
  readonly txId: string | null;
}

/** An appeal from JSON `{text, txId?}`: the customer's words (1–2,000 characters) and optionally the payment. */
export function validateAppeal(input: unknown): AppealInput {
  const o = asObject(input, ['text', 'txId']);
  const t = text(o.text, 'text', MAX_APPEAL_LENGTH, true);
  let txId: string | null = null;
  if (o.txId !== undefined && o.txId !== null) {
    if (typeof o.txId !== 'string' || o.txId.length === 0 || o.txId.length > MAX_ID_LENGTH || !isIdText(o.txId)) {
      throw new InputError('txId', `a transaction id of 1–${MAX_ID_LENGTH} printable characters`);
    }
    txId = o.txId;
  }
  return { text: t, txId };
}
