/**
 * Block-list entries shared between institutions without sharing identities. An exporting member
 * writes each entry as a keyed hash — HMAC-SHA256 under the consortium key every member holds, of
 * the value normalised first (trimmed, NFKC, lower case) — and signs the file with its own Ed25519
 * key; an importing member checks the signature against the partner's public key and adds the hashes
 * to a partner list (`h:<64 hex>` values). `in_list(device, "partner_block_devices")` then matches a
 * payment's device by hashing it the same way (ListSet.setConsortiumKey): nobody outside the
 * consortium can read the values, and a member learns only whether a value it already holds is on a
 * partner's list.
 */
import { createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import { LIST_KINDS, type ListEntry, type ListKind } from './types.js';

/** The file's format tag. */
export const SHARED_FORMAT = 'fengkong-shared-list/1';
/** How a hashed value is written on a list. */
export const HASHED_RE = /^h:[0-9a-f]{64}$/;
/** Shortest consortium key, in bytes. */
export const MIN_CONSORTIUM_KEY = 32;

/** A shared list as written to the file (the signature covers everything else). */
export interface SharedList {
  readonly format: typeof SHARED_FORMAT;
  /** Who exports it (a name the members agree on). */
  readonly institution: string;
  readonly kind: ListKind;
  /** The exporting member's list name, for reference. */
  readonly list: string;
  /** Wall-clock epoch ms. */
  readonly exportedAt: number;
  /** Keyed hashes (hex) and their expiries (epoch ms, or null). */
  readonly entries: readonly { readonly h: string; readonly expiresAt: number | null }[];
  /** Base64 Ed25519 signature of the canonical text of the fields above. */
  readonly signature: string;
}

/** `value` as every member hashes it. */
export function normalise(value: string): string {
  return value.trim().normalize('NFKC').toLowerCase();
}

/** The keyed hash of `value` under the consortium key, as a list value (`h:<hex>`). */
export function hashedValue(consortiumKey: Buffer, value: string): string {
  return 'h:' + createHmac('sha256', consortiumKey).update(normalise(value), 'utf8').digest('hex');
}

/** The text the signature covers: the fields in a fixed order, entries as given. */
function signedText(s: Omit<SharedList, 'signature'>): string {
  return JSON.stringify([s.format, s.institution, s.kind, s.list, s.exportedAt, s.entries.map((e) => [e.h, e.expiresAt])]);
}

/** Writes `entries` of list `list` as a signed shared list. */
export function exportShared(o: { institution: string; kind: ListKind; list: string; entries: readonly ListEntry[]; consortiumKey: Buffer; signingKey: KeyObject; now: number }): SharedList {
  const entries = o.entries
    .filter((e) => e.expiresAt === null || e.expiresAt > o.now)
    .map((e) => ({ h: hashedValue(o.consortiumKey, e.value).slice(2), expiresAt: e.expiresAt }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const body = { format: SHARED_FORMAT, institution: o.institution, kind: o.kind, list: o.list, exportedAt: o.now, entries } as const;
  return { ...body, signature: sign(null, Buffer.from(signedText(body), 'utf8'), o.signingKey).toString('base64') };
}

/**
 * Reads a shared list and checks it: its shape (an InputError naming the field) and its signature
 * against `partnerKey` (an InputError on `signature` when it does not verify: a tampered file, or
 * another partner's). Returns it checked.
 */
export function readShared(text: string, partnerKey: KeyObject): SharedList {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InputError('file', `a shared list in JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null) throw new InputError('file', 'a shared list in JSON');
  if (o.format !== SHARED_FORMAT) throw new InputError('format', `"${SHARED_FORMAT}"`);
  if (typeof o.institution !== 'string' || o.institution.trim() === '' || o.institution.length > 128) throw new InputError('institution', 'the exporting institution, 1–128 characters');
  if (typeof o.kind !== 'string' || !(LIST_KINDS as readonly string[]).includes(o.kind)) throw new InputError('kind', `one of ${LIST_KINDS.join(', ')}`);
  if (typeof o.list !== 'string') throw new InputError('list', "the exporter's list name");
  if (!Number.isSafeInteger(o.exportedAt)) throw new InputError('exportedAt', 'epoch milliseconds');
  if (!Array.isArray(o.entries)) throw new InputError('entries', 'a list of {h, expiresAt}');
  const entries = o.entries.map((e: unknown, i: number) => {
    const x = e as { h?: unknown; expiresAt?: unknown } | null;
    if (x === null || typeof x !== 'object' || typeof x.h !== 'string' || !/^[0-9a-f]{64}$/.test(x.h)) throw new InputError(`entries[${i}].h`, '64 lowercase hex digits (HMAC-SHA256)');
    if (x.expiresAt !== null && !Number.isSafeInteger(x.expiresAt)) throw new InputError(`entries[${i}].expiresAt`, 'epoch milliseconds or null');
    return { h: x.h, expiresAt: x.expiresAt as number | null };
  });
  if (typeof o.signature !== 'string') throw new InputError('signature', 'a base64 Ed25519 signature');
  const shared = { format: SHARED_FORMAT, institution: o.institution, kind: o.kind as ListKind, list: o.list, exportedAt: o.exportedAt as number, entries, signature: o.signature } as const;
  const { signature, ...body } = shared;
  if (!verify(null, Buffer.from(signedText(body), 'utf8'), partnerKey, Buffer.from(signature, 'base64'))) {
    throw new InputError('signature', "a signature by the partner's key: this file was changed after it was signed, or another institution signed it");
  }
  return shared;
}

/** A PEM private key (the institution's Ed25519 signing key). */
export function signingKeyOf(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new InputError('signing-key-file', 'an Ed25519 private key in PEM');
  return k;
}

/** A PEM public key (a partner's Ed25519 key). */
export function partnerKeyOf(pem: string): KeyObject {
  const k = createPublicKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new InputError('partner-key', 'an Ed25519 public key in PEM');
  return k;
}

/** The consortium key from a file's text (hex, at least MIN_CONSORTIUM_KEY bytes). */
export function consortiumKeyOf(text: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length / 2 < MIN_CONSORTIUM_KEY) {
    throw new InputError('consortium-key-file', `a key of at least ${MIN_CONSORTIUM_KEY} bytes in hex (fengkong lists keygen --consortium FILE makes one)`);
  }
  return Buffer.from(hex, 'hex');
}
