/**
 * Validation of lists and entries at the boundary (API bodies, CLI arguments, the store's rows):
 * plain JSON in, a checked ListDef or ListEntry out, or a ListError naming the field and what was
 * expected. Pure: nothing here touches a ListSet, so a refused input can never change one.
 */
import { isIP } from 'node:net';
import { parseTimestamp } from '../contract/time.js';
import { ListError } from '../errors.js';
import { isIdText } from '../contract/fields.js';
import {
  LIST_KINDS,
  LIST_NAME_RE,
  LIST_PURPOSES,
  MAX_AUTHOR_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_VALUE_LENGTH,
  type ListDef,
  type ListEntry,
  type ListKind,
  type ListPurpose,
} from './types.js';

/** Keys that could pollute prototypes downstream. */
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ListError(what, 'a JSON object');
  for (const k of FORBIDDEN_KEYS) {
    if (Object.prototype.hasOwnProperty.call(value, k)) throw new ListError(k, 'no such key (reserved name)');
  }
  return value as Record<string, unknown>;
}

function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** A list name, or a ListError on `field`. */
export function checkListName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !LIST_NAME_RE.test(name)) {
    throw new ListError(field, 'a list name of 1–64 lowercase letters, digits and _, starting with a letter (e.g. block_devices)');
  }
  return name;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ListError(field, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function text(value: unknown, field: string, required: boolean, max: number): string {
  if (value === undefined || value === null) {
    if (required) throw new ListError(field, `a non-empty string of at most ${max} characters (required)`);
    return '';
  }
  if (typeof value !== 'string' || value.length > max || (required && value.trim() === '')) {
    throw new ListError(field, `a ${required ? 'non-empty ' : ''}string of at most ${max} characters`);
  }
  return value;
}

/** A list definition from JSON: `{name, kind, purpose, description?}`. */
export function validateListDef(input: unknown): ListDef {
  const o = asObject(input, 'list');
  return {
    name: checkListName(o.name),
    kind: oneOf<ListKind>(o.kind, 'kind', LIST_KINDS),
    purpose: oneOf<ListPurpose>(o.purpose, 'purpose', LIST_PURPOSES),
    description: text(o.description, 'description', false, MAX_TEXT_LENGTH),
  };
}

/**
 * A value that fits a list of `kind`: 1–128 printable characters like the contract's ids, and for
 * `ip` lists an IPv4 or IPv6 address (matched exactly as the payment carries it, no ranges).
 */
/** A keyed hash shared by a partner institution (lists/shared.ts): `h:` and 64 hex digits, on any kind of list. */
const HASHED_RE = /^h:[0-9a-f]{64}$/;

export function validateValue(value: unknown, kind: ListKind, list: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH || !isPrintable(value)) {
    throw new ListError('value', `a string of 1–${MAX_VALUE_LENGTH} printable characters`);
  }
  if (value.trim() !== value) throw new ListError('value', 'no leading or trailing spaces (values are matched exactly)');
  if (!isIdText(value)) throw new ListError('value', 'no invisible formatting characters or unpaired surrogates (values are matched exactly)');
  if (kind === 'ip' && isIP(value) === 0 && !HASHED_RE.test(value)) {
    throw new ListError('value', `an IPv4 or IPv6 address, because list '${list}' holds ip values`);
  }
  return value;
}

/** Epoch ms of an expiry given as epoch ms or as an ISO 8601 timestamp with offset; null when absent. */
export function parseExpiry(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseTimestamp(value) : NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > 8.64e15) {
    throw new ListError('expiresAt', 'epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry');
  }
  return Math.floor(ms);
}

/**
 * An entry from JSON `{value, reason, expiresAt?}` for a list of `kind`, stamped with `author` and
 * `nowMs` (wall clock). An expiry at or before `nowMs` is refused: the entry would be expired already.
 */
export function validateEntry(input: unknown, list: { name: string; kind: ListKind }, author: string, nowMs: number): ListEntry {
  const o = asObject(input, 'entry');
  const value = validateValue(o.value, list.kind, list.name);
  const reason = text(o.reason, 'reason', true, MAX_TEXT_LENGTH);
  const expiresAt = parseExpiry(o.expiresAt);
  if (expiresAt !== null && expiresAt <= nowMs) {
    throw new ListError('expiresAt', `a time in the future: ${new Date(expiresAt).toISOString()} has expired already`);
  }
  return { value, reason, author: checkAuthor(author), addedAt: nowMs, expiresAt };
}

/** The author or actor of a change: a non-empty printable string of at most 128 characters. */
export function checkAuthor(author: unknown, field = 'author'): string {
  if (typeof author !== 'string' || author.trim() === '' || author.length > MAX_AUTHOR_LENGTH || !isPrintable(author)) {
    throw new ListError(field, `a non-empty printable string of at most ${MAX_AUTHOR_LENGTH} characters (the key id)`);
  }
  return author;
}
