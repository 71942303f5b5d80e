/**
 * What the listener does with one message, socket aside: read it, and answer it — network
 * management at once, a payment through the same Decider the HTTP route uses (so it is decided once
 * per id and journaled before its answer), a reversal through the same service's events, other classes `40`, an unreadable
 * one `30` when its MTI and STAN could be read. Every failure becomes an answer or a log line; none
 * escapes to the socket code.
 */
import type { TransactionEvent } from '../contract/events.js';
import { Iso8583FormatError } from '../errors.js';
import type { CardIndex } from '../server/card-index.js';
import type { Decider } from '../server/decider.js';
import type { ApiError } from '../server/errors.js';
import { answerTo, privateField, RESPONSE_CODES, responseCode, responseMti, type DecidedAnswer } from './answers.js';
import { decodeMessage, Iso8583DecodeFailure, type IsoMessage } from './codec.js';
import { toReversal, toTransaction } from './mapping.js';

/** What answering needs from the server. */
export interface IsoContext {
  /** Decides payments: the server's DecisionService (the HTTP route's Decider). */
  readonly decider: Decider;
  /** Card number → account. */
  readonly cards: CardIndex;
  /** How far ahead of the server's clock a payment's time may be (as on HTTP). */
  readonly maxEventLeadMs: number;
  /** The TPDU + header variant. */
  readonly tpdu: boolean;
  /** True once the server is stopping: payments are answered 91. */
  closing(): boolean;
  /** Where format errors and failures are logged (one line each). */
  log(line: string): void;
}

/** How a message ended, for the metrics. */
export type Handled = 'decided' | 'reversed' | 'network' | 'format_error' | 'not_supported' | 'refused' | 'unanswered';

/** Called once with the answer (null: nothing is sent) and how the message ended. */
export type AnswerCallback = (answer: IsoMessage | null, how: Handled) => void;

/** Network management codes of field 70 answered 00: sign-on, sign-off, echo test. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['001', '002', '301']);

/**
 * Handles one framed message (`bytes`: after the length); returns the MTI read (or `unreadable`)
 * for the per-MTI count. `cb` may run now (network, refusals) or once the decision is durable.
 */
export function handleMessage(ctx: IsoContext, bytes: Buffer, startedAt: number, cb: AnswerCallback): string {
  let msg: IsoMessage;
  try {
    msg = decodeMessage(bytes, { tpdu: ctx.tpdu });
  } catch (e) {
    if (!(e instanceof Iso8583DecodeFailure)) throw e;
    const p = e.partial;
    ctx.log(`iso8583: format error: ${p.error.message}${p.mti === null ? '' : ` (MTI ${p.mti}, STAN ${p.fields.get(11) ?? 'unread'})`}`);
    if (p.mti === null || !p.fields.has(11) || responseMti(p.mti) === null) {
      cb(null, 'format_error');
    } else {
      cb(answerTo({ mti: p.mti, fields: p.fields, prefix: p.prefix }, RESPONSE_CODES.formatError), 'format_error');
    }
    return p.mti ?? 'unreadable';
  }
  const mti = msg.mti;
  const cls = mti.slice(1, 3);
  if (responseMti(mti) === null) {
    ctx.log(`iso8583: MTI ${mti} is a response, not a request: not answered`);
    cb(null, 'unanswered');
  } else if (cls === '80') {
    const code = NETWORK_CODES.has(msg.fields.get(70) ?? '') ? RESPONSE_CODES.approved : RESPONSE_CODES.notSupported;
    cb(answerTo(msg, code, null, [7, 11, 37, 41, 42, 70]), 'network');
  } else if (cls === '10' || cls === '20') {
    decidePayment(ctx, msg, startedAt, cb);
  } else if (mti[1] === '4' && (mti[2] === '0' || mti[2] === '2')) {
    // 0400 (and its repeat 0401), 0420 (and 0421): a reversal or a reversal advice
    reverse(ctx, msg, cb);
  } else {
    // other classes are answered "function not supported"
    cb(answerTo(msg, RESPONSE_CODES.notSupported, null, [...ANSWER_ECHO, 90]), 'not_supported');
  }
  return mti;
}

