// Reading the stored live decisions: the fast scanner agrees with JSON.parse on the server's shape
// and gives way to it on anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLiveDecision, scanAnswer } from '../../src/policy/backtest-live.js';

const answer = (o: Record<string, unknown>): string =>
  JSON.stringify({ txId: 'tx-1', outcome: 'approve', score: 0, reasons: [], policy: 'default', seq: 3, latencyUs: 12, ...o });

test('live decisions: the scanner reads the server answers exactly as JSON.parse does', () => {
  const cases = [
    answer({}),
    answer({ outcome: 'challenge', score: 47.3684, reasons: [{ code: 'NEW_DEVICE_AFTER_PHONE_CHANGE' }] }),
    answer({ outcome: 'decline', score: 85.5, reasons: [{ code: 'A' }, { code: 'B_2' }, { code: 'MODEL_AMOUNT_VS_MEAN' }] }),
    answer({ txId: '', outcome: 'review', score: 1e-7, reasons: [{ code: '' }] }),
    answer({ txId: 'tx,"outcome":"decline"', outcome: 'approve' }), // escaped quotes: left to JSON.parse
    JSON.stringify({ txId: 'tx-1', outcome: 'review', score: 40, reasons: [{ code: 'X' }] }), // no policy
  ];
  for (const text of cases) {
    const v = JSON.parse(text);
    const expected = { outcome: v.outcome, score: v.score, reasons: v.reasons, policy: v.policy ?? '' };
    assert.deepEqual(readLiveDecision(text), expected, text);
    const scanned = scanAnswer(text);
    if (scanned !== null) assert.deepEqual(scanned, expected, text);
  }
  assert.notEqual(scanAnswer(cases[2]), null, 'the common shape takes the fast path');
  assert.equal(scanAnswer(cases[4]), null, 'a backslash sends the text to JSON.parse');
});

test('live decisions: other shapes go through JSON.parse; unreadable ones are null', () => {
  assert.deepEqual(readLiveDecision('{"outcome":"decline","reasons":[{"code":"R"},{"x":1}],"policy":"p"}'), {
    outcome: 'decline', score: null, reasons: [{ code: 'R' }], policy: 'p',
  });
  assert.deepEqual(readLiveDecision('{"txId":"a","outcome":"review","score":null,"reasons":[]}'), {
    outcome: 'review', score: null, reasons: [], policy: '',
  });
  assert.equal(readLiveDecision('{"outcome":"maybe"}'), null);
  assert.equal(readLiveDecision('not json'), null);
  assert.equal(readLiveDecision('[1]'), null);
});
