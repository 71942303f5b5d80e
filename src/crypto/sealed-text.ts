/**
 * How a sealed value travels in a text column, shared by every store adapter (SQLite, PostgreSQL):
 * a marker, then the sealed bytes in base64. One encoding means a value sealed by one adapter opens
 * in the other (an export, a migration between them) and the marker tells sealed from clear rows.
 */
import type { Keyring } from './keyring.js';

/** A sealed value in a text column starts with this (never the start of clear JSON or of a typed text). */
export const SEALED_MARK = '\u0001s';

/** Whether a stored text is sealed (else it was written in clear, e.g. by an older version). */
export function isSealedText(stored: string): boolean {
  return stored.startsWith(SEALED_MARK);
}

/** `text` sealed with the active key of `ring`, encoded for a text column. */
export function encodeSealedText(ring: Keyring, text: string): string {
  return SEALED_MARK + ring.seal(text).toString('base64');
}

/** The sealed bytes inside a sealed text (the caller checked isSealedText). */
export function sealedTextBytes(stored: string): Buffer {
  return Buffer.from(stored.slice(SEALED_MARK.length), 'base64');
}

/**
 * The data key id sealed bytes name, or null when too short to name one: an adapter compares it
 * with its keyring to know it must look for keys rotated in by another process before opening.
 */
export function namedKeyId(sealed: Buffer): number | null {
  return sealed.length >= 5 ? sealed.readUInt32BE(1) : null;
}

/** The equality token of `value` of `kind` as stored in a lookup column (prefixed, never a clear value). */
export function tokenText(ring: Keyring, kind: string, value: string): string {
  return `t:${ring.token(kind, value)}`;
}
