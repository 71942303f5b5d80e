// From ISO 8583 fields to the contract's transaction, the year across New Year, and the answers:
// response codes from decisions, the private field 48, the echoed fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractError, Iso8583FormatError } from '../../src/errors.js';
import { parseEvent } from '../../src/contract/parse.js';
import { answerTo, privateField, responseCode, responseMti, RESPONSE_CODES } from '../../src/iso8583/answers.js';
import { toTransaction, transactionId } from '../../src/iso8583/mapping.js';
import { isoEventTime } from '../../src/iso8583/time.js';
import { CardIndex, cardTokenizer } from '../../src/server/card-index.js';

const fields = (o: Record<number, string>): Map<number, string> => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));
const NOW = Date.parse('2026-12-06T12:00:00+08:00');
const BASE = {
  2: '6222021234567890123', 3: '000000', 4: '000000012345', 7: '1206035958', 11: '000042', 12: '115958', 13: '1206',
  18: '5411', 22: '051', 32: '48021000', 37: '123456789012', 41: 'T0A11F93', 42: '898440358120001',
  43: '深圳华强电子商行'.padEnd(20, ' '), 49: '156',
};

function throwsField(fn: () => unknown, field: number): void {
  assert.throws(fn, (e: unknown) => e instanceof Iso8583FormatError && e.field === field, `expected a format error naming field ${field}`);
}

describe('time and year', () => {
  it('12/13 are Shanghai local time; the year is the one nearest the server clock, across New Year both ways', () => {
    // server at 08:00:01 on 1 January 2027 in Shanghai; a till stamped 07:59:58 that day
    assert.equal(isoEventTime(fields({ 12: '075958', 13: '0101' }), Date.parse('2027-01-01T08:00:01+08:00')).ts, '2027-01-01T07:59:58+08:00');
    // server just past midnight of New Year; the payment was a few seconds before it: the old year
    assert.equal(isoEventTime(fields({ 12: '235958', 13: '1231' }), Date.parse('2027-01-01T00:00:01+08:00')).ts, '2026-12-31T23:59:58+08:00');
    // server a second before midnight (its clock slow); the till already in the new year
    const t = isoEventTime(fields({ 12: '000001', 13: '0101' }), Date.parse('2026-12-31T23:59:59+08:00'));
    assert.equal(t.ts, '2027-01-01T00:00:01+08:00');
    assert.equal(t.t, Date.parse('2027-01-01T00:00:01+08:00'));
  });

  it('without 12/13 field 7 (UTC) is used, shown at +08:00', () => {
    assert.equal(isoEventTime(fields({ 7: '1231160001' }), Date.parse('2026-12-31T16:00:02Z')).ts, '2027-01-01T00:00:01+08:00');
  });

  it('impossible or far dates name their field', () => {
    throwsField(() => isoEventTime(fields({ 12: '120000', 13: '1301' }), NOW), 13);
    throwsField(() => isoEventTime(fields({ 12: '250000', 13: '1201' }), NOW), 12);
    throwsField(() => isoEventTime(fields({ 12: '120000', 13: '0229' }), Date.parse('2027-03-01T00:00:00Z')), 13);
    throwsField(() => isoEventTime(fields({ 3: '000000' }), NOW), 7);
  });
});

describe('mapping to a transaction', () => {
  const cards = new CardIndex(cardTokenizer(null));

  it("field 54's available balance (amount type 02, CNY) is the issuer's open-to-buy; a debit sign is nothing left; a malformed block names field 54", () => {
    assert.equal(toTransaction(fields(BASE), cards, NOW).availableCredit, undefined);
    // a ledger balance (01) first, then the available balance (02): ¥1,500.00
    const two = '0001156C000000990000' + '0002156C000000150000';
    assert.equal(toTransaction(fields({ ...BASE, 54: two }), cards, NOW).availableCredit, 150_000);
    assert.equal(toTransaction(fields({ ...BASE, 54: '0002156D000000001000' }), cards, NOW).availableCredit, 0);
    assert.equal(toTransaction(fields({ ...BASE, 54: '0002840C000000150000' }), cards, NOW).availableCredit, undefined, 'another currency is not the line');
    throwsField(() => toTransaction(fields({ ...BASE, 54: '0002156X000000150000' }), cards, NOW), 54);
    throwsField(() => toTransaction(fields({ ...BASE, 54: '0002156C00000015' }), cards, NOW), 54);
  });

  it('maps the fields of the contract; an unknown card is its own token', () => {
    const tx = toTransaction(fields(BASE), cards, NOW);
    assert.equal(tx.id, '123456789012');
    assert.equal(tx.ts, '2026-12-06T11:59:58+08:00');
    assert.equal(tx.amount, 12345);
    assert.equal(tx.currency, 'CNY');
    assert.equal(tx.merchantId, '898440358120001');
    assert.equal(tx.terminalId, 'T0A11F93');
    assert.equal(tx.mcc, '5411');
    assert.equal(tx.acquirerId, '48021000');
    assert.equal(tx.channel, 'card');
    assert.equal(tx.merchantName, '深圳华强电子商行');
    assert.match(tx.accountId, /^card:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(tx).includes(BASE[2]));
  });

  it('a registered card maps to its account', () => {
    const c = new CardIndex(cardTokenizer(null));
    const ev = c.sealEvent({ type: 'account', ts: '2026-01-01T00:00:00+08:00', t: 0, accountId: 'acc-7781', creditLimit: 1, cardNumber: BASE[2] });
    assert.equal(ev.cardNumber, undefined);
    assert.ok(!JSON.stringify(ev).includes(BASE[2]));
    c.learn([ev]);
    assert.deepEqual(c.accountOf(BASE[2]), { accountId: 'acc-7781', known: true });
    const again = new CardIndex(cardTokenizer(null));
    again.learnJournaled(JSON.stringify(ev));
    assert.equal(toTransaction(fields(BASE), again, NOW).accountId, 'acc-7781');
  });

  it('entry mode 03 is a scanned code; no RRN: terminal + STAN + transmission time', () => {
    const { 37: _rrn, ...noRrn } = BASE;
    assert.equal(transactionId(fields(noRrn)), 'T0A11F93:000042:1206035958');
    assert.equal(toTransaction(fields({ ...BASE, 22: '031' }), cards, NOW).channel, 'qr');
    assert.equal(toTransaction(fields({ ...BASE, 22: '001' }), cards, NOW).channel, undefined);
  });

  it('refusals name the ISO field: currency, missing merchant, zero amount, short card, no time', () => {
    throwsField(() => toTransaction(fields({ ...BASE, 49: '840' }), cards, NOW), 49);
    const { 42: _m, ...noMerchant } = BASE;
    throwsField(() => toTransaction(fields(noMerchant), cards, NOW), 42);
    throwsField(() => toTransaction(fields({ ...BASE, 4: '000000000000' }), cards, NOW), 4);
    throwsField(() => toTransaction(fields({ ...BASE, 2: '12345' }), cards, NOW), 2);
    throwsField(() => toTransaction(fields({ ...BASE, 42: '               ' }), cards, NOW), 42);
  });
});

