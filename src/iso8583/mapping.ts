/**
 * From an ISO 8583 request to the contract's `transaction` event (docs/iso8583.md, "Mapping"): the
 * message's fields become the same event an HTTP client would post, and go through the same
 * contract parser, so one payment sent both ways is byte for byte one event (one id, one decision).
 * Field 2, the card, becomes the account through the card index; the number itself goes no further.
 */
import type { AccountActivityEvent, Channel, FkEvent, TransactionEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { ContractError, Iso8583FormatError } from '../errors.js';
import type { CardIndex } from '../server/card-index.js';
import { isoEventTime } from './time.js';

/**
 * Field 22's first two digits (how the card number was read) → the contract's channel. Codes not
 * listed (00 unknown, others) leave the channel out, as the contract allows.
 */
export const ENTRY_MODE_CHANNELS: Readonly<Record<string, Channel>> = {
  '01': 'card', // key entered at the terminal
  '02': 'card', // magnetic stripe
  '03': 'qr', // bar code / QR code scanned (China UnionPay's 扫码 entry)
  '05': 'card', // chip (ICC)
  '07': 'card', // contactless chip
  '10': 'app', // credential on file
  '80': 'card', // chip fallback to magnetic stripe
  '81': 'app', // e-commerce / in-app
  '90': 'card', // magnetic stripe, full track
  '91': 'card', // contactless magnetic stripe
  '95': 'card', // chip, unreliable CVV
  '96': 'qr', // stored value / code payment some networks report for a scanned code
};

/** ISO 4217 numeric → alphabetic codes this slice decides in; any other currency is refused. */
export const CURRENCIES: Readonly<Record<string, string>> = { '156': 'CNY' };

/** The contract field a ContractError names → the ISO 8583 field it came from. */
const FIELD_OF_PATH: Readonly<Record<string, number>> = {
  id: 37, accountId: 2, amount: 4, currency: 49, merchantId: 42, terminalId: 41, mcc: 18, acquirerId: 32, merchantName: 43, ts: 7,
  availableCredit: 54,
};

/**
 * The issuer's open-to-buy from field 54 (additional amounts): blocks of 20 characters — account type
 * (2), amount type (2), currency (3), sign C or D (1), amount in minor units (12) — of which amount
 * type 02 (available balance) in CNY is the one; a debit sign (over the line) reads as 0 left.
 * Undefined when the field carries no such block; an Iso8583FormatError when a block is malformed.
 */
export function availableCredit(field54: string | undefined): number | undefined {
  if (field54 === undefined) return undefined;
  if (field54.length % 20 !== 0) throw new Iso8583FormatError(54, 0, 'blocks of 20 characters: account type, amount type, currency, sign C/D, 12-digit amount');
  for (let i = 0; i < field54.length; i += 20) {
    const block = field54.slice(i, i + 20);
    if (!/^\d{7}[CD]\d{12}$/.test(block)) throw new Iso8583FormatError(54, i, `a block like 0002156C000000150000 (amount type 02, CNY, credit, ¥1,500.00), not "${block}"`);
    if (block.slice(2, 4) !== '02' || block.slice(4, 7) !== '156') continue;
    return block[7] === 'D' ? 0 : Number(block.slice(8));
  }
  return undefined;
}

/** The transaction id of a message: the RRN (37), else terminal + STAN + transmission time. */
export function transactionId(fields: ReadonlyMap<number, string>): string {
  const rrn = fields.get(37)?.trim();
  if (rrn !== undefined && rrn !== '') return rrn;
  const terminal = fields.get(41)?.trim();
  const stan = fields.get(11);
  const sent = fields.get(7);
  if (terminal === undefined || terminal === '' || stan === undefined || sent === undefined) {
    throw new Iso8583FormatError(37, 0, 'field 37 (retrieval reference number), or fields 41, 11 and 7 to make the transaction id from');
  }
  return `${terminal}:${stan}:${sent}`;
}

/**
 * The `transaction` event of a 0100/0200 request; `nowMs` is the server's clock (the year of the
 * date). Throws Iso8583FormatError naming the ISO field when a needed field is missing or does not
 * fit the contract (currency other than 156, amount 0, merchant id of spaces, …).
 */
export function toTransaction(fields: ReadonlyMap<number, string>, cards: CardIndex, nowMs: number): TransactionEvent {
  const need = (no: number, what: string): string => {
    const v = fields.get(no);
    if (v === undefined) throw new Iso8583FormatError(no, 0, `field ${no} (${what}): a payment needs it`);
    return v;
  };
  const pan = need(2, 'primary account number');
  if (pan.length < 12) throw new Iso8583FormatError(2, 0, 'a card number or payment token of 12–19 digits');
  const amount = Number(need(4, 'amount, transaction'));
  const currencyCode = fields.get(49) ?? '156';
  const currency = CURRENCIES[currencyCode];
  if (currency === undefined) throw new Iso8583FormatError(49, 0, `currency 156 (CNY), the only one decided here (got ${currencyCode})`);
  const time = isoEventTime(fields, nowMs);
  const mode = fields.get(22)?.slice(0, 2);
  const channel = mode === undefined ? undefined : ENTRY_MODE_CHANNELS[mode];
  const name = fields.get(43)?.trim();
  const raw: Record<string, unknown> = {
    type: 'transaction',
    id: transactionId(fields),
    ts: time.ts,
    accountId: cards.accountOf(pan).accountId,
    amount,
    currency,
    merchantId: need(42, 'card acceptor identification code').trim(),
    terminalId: need(41, 'card acceptor terminal identification').trim(),
  };
  if (fields.has(18)) raw.mcc = fields.get(18);
  if (fields.has(32)) raw.acquirerId = fields.get(32);
  if (channel !== undefined) raw.channel = channel;
  if (name !== undefined && name !== '') raw.merchantName = name;
  const open = availableCredit(fields.get(54));
  if (open !== undefined) raw.availableCredit = open;
  return contractEvent(raw) as TransactionEvent;
}

/** `raw` through the contract parser, a refusal naming the ISO field the contract field came from. */
function contractEvent(raw: Record<string, unknown>): FkEvent {
  try {
    return parseEvent(raw);
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    const no = FIELD_OF_PATH[e.path] ?? -1;
    throw new Iso8583FormatError(no, 0, `${e.expected} (contract field ${e.path})`);
  }
}

/**
 * The `account_event` of kind `reversal` a 0400/0420 stands for: the reversed payment's id is the
 * RRN (field 37, which switches copy from the original), else the terminal with the original STAN
 * and transmission time from field 90 (original data elements: MTI 4, STAN 6, time 10, …) — the id
 * the original got when it came without an RRN. Field 4 is the amount reversed: less than the
 * payment's makes it a partial reversal. The card gives the account, as for a payment.
 */
export function toReversal(fields: ReadonlyMap<number, string>, cards: CardIndex, nowMs: number): AccountActivityEvent {
  const pan = fields.get(2);
  if (pan === undefined || pan.length < 12) throw new Iso8583FormatError(2, 0, 'a card number or payment token of 12–19 digits: a reversal names the card of the payment');
  let txId: string;
  const rrn = fields.get(37)?.trim();
  if (rrn !== undefined && rrn !== '') txId = rrn;
  else {
    const original = fields.get(90);
    const terminal = fields.get(41)?.trim();
    if (original === undefined || original.length < 20 || terminal === undefined || terminal === '') {
      throw new Iso8583FormatError(37, 0, 'field 37 (the reversed payment\'s retrieval reference number), or fields 41 and 90 (original data elements) to make its id from');
    }
    txId = `${terminal}:${original.slice(4, 10)}:${original.slice(10, 20)}`;
  }
  const raw: Record<string, unknown> = { type: 'account_event', kind: 'reversal', ts: isoEventTime(fields, nowMs).ts, accountId: cards.accountOf(pan).accountId, txId };
  if (fields.has(4)) raw.amount = Number(fields.get(4));
  return contractEvent(raw) as AccountActivityEvent;
}