const ANSWER_ECHO = [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49];

function decidePayment(ctx: IsoContext, msg: IsoMessage, startedAt: number, cb: AnswerCallback): void {
  if (ctx.closing()) return cb(answerTo(msg, RESPONSE_CODES.unavailable), 'refused');
  let tx: TransactionEvent;
  try {
    const now = Date.now();
    tx = toTransaction(msg.fields, ctx.cards, now);
    if (tx.t > now + ctx.maxEventLeadMs) {
      throw new Iso8583FormatError(12, 0, `a time at most ${Math.round(ctx.maxEventLeadMs / 1000)} s after the server's clock (got ${tx.ts}; check the terminal's clock)`);
    }
  } catch (e) {
    if (!(e instanceof Iso8583FormatError)) throw e;
    // the mapping knows the field, the decoder where it starts in the message
    const where = msg.offsets?.get(e.field) ?? 0;
    const located = where === e.offset ? e : new Iso8583FormatError(e.field, where, e.expected);
    ctx.log(`iso8583: format error: ${located.message} (MTI ${msg.mti}, STAN ${msg.fields.get(11) ?? 'unread'})`);
    return cb(msg.fields.has(11) ? answerTo(msg, RESPONSE_CODES.formatError) : null, 'format_error');
  }
  ctx.decider.decide(tx, startedAt, (err, body) => {
    if (err !== null) {
      ctx.log(`iso8583: payment ${tx.id} not decided: ${err.message}`);
      return cb(answerTo(msg, refusalCode(err)), 'refused');
    }
    let d: DecidedAnswer;
    try {
      d = JSON.parse(body) as DecidedAnswer;
    } catch {
      ctx.log(`iso8583: payment ${tx.id}: the decision's answer is not JSON`);
      return cb(answerTo(msg, RESPONSE_CODES.systemError), 'refused');
    }
    const code = responseCode(d);
    const extra = new Map<number, string>([[48, privateField(d)]]);
    if (code === RESPONSE_CODES.approved) extra.set(38, String(d.seq % 1_000_000).padStart(6, '0'));
    cb(answerTo(msg, code, extra), 'decided');
  });
}

/**
 * A reversal: journaled as an `account_event` of kind `reversal` through the same service as
 * POST /v1/events (which looks the payment up and undoes what it did: DecisionService), answered
 * 00 once durable — a reversal of a payment never decided too (recorded, nothing to undo), as a
 * switch expects its reversal acknowledged whatever became of the original.
 */
function reverse(ctx: IsoContext, msg: IsoMessage, cb: AnswerCallback): void {
  if (ctx.closing()) return cb(answerTo(msg, RESPONSE_CODES.unavailable, null, [...ANSWER_ECHO, 90]), 'refused');
  let e;
  try {
    e = toReversal(msg.fields, ctx.cards, Date.now());
  } catch (err) {
    if (!(err instanceof Iso8583FormatError)) throw err;
    ctx.log(`iso8583: format error: ${err.message} (MTI ${msg.mti}, STAN ${msg.fields.get(11) ?? 'unread'})`);
    return cb(msg.fields.has(11) ? answerTo(msg, RESPONSE_CODES.formatError) : null, 'format_error');
  }
  ctx.decider.accept([e], (err) => {
    if (err !== null) {
      ctx.log(`iso8583: reversal of ${e.txId} not recorded: ${err.message}`);
      return cb(answerTo(msg, refusalCode(err), null, [...ANSWER_ECHO, 90]), 'refused');
    }
    cb(answerTo(msg, RESPONSE_CODES.approved, null, [...ANSWER_ECHO, 90]), 'reversed');
  });
}

/** Field 39 for a decision the service refused (see RESPONSE_CODES). */
function refusalCode(err: ApiError): string {
  switch (err.api) {
    case 'idempotency_conflict':
      return RESPONSE_CODES.duplicate;
    case 'journal_unavailable':
    case 'partition_unavailable':
    case 'shutting_down':
      return RESPONSE_CODES.unavailable;
    case 'invalid_event':
      return RESPONSE_CODES.formatError;
    default:
      return RESPONSE_CODES.systemError;
  }
}
