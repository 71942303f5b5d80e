import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, vec } from './helpers.js';
import { combine, computeDerived, evaluateRules, scoreOf } from '../../src/rules/evaluate.js';

type Values = Record<string, number | string | boolean>;

/** Does `rule R when <cond>` fire on these builtin values? */
function fires(cond: string, values: Values): boolean {
  const p = compile(`rule R\n  when ${cond}\n  score 1`);
  const hits = new Int32Array(1);
  return evaluateRules(p, vec(p, values), hits) === 1;
}

function table(rows: [string, Values, boolean][]): void {
  for (const [cond, values, want] of rows) {
    assert.equal(fires(cond, values), want, `${cond} on ${JSON.stringify(values)}`);
  }
}

test('unknown numbers never make a comparison true, not even != or under not', () => {
  table([
    ['amount > 5', {}, false],
    ['amount <= 5', {}, false],
    ['amount == 5', {}, false],
    ['amount != 5', {}, false],
    ['amount != hour', { amount: 1 }, false],
    ['amount != hour', { amount: 1, hour: 2 }, true],
    ['not (amount > 5)', {}, false],
    ['not (amount > 5)', { amount: 3 }, true],
    ['not not (amount > 5)', { amount: 6 }, true],
    ['amount > 5 or hour > 5', { hour: 6 }, true],
    ['not (amount > 5 or hour > 5)', { hour: 1 }, false],
    ['not (amount > 5 and hour > 5)', { hour: 1 }, true],
    ['amount in [1, 2]', {}, false],
    ['amount not in [1, 2]', {}, false],
    ['amount not in [1, 2]', { amount: 3 }, true],
  ]);
});

test('strings: unknown is the empty string and never matches', () => {
  table([
    ['channel == "qr"', { channel: 'qr' }, true],
    ['channel != "qr"', { channel: 'qr' }, false],
    ['channel != "qr"', { channel: 'app' }, true],
    ['channel != "qr"', {}, false],
    ['channel in ["qr", "app"]', { channel: 'app' }, true],
    ['channel in ["qr", "app"]', { channel: 'card' }, false],
    ['channel in ["qr", "app"]', {}, false],
    ['channel in ["qr"]', { channel: 'qr' }, true],
    ['channel not in ["qr", "app"]', { channel: 'card' }, true],
    ['channel not in ["qr", "app"]', { channel: 'qr' }, false],
    ['channel not in ["qr", "app"]', {}, false],
    ['channel in []', { channel: 'qr' }, false],
    ['channel not in []', { channel: 'qr' }, true],
    ['channel == merchant', { channel: 'x', merchant: 'x' }, true],
    ['channel == merchant', {}, false],
    ['channel != merchant', { channel: 'x' }, false],
    ['channel != merchant', { channel: 'x', merchant: 'y' }, true],
    ['merchant == "深圳"', { merchant: '深圳' }, true],
    ['merchant == "a\\"b\\\\"', { merchant: 'a"b\\' }, true],
    ['"qr" == channel', { channel: 'qr' }, true],
  ]);
});

test('money and duration literals are minor units and milliseconds', () => {
  table([
    ['amount < ¥50', { amount: 4999 }, true],
    ['amount < ¥50', { amount: 5000 }, false],
    ['amount == ¥49.90', { amount: 4990 }, true],
    ['amount == ¥49.9', { amount: 4990 }, true],
    ['amount == ¥1_000', { amount: 100000 }, true],
    ['amount >= 1_000', { amount: 1000 }, true],
    ['since_last_tx < 10m', { since_last_tx: 599_999 }, true],
    ['since_last_tx < 10m', { since_last_tx: 600_000 }, false],
    ['since_last_tx == 90s', { since_last_tx: 90_000 }, true],
    ['since_last_tx == 2h', { since_last_tx: 7_200_000 }, true],
    ['since_last_tx == 30d', { since_last_tx: 2_592_000_000 }, true],
    ['since_last_tx in [1s, 2s]', { since_last_tx: 2000 }, true],
  ]);
});

