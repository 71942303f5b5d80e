/**
 * One schema per event type. Each reads only the fields it knows into a fresh object (extra fields
 * are tolerated and dropped), so nothing a sender adds can reach engine state unvalidated. Optional
 * fields that are absent stay present as `undefined`, so every event of a type has one object shape
 * (fast property access on the hot path; JSON.stringify leaves them out).
 */
import { ContractError } from '../errors.js';
import {
  ACCOUNT_EVENT_KINDS,
  ANSWERED_OUTCOMES,
  CHANNELS,
  KYC_LEVELS,
  type AccountActivityEvent,
  type AccountEvent,
  type AnsweredOutcome,
  type AcquirerEvent,
  type LabelEvent,
  type MerchantEvent,
  type TerminalEvent,
  type TransactionEvent,
} from './events.js';
import { bool, geo, id, money, oneOf, pattern, text, timestamp, type Raw } from './fields.js';

const MCC = /^\d{4}$/;
const CURRENCY = /^[A-Z]{3}$/;
const REGION = /^\d{6}$/;
/** A card number (PAN) or payment token as ISO 8583 field 2 carries it: 12–19 digits. */
const CARD_NUMBER = /^\d{12,19}$/;
const MCC_EXPECTED = 'a 4-digit merchant category code like "5411"';

/** transaction: a credit payment to decide. */
export function parseTransaction(o: Raw): TransactionEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  return {
    type: 'transaction' as const,
    id: id(o, 'id', true),
    ts,
    t,
    accountId: id(o, 'accountId', true),
    amount: money(o, 'amount', true)!,
    currency: pattern(o, 'currency', CURRENCY, 'an ISO 4217 currency code like "CNY"') ?? 'CNY',
    merchantId: id(o, 'merchantId', true),
    terminalId: id(o, 'terminalId', true),
    mcc: pattern(o, 'mcc', MCC, MCC_EXPECTED),
    acquirerId: id(o, 'acquirerId', false),
    geo: geo(o, 'geo'),
    deviceId: id(o, 'deviceId', false),
    ip: id(o, 'ip', false),
    channel: oneOf(o, 'channel', CHANNELS, false),
    merchantName: text(o, 'merchantName'),
    availableCredit: money(o, 'availableCredit', false, true),
  };
}

/** account: opened or changed. */
export function parseAccount(o: Raw): AccountEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  const opened = timestamp(o, 'openedAt', false);
  return {
    type: 'account' as const,
    ts,
    t,
    accountId: id(o, 'accountId', true),
    creditLimit: money(o, 'creditLimit', true, true)!,
    home: geo(o, 'home'),
    kyc: oneOf(o, 'kyc', KYC_LEVELS, false),
    openedAt: opened?.[0],
    openedAtT: opened?.[1],
    cardNumber: pattern(o, 'cardNumber', CARD_NUMBER, 'a card number or payment token of 12–19 digits (ISO 8583 field 2)'),
  };
}

/** account_event: login, device_bound, password_reset, phone_changed, repayment, complaint, limit_changed, challenge_failed (txId optional), reversal (txId), refund (amount, txId optional). */
export function parseAccountActivity(o: Raw): AccountActivityEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  const kind = oneOf(o, 'kind', ACCOUNT_EVENT_KINDS, true)!;
  return {
    type: 'account_event' as const,
    ts,
    t,
    accountId: id(o, 'accountId', true),
    kind,
    deviceId: id(o, 'deviceId', false),
    ip: id(o, 'ip', false),
    geo: geo(o, 'geo'),
    amount: money(o, 'amount', kind === 'repayment' || kind === 'refund'),
    creditLimit: money(o, 'creditLimit', kind === 'limit_changed', true),
    txId: kind === 'reversal' ? id(o, 'txId', true) : id(o, 'txId', false),
    ...(kind === 'reversal' ? reversed(o) : {}),
  };
}

/** What the server looked up for a `reversal` (see AccountActivityEvent.original), checked as a payment. */
function reversed(o: Raw): { original?: TransactionEvent; originalOutcome?: AnsweredOutcome } {
  if (o.original === undefined) return {};
  if (typeof o.original !== 'object' || o.original === null || Array.isArray(o.original)) throw new ContractError('original', 'the reversed payment, as an object');
  let original: TransactionEvent;
  try {
    original = parseTransaction(o.original as Raw);
  } catch (e) {
    if (e instanceof ContractError) throw new ContractError(`original.${e.path}`, e.expected);
    throw e;
  }
  return { original, originalOutcome: oneOf(o, 'originalOutcome', ANSWERED_OUTCOMES, true) };
}

/** merchant: registered with its acquirer. */
export function parseMerchant(o: Raw): MerchantEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  return {
    type: 'merchant' as const,
    ts,
    t,
    merchantId: id(o, 'merchantId', true),
    acquirerId: id(o, 'acquirerId', true),
    name: text(o, 'name'),
    mcc: pattern(o, 'mcc', MCC, MCC_EXPECTED),
    geo: geo(o, 'geo'),
    region: pattern(o, 'region', REGION, 'a 6-digit administrative division code like "440304"'),
  };
}

/** terminal: bound to one merchant and one address. */
export function parseTerminal(o: Raw): TerminalEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  return {
    type: 'terminal' as const,
    ts,
    t,
    terminalId: id(o, 'terminalId', true),
    merchantId: id(o, 'merchantId', true),
    acquirerId: id(o, 'acquirerId', false),
    geo: geo(o, 'geo'),
  };
}

/** acquirer: licensed or not. */
export function parseAcquirer(o: Raw): AcquirerEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  return {
    type: 'acquirer' as const,
    ts,
    t,
    acquirerId: id(o, 'acquirerId', true),
    name: text(o, 'name'),
    licensed: bool(o, 'licensed', true)!,
  };
}

const LABEL_TARGETS = ['txId', 'accountId', 'merchantId', 'terminalId'] as const;

/** label: later knowledge about exactly one transaction, account, merchant or terminal. */
export function parseLabel(o: Raw): LabelEvent {
  const [ts, t] = timestamp(o, 'ts', true)!;
  const present = LABEL_TARGETS.filter((k) => o[k] !== undefined && o[k] !== null);
  if (present.length !== 1) {
    throw new ContractError(
      present.length === 0 ? 'txId' : present[1],
      'exactly one of txId, accountId, merchantId, terminalId',
    );
  }
  return {
    type: 'label' as const,
    ts,
    t,
    txId: id(o, 'txId', false),
    accountId: id(o, 'accountId', false),
    merchantId: id(o, 'merchantId', false),
    terminalId: id(o, 'terminalId', false),
    fraud: bool(o, 'fraud', true)!,
    typology: text(o, 'typology'),
    source: text(o, 'source'),
  };
}
