// Credit the engine can trust (src/features/credit-books.ts): the issuer's open-to-buy on a payment
// sets the account's books and decides over-limit by itself; a payment the issuer authorises that
// the engine's own arithmetic would have declined is a contradiction, after which that arithmetic
// only adds to the score (OVER_LIMIT_BY_OWN_BOOKS) for 7 days of event time; a refund frees credit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { ContractError } from '../../src/errors.js';
import type { Decision } from '../../src/engine/decision.js';
import { Engine } from '../../src/engine/engine.js';
import { N } from '../../src/features/catalog.js';
import { account, at, baseWorld, DAY, defaultPolicy, HOUR, tx } from '../engine/world.js';

type Obj = Record<string, unknown>;
const T = 10 * HOUR;
const codes = (d: Decision): string[] => d.reasons.map((r) => r.code);

/** An engine after the base world plus `events`; `pay` decides one more. */
function world(events: Obj[]): { engine: Engine; pay: (e: Obj) => Decision } {
  const engine = new Engine(defaultPolicy());
  for (const e of [...baseWorld(), ...events]) engine.apply(parseEvent(e));
  return { engine, pay: (e) => engine.apply(parseEvent(e)) as Decision };
}

/** `who` (a ¥20,000 line) spends ¥19,000 in four payments on the morning of DAY0 and repays it by bank transfer — which the stream never carries. */
function drifted(who: string): Obj[] {
  return [account(who), ...[0, 1, 2, 3].map((i) => tx(T - 4 * HOUR + i * HOUR, { accountId: who, deviceId: `dev-${who}`, amount: 475_000, merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃' }))];
}

test("the issuer's figure decides over-limit and sets the books", () => {
  const { engine, pay } = world([]);
  const d = pay(tx(T, { amount: 600_000, availableCredit: 500_000 }));
  assert.equal(d.outcome, 'decline');
  assert.deepEqual(codes(d).slice(0, 1), ['OVER_LIMIT'], "¥6,000 against the issuer's ¥5,000 left");
  assert.equal(engine.lastVector.num[N.issuer_available_credit], 500_000);
  assert.equal(engine.lastVector.num[N.available_credit], 500_000);
  assert.equal(engine.account('A1')?.outstanding, 1_500_000, 'the books are the issuer\'s: ¥15,000 used of ¥20,000');
  assert.equal(engine.reference.issuerCredit, 1);
  assert.equal(engine.reference.creditContradictions, 0, 'the issuer agrees: over the limit by both books');
  const within = pay(tx(T + HOUR, { amount: 40_000 }));
  assert.equal(within.outcome, 'approve', 'the next payment, without a figure, is judged on the books the issuer set');
  assert.equal(engine.lastVector.num[N.available_credit], 500_000);
});

test('a contradiction makes the own arithmetic a signal for 7 days, then a verdict again', () => {
  const { engine, pay } = world([...drifted('B1'), ...drifted('B2')]);
  // B1 pays ¥2,000 by card: the engine thinks ¥1,000 is left, the issuer ¥20,000 (the repayment it saw)
  const card = pay(tx(T, { accountId: 'B1', deviceId: 'dev-B1', amount: 200_000, availableCredit: 2_000_000, channel: 'card' }));
  assert.equal(card.outcome, 'approve', codes(card).join());
  assert.equal(engine.reference.creditContradictions, 1);
  assert.equal(engine.account('B1')?.outstanding, 200_000, 'the books set to the issuer\'s (nothing owed), then this payment');
  // B2, drifted the same way, pays by QR without a figure: the arithmetic only adds to the score
  const qr = pay(tx(T + HOUR, { accountId: 'B2', deviceId: 'dev-B2', amount: 200_000 }));
  assert.ok(codes(qr).includes('OVER_LIMIT_BY_OWN_BOOKS'), codes(qr).join());
  assert.ok(!codes(qr).includes('OVER_LIMIT'));
  assert.notEqual(qr.outcome, 'decline');
  assert.equal(engine.lastVector.num[N.available_credit_trusted], 0);
  // eight days on with no contradiction: the arithmetic declines again
  for (let i = 0; i < 16; i++) engine.apply(parseEvent({ ...account(`C${i}`), ts: at(T + 8 * DAY + i * 1000) }));
  const later = pay(tx(T + 8 * DAY + HOUR, { accountId: 'B2', deviceId: 'dev-B2', amount: 200_000 }));
  assert.equal(later.outcome, 'decline');
  assert.equal(codes(later)[0], 'OVER_LIMIT');
});

test('a refund frees the credit its payment used', () => {
  const { engine, pay } = world(drifted('B1'));
  assert.equal(pay(tx(T, { accountId: 'B1', deviceId: 'dev-B1', amount: 200_000 })).outcome, 'decline', '¥1,000 left');
  engine.apply(parseEvent({ type: 'account_event', ts: at(T + HOUR), accountId: 'B1', kind: 'refund', amount: 475_000, txId: 'any' }));
  const after = pay(tx(T + 2 * HOUR, { accountId: 'B1', deviceId: 'dev-B1', amount: 200_000 }));
  assert.equal(after.outcome, 'approve', codes(after).join());
  assert.equal(engine.account('B1')?.outstanding, 19_000_00 - 475_000 + 200_000);
});

test('the contract: availableCredit is fen from 0, a refund needs its amount', () => {
  assert.equal((parseEvent(tx(T, { availableCredit: 0 })) as { availableCredit?: number }).availableCredit, 0);
  assert.throws(() => parseEvent(tx(T, { availableCredit: -1 })), (e: unknown) => e instanceof ContractError && e.path === 'availableCredit');
  assert.throws(() => parseEvent(tx(T, { availableCredit: 12.5 })), (e: unknown) => e instanceof ContractError && e.path === 'availableCredit');
  assert.throws(() => parseEvent({ type: 'account_event', ts: at(T), accountId: 'A1', kind: 'refund' }), (e: unknown) => e instanceof ContractError && e.path === 'amount');
});