describe('answers', () => {
  const d = (outcome: string, codes: string[] = []) => ({ outcome, score: 42.5, reasons: codes.map((code) => ({ code })), seq: 1234567 });

  it('response codes: approve/review 00, challenge 1A, frozen 62, credit and merchant-side declines 05, fraud 59', () => {
    assert.equal(responseCode(d('approve')), '00');
    assert.equal(responseCode(d('review', ['UNREGISTERED_ACCOUNT'])), '00');
    assert.equal(responseCode(d('challenge', ['STEP_UP_REQUIRED'])), '1A');
    assert.equal(responseCode(d('decline', ['OVER_LIMIT', 'ACCOUNT_FROZEN'])), '62');
    assert.equal(responseCode(d('decline', ['OVER_LIMIT'])), '05');
    assert.equal(responseCode(d('decline', ['TERMINAL_SUSPENDED'])), '05');
    assert.equal(responseCode(d('decline', [])), '05');
    assert.equal(responseCode(d('decline', ['CASHOUT_RING', 'OVER_LIMIT'])), '59');
    assert.equal(responseCode(d('decline', ['LIST_BLOCKED_DEVICE'])), '59');
  });

  it('field 48: FK1|O=…|S=…|R=…, cut at whole codes within 999 bytes', () => {
    assert.equal(privateField(d('decline', ['A', 'B'])), 'FK1|O=decline|S=42.5|R=A,B');
    assert.equal(privateField(d('approve')), 'FK1|O=approve|S=42.5|R=');
    const many = privateField(d('decline', Array.from({ length: 200 }, (_, i) => `REASON_CODE_${i}`)));
    assert.ok(many.length <= 999, String(many.length));
    assert.match(many, /,\+\d+$/);
  });

  it('the answer: MTI + 10, echoed fields present in the request, 39 set', () => {
    assert.equal(responseMti('0100'), '0110');
    assert.equal(responseMti('0420'), '0430');
    assert.equal(responseMti('0210'), null);
    const a = answerTo({ mti: '0200', fields: fields({ ...BASE, 22: '051', 43: 'x' }) }, RESPONSE_CODES.approved);
    assert.equal(a.mti, '0210');
    assert.deepEqual([...a.fields.keys()].sort((x, y) => x - y), [2, 3, 4, 7, 11, 12, 13, 32, 37, 39, 41, 42, 49]);
    assert.equal(a.fields.get(39), '00');
  });
});

describe('the contract: cardNumber on account events', () => {
  const base = { type: 'account', ts: '2026-01-03T10:00:00+08:00', accountId: 'acc-1', creditLimit: 100 };
  it('accepts 12–19 digits, refuses anything else naming the field, and never reads a cardToken from input', () => {
    assert.equal((parseEvent({ ...base, cardNumber: '622202123456' }) as { cardNumber?: string }).cardNumber, '622202123456');
    for (const bad of ['62220212345', '62220212345678901234', '6222 0212 3456', 6222021234567890]) {
      assert.throws(() => parseEvent({ ...base, cardNumber: bad }), (e: unknown) => e instanceof ContractError && e.path === 'cardNumber');
    }
    assert.equal((parseEvent({ ...base, cardToken: 'card:forged' }) as { cardToken?: string }).cardToken, undefined);
  });
});
