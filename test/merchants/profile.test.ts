// Merchant and terminal ratings from traffic, in the engine: each driver (cash-out shapes from many
// accounts, code jumping, relocation, second clearing, confirmed fraud) raises the rating and is
// named; clean traffic rates A; the 7-day window forgets; a rating read changes nothing the next
// decision sees; rules can use merchant_risk_score and terminal_risk_score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { BUILTINS, N } from '../../src/features/catalog.js';
import { gradeOf } from '../../src/features/merchant-profile.js';
import { ratingOf } from '../../src/merchants/view.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { account, at, baseWorld, DAY, defaultPolicy, GZ, HOUR, MIN, tx } from '../engine/world.js';

type Obj = Record<string, unknown>;
const T = 10 * HOUR;
const M2 = { merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' };

function engineWith(events: Obj[], policy = defaultPolicy()): Engine {
  const e = new Engine(policy);
  for (const x of [...baseWorld(), ...events]) e.apply(parseEvent(x));
  return e;
}

function accounts(n: number): Obj[] {
  return Array.from({ length: n }, (_, i) => account(`B${i}`));
}

const drivers = (e: Engine, kind: 'merchant' | 'terminal', id: string): string[] => ratingOf(e, kind, id).drivers.map((d) => d.driver);

test('clean traffic rates A with no drivers', () => {
  const e = engineWith([tx(T), tx(T + HOUR)]);
  const r = ratingOf(e, 'merchant', 'M1');
  assert.deepEqual([r.score, r.grade, r.drivers], [0, 'A', []]);
  assert.equal(r.volume.payments, 2);
  assert.equal(r.volume.amountFen, 20_000);
});

test('cash-out shapes from many accounts raise the merchant\'s rating; from one account they barely do', () => {
  const ring = engineWith([...accounts(6), ...[0, 1, 2, 3, 4, 5].map((i) => tx(T + i * MIN, { accountId: `B${i}`, deviceId: `E${i}`, amount: 500_000 }))]);
  const r = ratingOf(ring, 'merchant', 'M1');
  assert.equal(r.drivers[0].driver, 'cashout');
  assert.equal(r.drivers[0].evidence.accounts, 6);
  assert.ok(r.score >= 30, String(r.score));
  const one = engineWith([...accounts(1), ...[0, 1, 2, 3, 4, 5].map((i) => tx(T + i * MIN, { accountId: 'B0', deviceId: 'E0', amount: 500_000 }))]);
  assert.ok(ratingOf(one, 'merchant', 'M1').score < r.score / 4);
});

test('code jumping, relocation and second clearing are each named on the terminal or merchant', () => {
  const jump = engineWith([...accounts(3), ...[0, 1, 2].map((i) => tx(T + i * MIN, { ...M2, accountId: `B${i}`, deviceId: `E${i}` }))]);
  assert.deepEqual(drivers(jump, 'terminal', 'T1'), ['code_jumping']);
  const moved = engineWith([...accounts(3), ...[0, 1, 2].map((i) => tx(T + i * MIN, { accountId: `B${i}`, deviceId: `E${i}`, geo: GZ }))]);
  assert.deepEqual(drivers(moved, 'terminal', 'T1'), ['relocation']);
  const clearing = engineWith([...accounts(3), ...[0, 1, 2].map((i) => tx(T + i * MIN, { accountId: `B${i}`, deviceId: `E${i}`, acquirerId: '48029999' }))]);
  assert.equal(drivers(clearing, 'merchant', 'M1')[0], 'second_clearing');
  assert.ok(ratingOf(clearing, 'merchant', 'M1').score >= 40);
});

test('a merchant labelled fraudulent rates E from the label on', () => {
  const e = engineWith([tx(T), { type: 'label', ts: at(T + HOUR), merchantId: 'M1', fraud: true }]);
  const r = ratingOf(e, 'merchant', 'M1');
  assert.deepEqual([r.drivers[0].driver, r.grade], ['confirmed_fraud', 'E']);
  assert.equal(gradeOf(79.99), 'D');
});

test('the builtins read the rating before the payment; a rating read moves nothing; the window forgets after 7 days', () => {
  const jumps = [0, 1, 2, 3].map((i) => tx(T + i * MIN, { ...M2, accountId: i % 2 ? 'A1' : 'B0', deviceId: `E${i}` }));
  const e = engineWith([...accounts(1), ...jumps]);
  const before = ratingOf(e, 'terminal', 'T1').score;
  ratingOf(e, 'terminal', 'T1'); // a read: must not move the engine's own profile
  e.decide(parseEvent(tx(T + HOUR)) as never);
  assert.equal(e.lastVector.num[N.terminal_risk_score], before, 'the score of the traffic before this payment');
  assert.ok(before > 0);
  const later = engineWith([...accounts(1), ...jumps, tx(T + 8 * DAY)]);
  assert.equal(later.lastVector.num[N.terminal_risk_score], 0, 'a week later the jumps are out of the window');
  assert.equal(BUILTINS.lookup('merchant_risk_score')?.type, 'number');
  assert.equal(BUILTINS.lookup('terminal_suspended')?.type, 'boolean');
});

test('a rule may use the ratings', () => {
  const policy = compilePolicy(
    [{ file: 'risky.fk', text: 'rule RISKY_TERMINAL\n  when terminal_risk_score >= 20 and amount >= ¥50\n  outcome review\n  score 10\n' }],
    BUILTINS,
    'risky',
  );
  const jumps = [0, 1, 2, 3].map((i) => tx(T + i * MIN, { ...M2, accountId: i % 2 ? 'A1' : 'B0', deviceId: `E${i}` }));
  const e = engineWith([...accounts(1)], policy);
  const first = e.apply(parseEvent(tx(T - HOUR)))!;
  assert.equal(first.outcome, 'approve');
  for (const j of jumps) e.apply(parseEvent(j));
  const d = e.apply(parseEvent(tx(T + HOUR)))!;
  assert.deepEqual([d.outcome, d.reasons[0].code], ['review', 'RISKY_TERMINAL']);
});