test('precedence: or < and < not < comparison < + - < * / < unary minus', () => {
  table([
    // a or b and c  ==  a or (b and c)
    ['is_night or is_round_amount and amount > 5', { is_night: true, is_round_amount: false, amount: 1 }, true],
    ['(is_night or is_round_amount) and amount > 5', { is_night: true, is_round_amount: false, amount: 1 }, false],
    ['not is_night and amount > 5', { is_night: false, amount: 6 }, true],
    ['amount - 100 * 2 == 300', { amount: 500 }, true],
    ['(amount + 100) / 2 == 300', { amount: 500 }, true],
    ['amount - 100 - 100 == 300', { amount: 500 }, true],
    ['amount / 10 / 5 == 10', { amount: 500 }, true],
    ['-amount < 0', { amount: 5 }, true],
    ['- -amount == 5', { amount: 5 }, true],
    ['amount * -1 == -5', { amount: 5 }, true],
    ['2 * amount + hour == 13', { amount: 5, hour: 3 }, true],
    ['hour - amount == -2', { amount: 5, hour: 3 }, true],
  ]);
});

test('division by zero is unknown', () => {
  table([
    ['amount / hour > 1', { amount: 5, hour: 0 }, false],
    ['amount / hour <= 1', { amount: 5, hour: 0 }, false],
    ['not (amount / hour > 1)', { amount: 5, hour: 0 }, false],
    ['amount / 0 > 1', { amount: 5 }, false],
    ['known(amount / hour)', { amount: 5, hour: 0 }, false],
    ['known(amount / hour)', { amount: 5, hour: 1 }, true],
    ['(amount + 1) / (hour - 1) < 100', { amount: 5, hour: 1 }, false],
  ]);
});

test('functions abs, min, max, log, known', () => {
  table([
    ['abs(amount - 100) < 10', { amount: 95 }, true],
    ['abs(-5) == 5', {}, true],
    ['min(amount, 100) == 100', { amount: 500 }, true],
    ['max(amount, hour) == amount', { amount: 5, hour: 3 }, true],
    ['max(amount, hour) > 0', { amount: 5 }, false],
    ['log(amount) > 2', { amount: 10 }, true],
    ['log(amount) > 2', {}, false],
    ['known(channel)', { channel: 'qr' }, true],
    ['known(channel)', {}, false],
    ['not known(channel)', {}, true],
    ['not known(amount)', {}, true],
    ['not known(amount)', { amount: 0 }, false],
    ['known(is_night)', { is_night: false }, true],
    ['known(is_night)', {}, false],
    ['known(amount > 5)', { amount: 1 }, true],
    ['not known(amount > 5 or hour > 5)', {}, true],
  ]);
});

test('booleans: 1 is true, 0 is false, NaN is unknown', () => {
  table([
    ['is_night', { is_night: true }, true],
    ['is_night', { is_night: false }, false],
    ['is_night', {}, false],
    ['not is_night', { is_night: false }, true],
    ['not is_night', {}, false],
    ['is_night == true', { is_night: true }, true],
    ['is_night == false', { is_night: false }, true],
    ['is_night == false', {}, false],
    ['is_night != is_round_amount', { is_night: true, is_round_amount: false }, true],
    ['is_night != is_round_amount', { is_night: true }, false],
    ['is_night == is_round_amount', { is_night: false, is_round_amount: false }, true],
    ['true', {}, true],
    ['false or amount > 1', { amount: 2 }, true],
  ]);
});

