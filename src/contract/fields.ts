/**
 * Field readers shared by every event schema. Each returns the validated value or throws a
 * ContractError naming the field path and what was expected, so schemas stay declarative.
 */
import { ContractError } from '../errors.js';
import type { Geo } from './events.js';
import { parseTimestamp } from './time.js';

/** The raw JSON object being validated. */
export type Raw = Record<string, unknown>;

/** Largest amount accepted (¥1,000,000,000.00 in fen): anything above is an input error, not a payment. */
export const MAX_AMOUNT = 100_000_000_000;
/** Longest id the contract allows. */
export const MAX_ID_LENGTH = 128;

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Rejects anything but a plain JSON object, and keys that could pollute prototypes downstream. */
export function asObject(value: unknown, path: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContractError(path, 'a JSON object');
  }
  for (const k of FORBIDDEN_KEYS) {
    if (Object.prototype.hasOwnProperty.call(value, k)) {
      throw new ContractError(path ? `${path}.${k}` : k, 'no such key (reserved name)');
    }
  }
  return value as Raw;
}

function missing(path: string, expected: string): never {
  throw new ContractError(path, `${expected} (required field is missing)`);
}

/** Control, format (zero-width, bidirectional overrides), line and paragraph separator code points. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const EDGE_SPACE = /^\s|\s$/u;

/**
 * Whether `s` may be an id: ASCII letters, digits and punctuation take the fast loop; anything else
 * must not be invisible or hide what it is — no control or format code point (`\u200b`, `\u202e`),
 * no unpaired surrogate (stored, it could not be read back), no space at either end. Ids are what an
 * analyst searches for and what a retry must repeat exactly; two that look alike must be alike.
 */
export function isIdText(s: string): boolean {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
    if (c > 0x7e) ascii = false;
  }
  if (s.charCodeAt(0) === 0x20 || s.charCodeAt(s.length - 1) === 0x20) return false;
  if (ascii) return true;
  return wellFormed(s) && !INVISIBLE.test(s) && !EDGE_SPACE.test(s);
}

/** No lone surrogate: every high surrogate followed by a low one, no low one on its own. */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** An id: a string of 1–128 printable characters, without spaces at either end (see isIdText). */
export function id(o: Raw, key: string, required: true): string;
export function id(o: Raw, key: string, required: false): string | undefined;
export function id(o: Raw, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? missing(key, 'an id string') : undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH || !isIdText(v)) {
    throw new ContractError(key, `a string of 1–${MAX_ID_LENGTH} printable characters, without spaces at either end, control or invisible formatting characters`);
  }
  return v;
}

/** Free text (names): any string up to 256 characters. */
export function text(o: Raw, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 256) throw new ContractError(key, 'a string of at most 256 characters');
  return v;
}

/** A contract timestamp; returns [text, epoch ms]. */
export function timestamp(o: Raw, key: string, required: boolean): [string, number] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? missing(key, 'an ISO 8601 timestamp') : undefined;
  const t = typeof v === 'string' ? parseTimestamp(v) : NaN;
  if (Number.isNaN(t)) {
    throw new ContractError(key, 'an ISO 8601 timestamp with offset, like 2026-11-24T21:05:09+08:00');
  }
  return [v as string, t];
}

/** Money in minor units: an integer, > 0 (or ≥ 0 where `allowZero`), at most MAX_AMOUNT. */
export function money(o: Raw, key: string, required: boolean, allowZero = false): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? missing(key, 'an integer amount in minor units') : undefined;
  const floor = allowZero ? 0 : 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < floor || v > MAX_AMOUNT) {
    throw new ContractError(
      key,
      `an integer number of minor units (fen) from ${floor} to ${MAX_AMOUNT}, like 12345 for ¥123.45`,
    );
  }
  return v === 0 ? 0 : v; // -0 (JSON has it) is 0, as its re-serialisation reads
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(o: Raw, key: string, allowed: readonly T[], required: boolean): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? missing(key, `one of ${allowed.join(', ')}`) : undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ContractError(key, `one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** A string matching a pattern (mcc, currency, region). */
export function pattern(o: Raw, key: string, re: RegExp, expected: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !re.test(v)) throw new ContractError(key, expected);
  return v;
}

/** A boolean. */
export function bool(o: Raw, key: string, required: boolean): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? missing(key, 'true or false') : undefined;
  if (typeof v !== 'boolean') throw new ContractError(key, 'true or false');
  return v;
}

/** Coordinates `{lat, lon}` in WGS 84 degrees. */
export function geo(o: Raw, key: string): Geo | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const g = asObject(v, key);
  const lat = g.lat;
  const lon = g.lon;
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new ContractError(`${key}.lat`, 'a latitude in degrees from -90 to 90');
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw new ContractError(`${key}.lon`, 'a longitude in degrees from -180 to 180');
  }
  return { lat: lat === 0 ? 0 : lat, lon: lon === 0 ? 0 : lon }; // -0 is 0, as in money()
}
