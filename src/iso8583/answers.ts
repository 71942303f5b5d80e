/**
 * The answers the listener sends (docs/iso8583.md, "Answers"): the request's MTI + 10, the echoed
 * fields, the response code of field 39 chosen from the decision, and the score and reasons in the
 * private field 48. The response-code table is here, one place, so the doc and the tests read it.
 */
import type { IsoMessage } from './codec.js';

/** Field 39 values the listener answers. */
export const RESPONSE_CODES = {
  /** Approved (also `review`: approve and queue for an analyst). */
  approved: '00',
  /** Do not honour: a decline that is not about fraud (over the limit, a suspended terminal, …). */
  decline: '05',
  /** Suspected fraud: a decline whose deciding reason is a fraud rule, a list of the payer or the model. */
  suspectedFraud: '59',
  /** Restricted card: the account is frozen by an account action. */
  restricted: '62',
  /**
   * Step-up: `challenge`. `1A` is "additional customer authentication required", the soft decline
   * networks (Visa first, then most switches) use to ask the acquirer to retry with the cardholder
   * verified; it keeps the payment retriable, where 05/59 would end it, and it names no other cause
   * (55 is a wrong PIN, 65 an exceeded count).
   */
  stepUp: '1A',
  /** Format error: the message could not be read or mapped (logged with the field and byte). */
  formatError: '30',
  /** Function not supported: reversals in this slice, and messages of other classes. */
  notSupported: '40',
  /** Duplicate transmission: the id was already decided with another payment (idempotency conflict). */
  duplicate: '94',
  /** Issuer or switch inoperative: the journal cannot store, the server is shutting down, a node lost its partition. */
  unavailable: '91',
  /** System malfunction: anything else that went wrong here. */
  systemError: '96',
} as const;

/**
 * Reason codes of declines that are not about fraud: the account's credit, or an action on the
 * merchant side. A decline led by one of these answers 05; led by any other reason (the fraud
 * rules, the payer's lists, the model's `MODEL_…` codes) 59; with ACCOUNT_FROZEN among its reasons 62.
 */
export const NOT_FRAUD_DECLINES: ReadonlySet<string> = new Set([
  'OVER_LIMIT',
  'TERMINAL_SUSPENDED',
  'ACQUIRER_UNLICENSED',
  'LIST_BLOCKED_MERCHANT',
  'LIST_BLOCKED_TERMINAL',
]);

/** The account action freeze's reason code. */
export const FROZEN_REASON = 'ACCOUNT_FROZEN';

/** The part of a decision answer the response is made of. */
export interface DecidedAnswer {
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { readonly code: string }[];
  readonly seq: number;
}

/** Field 39 for a decision (see RESPONSE_CODES and NOT_FRAUD_DECLINES). */
export function responseCode(d: DecidedAnswer): string {
  switch (d.outcome) {
    case 'approve':
    case 'review':
      return RESPONSE_CODES.approved;
    case 'challenge':
      return RESPONSE_CODES.stepUp;
    default:
      if (d.reasons.some((r) => r.code === FROZEN_REASON)) return RESPONSE_CODES.restricted;
      if (d.reasons.length === 0 || NOT_FRAUD_DECLINES.has(d.reasons[0].code)) return RESPONSE_CODES.decline;
      return RESPONSE_CODES.suspectedFraud;
  }
}

/** Most bytes of field 48 (LLLVAR). */
const PRIVATE_MAX = 999;

/**
 * Field 48: `FK1|O=<outcome>|S=<score as answered over HTTP>|R=<code>,<code>,…`, reasons most decisive first,
 * cut at whole codes to fit 999 bytes (then `,+N` says how many were left out).
 */
export function privateField(d: DecidedAnswer): string {
  const head = `FK1|O=${d.outcome}|S=${String(d.score)}|R=`;
  let codes = '';
  for (let i = 0; i < d.reasons.length; i++) {
    const next = (i === 0 ? '' : ',') + d.reasons[i].code;
    const rest = d.reasons.length - i;
    if (head.length + codes.length + next.length + `,+${rest}`.length > PRIVATE_MAX) {
      codes += `${codes === '' ? '' : ','}+${rest}`;
      break;
    }
    codes += next;
  }
  return head + codes;
}

/** Fields a response echoes from its request when present. */
export const ECHOED_FIELDS: readonly number[] = [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

/** The response MTI of `mti`: its third digit + 1 (0100 → 0110, 0200 → 0210, 0800 → 0810); null for a response. */
export function responseMti(mti: string): string | null {
  const d = mti.charCodeAt(2) - 0x30;
  if (d % 2 === 1) return null;
  return mti.slice(0, 2) + String(d + 1) + mti.slice(3);
}

/**
 * The answer to `req`: MTI + 10, the echoed fields that `req` carries (those in `echo`), `code` in
 * field 39 and `extra` fields beside. A TPDU prefix is returned with its destination and source
 * swapped, the header as received.
 */
export function answerTo(
  req: { readonly mti: string; readonly fields: ReadonlyMap<number, string>; readonly prefix?: Buffer | undefined },
  code: string,
  extra: ReadonlyMap<number, string> | null = null,
  echo: readonly number[] = ECHOED_FIELDS,
): IsoMessage {
  const fields = new Map<number, string>();
  for (const no of echo) {
    const v = req.fields.get(no);
    if (v !== undefined) fields.set(no, v);
  }
  fields.set(39, code);
  if (extra !== null) for (const [k, v] of extra) fields.set(k, v);
  return { mti: responseMti(req.mti) ?? req.mti, fields, prefix: req.prefix === undefined ? undefined : swapTpdu(req.prefix) };
}

/** The TPDU of an answer: id 0x60, the request's source as destination and its destination as source. */
export function swapTpdu(prefix: Buffer): Buffer {
  const out = Buffer.from(prefix);
  prefix.copy(out, 1, 3, 5);
  prefix.copy(out, 3, 1, 3);
  return out;
}