test('derived features: numbers and booleans (1/0/NaN), computed in order', () => {
  const p = compile(`
feature ratio = amount / mean_amount_30d
feature big = ratio > 3
feature big_night = big and is_night
rule R
  when big_night
  score 1
`);
  const v = vec(p, { amount: 1000, mean_amount_30d: 200, is_night: true });
  computeDerived(p, v);
  assert.deepEqual([...v.num.slice(-3)], [5, 1, 1]);
  const u = vec(p, { amount: 1000 });
  computeDerived(p, u);
  assert.ok(u.num.slice(-3).every((x) => Number.isNaN(x)));
  const w = vec(p, { amount: 100, mean_amount_30d: 200 });
  computeDerived(p, w);
  assert.deepEqual([...w.num.slice(-3)].map(String), ['0.5', '0', '0']);
  const hits = new Int32Array(1);
  assert.equal(evaluateRules(p, v, hits), 1);
  assert.equal(evaluateRules(p, w, hits), 0);
});

test('window filters are predicates on builtins', () => {
  const p = compile(`
feature small = count by account over 10m where amount < ¥50 and channel in ["qr"]
rule R
  when small >= 5
  score 1
`);
  const f = p.windows[0].filter;
  assert.ok(f);
  assert.equal(f(vec(p, { amount: 4000, channel: 'qr' })), true);
  assert.equal(f(vec(p, { amount: 4000, channel: 'app' })), false);
  assert.equal(f(vec(p, { channel: 'qr' })), false);
});

test('evaluateRules lists matching rule indices; combine sums points and takes the highest outcome', () => {
  const p = compile(`
setting score.scale = 50
rule A
  when amount > 10
  score 30
rule B
  when amount > 20
  outcome challenge
rule C
  when amount > 30
  outcome review
  score 20
rule D
  when amount > 1000
  outcome decline
`);
  const hits = new Int32Array(p.rules.length);
  const n = evaluateRules(p, vec(p, { amount: 40 }), hits);
  assert.deepEqual([...hits.subarray(0, n)], [0, 1, 2]);
  const c = combine(p, hits, n);
  assert.equal(c.points, 50);
  assert.equal(c.score, 50);
  assert.equal(c.ruleOutcome, 'challenge');
  assert.equal(c.outcome, 'challenge');
  const m = evaluateRules(p, vec(p, { amount: 15 }), hits);
  const d = combine(p, hits, m);
  assert.equal(d.points, 30);
  assert.equal(d.ruleOutcome, 'approve');
  assert.equal(d.outcome, 'approve'); // score 37.5 < review 40
  assert.equal(scoreOf(-5, 50), 0);
});

test('outcome allow: turns a review or challenge (by rule or by score) into approve, never a decline', () => {
  const p = compile(`
setting score.scale = 50
setting score.review = 40
setting score.challenge = 60
setting score.decline = 80
rule TRUSTED
  when hour == 1
  outcome allow
rule ASKS_REVIEW
  when amount > 10
  outcome review
rule ASKS_CHALLENGE
  when amount > 20
  outcome challenge
rule ASKS_DECLINE
  when amount > 1000
  outcome decline
rule POINTS
  when is_night
  score 250
`);
  const hits = new Int32Array(p.rules.length);
  const outcome = (values: Record<string, number | boolean>): [string, boolean, number] => {
    const c = combine(p, hits, evaluateRules(p, vec(p, values), hits));
    return [c.outcome, c.allowed, c.score];
  };
  assert.deepEqual(outcome({ amount: 15, hour: 2 }), ['review', false, 0]);
  assert.deepEqual(outcome({ amount: 15, hour: 1 }), ['approve', true, 0]);
  assert.deepEqual(outcome({ amount: 25, hour: 1 }), ['approve', true, 0]);
  assert.deepEqual(outcome({ amount: 2000, hour: 1 }), ['decline', true, 0]);
  // the score's own decline (250 points → 83.3) stands too; the score is never lowered
  const [o, allowed, score] = outcome({ amount: 5, hour: 1, is_night: true });
  assert.deepEqual([o, allowed], ['decline', true]);
  assert.ok(score > 83 && score < 84);
  // allow alone: approve (it never raises anything either)
  assert.deepEqual(outcome({ amount: 5, hour: 1, is_night: false }), ['approve', true, 0]);
  assert.equal(p.rules[0].outcome, 'allow');
});
