/**
 * The typed shapes of the event contract (../shared/contract/EVENTS.md) after validation.
 * Every event keeps its original `ts` string and gains `t`, the same instant in epoch milliseconds,
 * so the hot path never parses dates twice.
 */

/** WGS 84 degrees. */
export interface Geo {
  readonly lat: number;
  readonly lon: number;
}

/** The ways a payment reaches the terminal. */
export type Channel = 'qr' | 'card' | 'app';
export const CHANNELS: readonly Channel[] = ['qr', 'card', 'app'];

/** Know-your-customer levels of an account. */
export type Kyc = 'none' | 'basic' | 'full';
export const KYC_LEVELS: readonly Kyc[] = ['none', 'basic', 'full'];

/** Things that happen to an account outside a payment. */
export type AccountEventKind =
  | 'login'
  | 'device_bound'
  | 'password_reset'
  | 'phone_changed'
  | 'repayment'
  | 'complaint'
  | 'limit_changed'
  /** Step-up verification of a payment (a `challenge` outcome) failed; `txId` names the payment. Opens a case. */
  | 'challenge_failed'
  /**
   * The payment `txId` was reversed (ISO 8583 0400/0420, or a switch's void): its effect on the
   * account's balance and on its count, sum and mean windows is undone at this event's time.
   */
  | 'reversal'
  /**
   * Money a merchant gave back on a payment (`amount`; `txId` the refunded payment, optional): the
   * credit it used is free again, as the issuer's books have it.
   */
  | 'refund';
export const ACCOUNT_EVENT_KINDS: readonly AccountEventKind[] = [
  'login',
  'device_bound',
  'password_reset',
  'phone_changed',
  'repayment',
  'complaint',
  'limit_changed',
  'challenge_failed',
  'reversal',
  'refund',
];

/** How a payment was answered, as a reversal records the reversed one's outcome. */
export type AnsweredOutcome = 'approve' | 'challenge' | 'review' | 'decline';
export const ANSWERED_OUTCOMES: readonly AnsweredOutcome[] = ['approve', 'challenge', 'review', 'decline'];

interface Timed {
  readonly ts: string;
  /** `ts` in epoch milliseconds. */
  readonly t: number;
}

/** A credit payment at a POS terminal, to be decided. */
export interface TransactionEvent extends Timed {
  readonly type: 'transaction';
  readonly id: string;
  readonly accountId: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly mcc?: string | undefined;
  readonly acquirerId?: string | undefined;
  readonly geo?: Geo | undefined;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly channel?: Channel | undefined;
  readonly merchantName?: string | undefined;
  /**
   * The issuer's open-to-buy at authorisation (ISO 8583 field 54, amount type 02), in fen: what the
   * issuer's own books say is left on the line before this payment. Wins over the engine's arithmetic
   * of what is owed, which misses what the stream never carries (repayments by bank transfer, refunds).
   */
  readonly availableCredit?: number | undefined;
}

/** A credit account is opened or changed. */
export interface AccountEvent extends Timed {
  readonly type: 'account';
  readonly accountId: string;
  readonly creditLimit: number;
  readonly home?: Geo | undefined;
  readonly kyc?: Kyc | undefined;
  readonly openedAt?: string | undefined;
  readonly openedAtT?: number | undefined;
  /**
   * The card number (PAN, 12–19 digits) or payment token an ISO 8583 switch sends in field 2 for
   * this account. Accepted at the boundary only: the server swaps it for `cardToken` before the
   * event is applied or journaled, so it is never at rest in clear (src/server/card-index.ts).
   */
  readonly cardNumber?: string | undefined;
  /**
   * The keyed HMAC token of `cardNumber`, set by the server's card index, never read from input
   * (the parser ignores it): what the journal keeps, and what the card index is rebuilt from.
   */
  readonly cardToken?: string | undefined;
}

/** Something happens to an account outside a payment (login, reset, repayment, …). */
export interface AccountActivityEvent extends Timed {
  readonly type: 'account_event';
  readonly accountId: string;
  readonly kind: AccountEventKind;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly geo?: Geo | undefined;
  readonly amount?: number | undefined;
  readonly creditLimit?: number | undefined;
  /** The payment the event is about (for `challenge_failed`: the challenged payment; for `reversal`: the reversed one). */
  readonly txId?: string | undefined;
  /**
   * A `reversal` as the server journals it: the reversed payment as it was decided and the outcome it
   * was answered with, looked up when the reversal arrived (absent for a payment never decided), so a
   * replay undoes exactly what the live server undid. Set by the server, never taken from a client.
   */
  readonly original?: TransactionEvent | undefined;
  readonly originalOutcome?: AnsweredOutcome | undefined;
}

/** A merchant registered with its acquirer. */
export interface MerchantEvent extends Timed {
  readonly type: 'merchant';
  readonly merchantId: string;
  readonly acquirerId: string;
  readonly name?: string | undefined;
  readonly mcc?: string | undefined;
  readonly geo?: Geo | undefined;
  readonly region?: string | undefined;
}

/** A terminal registered and bound to one merchant at one address. */
export interface TerminalEvent extends Timed {
  readonly type: 'terminal';
  readonly terminalId: string;
  readonly merchantId: string;
  readonly acquirerId?: string | undefined;
  readonly geo?: Geo | undefined;
}

/** An acquiring institution, licensed or not (unlicensed = second clearing, 二清). */
export interface AcquirerEvent extends Timed {
  readonly type: 'acquirer';
  readonly acquirerId: string;
  readonly name?: string | undefined;
  readonly licensed: boolean;
}

/** What was learnt later about a transaction, account, merchant or terminal. */
export interface LabelEvent extends Timed {
  readonly type: 'label';
  readonly txId?: string | undefined;
  readonly accountId?: string | undefined;
  readonly merchantId?: string | undefined;
  readonly terminalId?: string | undefined;
  readonly fraud: boolean;
  readonly typology?: string | undefined;
  readonly source?: string | undefined;
}

/** Any event of the contract. */
export type FkEvent =
  | TransactionEvent
  | AccountEvent
  | AccountActivityEvent
  | MerchantEvent
  | TerminalEvent
  | AcquirerEvent
  | LabelEvent;

export type EventType = FkEvent['type'];
export const EVENT_TYPES: readonly EventType[] = [
  'transaction',
  'account',
  'account_event',
  'merchant',
  'terminal',
  'acquirer',
  'label',
];
