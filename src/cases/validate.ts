/**
 * Checks at the boundary of the case service: what opens a case and what analysts send. Every
 * refusal names the field (`path`) and says what was expected; nothing changes on a refusal.
 */
import { InputError } from '../errors.js';
import { isIdText } from '../contract/fields.js';
import {
  CASE_STATUSES,
  RESOLUTIONS,
  SOURCE_KINDS,
  SUBJECT_KINDS,
  type CaseStatus,
  type OpenCaseRequest,
  type Resolution,
} from './types.js';


/** Longest id, ref or actor. */
export const MAX_ID = 128;
/** Longest note. */
export const MAX_NOTE = 4_000;
/** Largest amount at stake of one item, in fen (the contract's largest amount). */
export const MAX_AMOUNT = 100_000_000_000;

/** What an issue looks like: lowercase words, one optional `:` (the request schemas use it too). */
export const ISSUE = /^[a-z][a-z0-9_]{0,47}(:[a-z][a-z0-9_]{0,47})?$/;
/** What a typology looks like (the request schemas use it too). */
export const TYPOLOGY = /^[a-z][a-z0-9_]{0,63}$/;

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as an object, or a refusal. */
export function objectBody(v: unknown, path = ''): Raw {
  if (!isObject(v)) throw new InputError(path || 'body', 'a JSON object');
  return v;
}

/** A required or optional id-like string: 1–max printable characters, no surrounding spaces. */
export function idField(o: Raw, key: string, required: true, path?: string, max?: number): string;
export function idField(o: Raw, key: string, required: false, path?: string, max?: number): string | undefined;
export function idField(o: Raw, key: string, required: boolean, path = key, max = MAX_ID): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new InputError(path, `a string of 1–${max} printable characters`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0 || v.length > max || !isIdText(v)) {
    throw new InputError(path, `a string of 1–${max} printable characters without surrounding spaces`);
  }
  return v;
}

/** Free text (a note): 1–MAX_NOTE characters, not blank. */
export function textField(o: Raw, key: string, required: boolean, path = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new InputError(path, `text of 1–${MAX_NOTE} characters`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_NOTE) throw new InputError(path, `text of 1–${MAX_NOTE} characters`);
  return v;
}

function oneOf<T extends string>(o: Raw, key: string, allowed: readonly T[], path = key): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InputError(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return v as T;
}

/** An issue: `review`, `appeal`, `detector:cashout_ring`, … (lowercase words, one optional `:`). */
export function checkIssue(v: unknown, path = 'issue'): string {
  if (typeof v !== 'string' || !ISSUE.test(v)) {
    throw new InputError(path, 'an issue like "review", "challenge_failed", "appeal", "analyst" or "detector:<name>"');
  }
  return v;
}

/** Validates what opens a case; returns a clean copy (extra fields dropped). */
export function checkOpen(input: unknown): OpenCaseRequest {
  const o = objectBody(input, 'input');
  const source = o.source;
  if (!isObject(source)) throw new InputError('source', 'an object {kind, ref?}');
  const risk = o.risk;
  if (typeof risk !== 'number' || !Number.isFinite(risk) || risk < 0 || risk > 100) throw new InputError('risk', 'a number from 0 to 100');
  const amount = o.amount;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0 || amount > MAX_AMOUNT) {
    throw new InputError('amount', `an integer number of fen from 0 to ${MAX_AMOUNT}`);
  }
  const ref = idField(source, 'ref', false, 'source.ref', 256);
  const out: OpenCaseRequest = {
    subjectKind: oneOf(o, 'subjectKind', SUBJECT_KINDS),
    subjectId: idField(o, 'subjectId', true),
    issue: checkIssue(o.issue),
    source: ref === undefined ? { kind: oneOf(source, 'kind', SOURCE_KINDS, 'source.kind') } : { kind: oneOf(source, 'kind', SOURCE_KINDS, 'source.kind'), ref },
    risk,
    amount,
    note: textField(o, 'note', false),
    actor: idField(o, 'actor', true),
  };
  const txId = idField(o, 'txId', false);
  if (txId !== undefined) out.txId = txId;
  if (o.detail !== undefined) out.detail = o.detail;
  return out;
}

/** `{assignee?}`: a name or key id; omitted means the caller, null unassigns. */
export function checkAssign(body: unknown, self: string): string | null {
  const o = objectBody(body);
  if (o.assignee === null) return null;
  if (o.assignee === undefined) return self;
  return idField(o, 'assignee', true);
}

/** `{text}` */
export function checkNote(body: unknown): string {
  return textField(objectBody(body), 'text', true)!;
}

/** `{status, note?}`: open or investigating; resolving has its own route. */
export function checkStatus(body: unknown): { status: Exclude<CaseStatus, 'resolved'>; note: string | undefined } {
  const o = objectBody(body);
  if (o.status === 'resolved') throw new InputError('status', '"open" or "investigating" (resolve a case with POST /v1/cases/{id}/resolve)');
  const status = oneOf(o, 'status', CASE_STATUSES.filter((s) => s !== 'resolved') as Exclude<CaseStatus, 'resolved'>[]);
  return { status, note: textField(o, 'note', false) };
}

/** `{resolution, typology?, note?}` */
export function checkResolve(body: unknown): { resolution: Resolution; typology: string | null; note: string | undefined } {
  const o = objectBody(body);
  const resolution = oneOf(o, 'resolution', RESOLUTIONS);
  const t = o.typology;
  if (t !== undefined && t !== null && (typeof t !== 'string' || !TYPOLOGY.test(t))) {
    throw new InputError('typology', 'a typology like "cashout" or "account_takeover" (lowercase letters, digits, _)');
  }
  return { resolution, typology: typeof t === 'string' ? t : null, note: textField(o, 'note', false) };
}
