import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaymentIndex } from '../../src/features/payment-index.js';

test('payment index: positions stay valid across chunks, old payments are forgotten oldest first', () => {
  const ix = new PaymentIndex();
  const n = 150_000; // more than two chunks of 65,536
  for (let i = 0; i < n; i++) ix.add(`tx${i}`, `a${i % 7}`, i * 1000, i % 11, i % 13);
  assert.equal(ix.size, n);
  const p = ix.find('tx70000');
  assert.ok(p >= 0);
  assert.deepEqual([ix.time(p), ix.account(p), ix.terminal(p), ix.merchant(p), ix.isFraud(p)], [70_000_000, `a${70000 % 7}`, 70000 % 11, 70000 % 13, false]);
  ix.setFraud(p, true);
  assert.equal(ix.isFraud(ix.find('tx70000')), true);
  ix.forgetUpTo(99_999 * 1000);
  assert.equal(ix.size, n - 100_000);
  assert.equal(ix.has('tx99999'), false);
  assert.equal(ix.find('tx0'), -1);
  assert.equal(ix.has('tx100000'), true);
  const q = ix.find('tx149999');
  assert.equal(ix.time(q), 149_999_000);
  for (let i = n; i < n + 10; i++) ix.add(`tx${i}`, 'a', i * 1000, 0, 0);
  assert.equal(ix.time(ix.find(`tx${n + 9}`)), (n + 9) * 1000);
});
