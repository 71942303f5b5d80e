/**
 * Complaints: customer service files what a customer complains of — about the account (a payment
 * the customer does not recognise) or about a merchant (overcharged, goods never delivered, a
 * merchant that is not what its code says) — with the customer's words and the payment concerned.
 * An account's complaints count in `complaints_30d` (a `complaint` account event enters the
 * journal); a merchant's feed its rating in the merchant view; each opens or joins a case. One
 * device or IP complaining about many merchants is a pattern of malicious complaints (职业索赔,
 * extortion of merchants), shown in the merchant view.
 */
import { InputError } from '../errors.js';

/** What a complaint is about. */
export const COMPLAINT_SUBJECTS = ['account', 'merchant'] as const;
export type ComplaintSubject = (typeof COMPLAINT_SUBJECTS)[number];

/** Longest complaint text. */
export const MAX_COMPLAINT_TEXT = 2_000;
/** Longest id (as the contract's). */
const MAX_ID = 128;

/** A complaint as filed, checked. */
export interface ComplaintInput {
  readonly subjectKind: ComplaintSubject;
  readonly subjectId: string;
  readonly text: string;
  /** The payment concerned, when the customer named one. */
  readonly txId: string | null;
  /** Who complained, as far as the channel knows: their account, device, IP. */
  readonly complainant: { readonly accountId: string | null; readonly deviceId: string | null; readonly ip: string | null };
}

/** A complaint as stored and listed. */
export interface Complaint extends ComplaintInput {
  readonly id: number;
  /** The key id that filed it. */
  readonly author: string;
  /** Wall-clock epoch ms. */
  readonly at: number;
  /** The case it opened or joined; null without a case service. */
  readonly caseId: string | null;
}

type Raw = Record<string, unknown>;

function id(o: Raw, field: string, path: string, required: boolean): string | null {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new InputError(path, `an id of 1–${MAX_ID} characters`);
    return null;
  }
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID) throw new InputError(path, `an id of 1–${MAX_ID} characters`);
  return v;
}

/** Checks a `POST /v1/complaints` body; an InputError names the field. */
export function checkComplaint(body: unknown): ComplaintInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('body', 'a JSON object {subjectKind, subjectId, text, txId?, complainant?}');
  const o = body as Raw;
  const kind = o.subjectKind;
  if (typeof kind !== 'string' || !(COMPLAINT_SUBJECTS as readonly string[]).includes(kind)) throw new InputError('subjectKind', '"account" or "merchant"');
  const subjectId = id(o, 'subjectId', 'subjectId', true)!;
  const text = o.text;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_COMPLAINT_TEXT) throw new InputError('text', `the customer's words, 1–${MAX_COMPLAINT_TEXT} characters`);
  const txId = id(o, 'txId', 'txId', false);
  const c = o.complainant;
  if (c !== undefined && (typeof c !== 'object' || c === null || Array.isArray(c))) throw new InputError('complainant', 'an object {accountId?, deviceId?, ip?}');
  const cr = (c ?? {}) as Raw;
  return {
    subjectKind: kind as ComplaintSubject,
    subjectId,
    text,
    txId,
    complainant: {
      accountId: id(cr, 'accountId', 'complainant.accountId', false) ?? (kind === 'account' ? subjectId : null),
      deviceId: id(cr, 'deviceId', 'complainant.deviceId', false),
      ip: id(cr, 'ip', 'complainant.ip', false),
    },
  };
}

/** The complaint store (the data folder's: store/sqlite/complaints.ts). */
export interface ComplaintStore {
  /** Stores a complaint (in the caller's transaction, which audits it). */
  add(c: Omit<Complaint, 'id'>): Complaint;
  /** Records the case it opened or joined (same transaction). */
  setCase(id: number, caseId: string): void;
  /** A subject's complaints, newest first. */
  of(kind: ComplaintSubject, subjectId: string, limit: number): Complaint[];
  /** Complaints about merchants since `since` (wall ms): the merchant and the complainant's device and IP tokens. */
  merchantComplaintsSince(since: number): { merchantId: string; device: string | null; ip: string | null }[];
  /** The device and IP tokens the store keys complainants by (a keyed hash, never the value). */
  tokens(deviceId: string | null, ip: string | null): { device: string | null; ip: string | null };
}
