// The running totals of a shadow, by hand: outcomes, transitions, agreement, reason hits, payments
// newly declined, and labels (a later label of the same payment replaces the earlier one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShadowTally } from '../../src/policy/shadow-tally.js';

test('the tally counts outcomes, transitions, hits and money, and labels move payments between fraud and legitimate', () => {
  const t = new ShadowTally();
  assert.equal(t.view().agreementRate, null);
  t.add('default', 1_000, 'approve', [], 'approve', []);
  t.add('default', 2_000, 'approve', [], 'decline', ['NEW']);
  t.add('v3', 3_000, 'review', ['OLD'], 'decline', ['NEW', 'OLD']);
  t.add('v3', 4_000, 'challenge', ['OLD'], 'approve', []);
  const v = t.view();
  assert.equal(v.transactions, 4);
  assert.equal(v.changed, 3);
  assert.equal(v.agreementRate, 0.25);
  assert.deepEqual(v.livePolicies, ['default', 'v3']);
  assert.deepEqual(v.outcomes.live, { approve: 2, review: 1, challenge: 1, decline: 0 });
  assert.deepEqual(v.outcomes.shadow, { approve: 2, review: 0, challenge: 0, decline: 2 });
  assert.deepEqual(v.transitions.approve, { approve: 1, review: 0, challenge: 0, decline: 1 });
  assert.deepEqual(v.transitions.challenge, { approve: 1, review: 0, challenge: 0, decline: 0 });
  assert.deepEqual(v.hits, { live: { OLD: 2 }, shadow: { NEW: 2, OLD: 1 } });
  assert.deepEqual(v.alertRate, { live: 0.5, shadow: 0.5 });
  assert.deepEqual(v.newlyDeclined, { count: 2, amount: 5_000, fraudAmount: 0, legitimateAmount: 5_000 });
  assert.deepEqual(v.newlyApproved, { count: 1, amount: 4_000, fraudAmount: 0 });
  assert.deepEqual(v.money.shadow, { legitimateDeclined: 5_000, legitimateFlagged: 5_000, fraudStopped: 0, fraudMissed: 0 });

  t.label('tx-2', true, { amount: 2_000, live: 'approve', shadow: 'decline' });
  t.label('tx-4', true, { amount: 4_000, live: 'challenge', shadow: 'approve' });
  t.label('tx-1', false, { amount: 1_000, live: 'approve', shadow: 'approve' });
  const l = t.view();
  assert.deepEqual(l.labels, { labelled: 3, fraud: 2, legitimate: 1 });
  assert.deepEqual(l.fraud.live, { caught: 1, caughtAmount: 4_000, declined: 0, declinedAmount: 0, missed: 1, missedAmount: 2_000 });
  assert.deepEqual(l.fraud.shadow, { caught: 1, caughtAmount: 2_000, declined: 1, declinedAmount: 2_000, missed: 1, missedAmount: 4_000 });
  assert.deepEqual(l.money.shadow, { legitimateDeclined: 3_000, legitimateFlagged: 3_000, fraudStopped: 2_000, fraudMissed: 4_000 });
  assert.deepEqual(l.money.live, { legitimateDeclined: 0, legitimateFlagged: 3_000, fraudStopped: 4_000, fraudMissed: 2_000 });
  assert.deepEqual(l.newlyDeclined, { count: 2, amount: 5_000, fraudAmount: 2_000, legitimateAmount: 3_000 });
  assert.deepEqual(l.newlyApproved, { count: 1, amount: 4_000, fraudAmount: 4_000 });

  // a chargeback reversed: tx-2 is legitimate after all
  t.label('tx-2', false, { amount: 2_000, live: 'approve', shadow: 'decline' });
  const r = t.view();
  assert.deepEqual(r.labels, { labelled: 3, fraud: 1, legitimate: 2 });
  assert.equal(r.money.shadow.legitimateDeclined, 5_000);
  assert.equal(r.fraud.shadow.caught, 0);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'plain JSON');
});
