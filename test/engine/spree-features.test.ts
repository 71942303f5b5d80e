// The default policy's spree features (rules/15-baselines.fk): an account's payments of the last week far
// above its own mean, counted and measured at its next payment — and forgotten once they are a week old.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { numericSlotNames } from '../../src/model/feature-names.js';
import { account, DAY, defaultPolicy, HOUR, registry, tx } from './world.js';

type Obj = Record<string, unknown>;

/** A1's six ordinary ¥100 payments 20–15 days ago, ¥1,000 payments `outsizedDaysAgo`, then ¥100 now. */
function history(outsizedDaysAgo: readonly number[]): Obj[] {
  const ev: Obj[] = [...registry(), account('A1')];
  for (let d = 20; d >= 15; d--) ev.push(tx(-d * DAY + 12 * HOUR, { amount: 10_000 }));
  for (const d of outsizedDaysAgo) ev.push(tx(-d * DAY + 12 * HOUR, { amount: 100_000 }));
  ev.push(tx(12 * HOUR, { amount: 10_000 }));
  return ev;
}

/** The default policy's features named `names` at the last payment of `events`. */
function featuresAtLast(events: Obj[], names: readonly string[]): Record<string, number> {
  const policy = defaultPolicy();
  const engine = new Engine(policy);
  for (const e of events) engine.apply(parseEvent(e));
  const slots = numericSlotNames(policy);
  const num = engine.lastVector.num;
  return Object.fromEntries(
    names.map((n) => {
      const slot = slots.indexOf(n);
      assert.ok(slot >= 0, `the default policy declares ${n}`);
      return [n, num[slot]];
    }),
  );
}

const NAMES = ['account_outsized_7d', 'account_tx_7d', 'account_outsized_share_7d', 'account_peak_vs_mean_7d'];

test('an ordinary payment in the week of two outsized ones carries the spree', () => {
  const f = featuresAtLast(history([3, 2]), NAMES);
  assert.equal(f.account_outsized_7d, 2);
  assert.equal(f.account_tx_7d, 3, 'the two outsized payments and this one');
  assert.ok(Math.abs(f.account_outsized_share_7d - 2 / 3) < 1e-9, `share ${f.account_outsized_share_7d}`);
  // the first ¥1,000 was ten times a ¥100 mean; the second about 6× a mean the first pulled up
  assert.ok(f.account_peak_vs_mean_7d > 9 && f.account_peak_vs_mean_7d <= 10, `peak ${f.account_peak_vs_mean_7d}`);
});

test('outsized payments more than a week old leave the next payment ordinary', () => {
  const f = featuresAtLast(history([10, 9]), NAMES);
  assert.equal(f.account_outsized_7d, 0);
  assert.equal(f.account_tx_7d, 1);
  assert.equal(f.account_outsized_share_7d, 0);
  assert.ok(f.account_peak_vs_mean_7d < 1, `peak ${f.account_peak_vs_mean_7d}: only this ¥100 against a mean the ¥1,000s raised`);
});

test('one large payment is not a spree of two', () => {
  const f = featuresAtLast(history([2]), NAMES);
  assert.equal(f.account_outsized_7d, 1);
  assert.ok(Math.abs(f.account_peak_vs_mean_7d - 10) < 1e-9, `peak ${f.account_peak_vs_mean_7d}`);
});
