// The shared tally by hand: counts and money per outcome, fraud caught and missed, label counts,
// per-code hits (a code counted once per payment), the transitions of two policies, and merge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figuresOf, labelCounts } from '../../src/eval/cell.js';
import { Tally, type Codes } from '../../src/eval/tally.js';
import { Transitions } from '../../src/eval/transitions.js';
import type { TxTruth } from '../../src/eval/truth.js';
import type { Outcome } from '../../src/rules/policy-types.js';

const FRAUD_TX: TxTruth = { fraud: true, by: 'tx', typology: 'card_testing' };
const FRAUD_ACCOUNT: TxTruth = { fraud: true, by: 'account', typology: null };
const LEGIT: TxTruth = { fraud: false, by: 'tx', typology: null };

type Payment = [policy: string, outcome: Outcome, score: number | null, codes: Codes, amount: number, truth: TxTruth | null];

// p1 approve unlabelled; p2 review fraud (own label); p3 decline fraud through its account, code A
// twice; p4 approve fraud (missed), no score; p5 challenge labelled legitimate, no policy named
const PAYMENTS: Payment[] = [
  ['v1', 'approve', 10, [], 100, null],
  ['v1', 'review', 50, ['A', 'B'], 200, FRAUD_TX],
  ['v2', 'decline', 90, [{ code: 'A' }, { code: 'A' }], 300, FRAUD_ACCOUNT],
  ['v2', 'approve', null, ['B'], 400, FRAUD_TX],
  ['', 'challenge', 70, ['C'], 500, LEGIT],
];

function tallyOf(ps: readonly Payment[]): Tally {
  const t = new Tally();
  for (const p of ps) t.add(...p);
  return t;
}

test('a tally counts payments and money per outcome, fraud caught and missed, and the labels', () => {
  const c = tallyOf(PAYMENTS).total;
  const f = figuresOf(c);
  assert.equal(f.payments, 5);
  assert.equal(f.amount, 1500);
  assert.deepEqual(f.outcomes, { approve: 2, review: 1, challenge: 1, decline: 1 });
  assert.deepEqual(f.amounts, { approve: 500, review: 200, challenge: 500, decline: 300 });
  // fraud p2 p3 p4: caught p2 (review) and p3 (decline), missed p4 (approved)
  assert.equal(f.fraud, 3);
  assert.equal(f.fraudAmount, 900);
  assert.equal(f.caught, 2);
  assert.equal(f.caughtAmount, 500);
  // flagged p2 p3 p5; the legitimate among them is p5 (challenged); p1 is legitimate by default
  assert.equal(f.flagged, 3);
  assert.equal(f.flaggedAmount, 1000);
  assert.deepEqual(f.byOutcome, {
    approve: { payments: 2, amount: 500, fraud: 1, fraudAmount: 400, legitimate: 1, legitimateAmount: 100 },
    review: { payments: 1, amount: 200, fraud: 1, fraudAmount: 200, legitimate: 0, legitimateAmount: 0 },
    challenge: { payments: 1, amount: 500, fraud: 0, fraudAmount: 0, legitimate: 1, legitimateAmount: 500 },
    decline: { payments: 1, amount: 300, fraud: 1, fraudAmount: 300, legitimate: 0, legitimateAmount: 0 },
  });
  assert.equal(f.unlabelled, 1);
  assert.equal(f.fraudByEntity, 1);
  assert.deepEqual(labelCounts(c), { fraud: 3, fraudByEntity: 1, legitimateLabelled: 1, unlabelled: 1 });
  // four answers carried a score: (10 + 50 + 90 + 70) / 4
  assert.equal(f.meanScore, 55);
  assert.equal(figuresOf(new Tally().total).meanScore, null);
});

test('a tally counts each reason code once per payment and names the policies that decided', () => {
  const t = tallyOf(PAYMENTS);
  // A on p2 p3 (twice on p3, counted once), B on p2 p4, C on p5; ties by code
  assert.deepEqual(Object.entries(t.hits()), [['A', 2], ['B', 2], ['C', 1]]);
  const a = figuresOf(t.codes.get('A')!);
  assert.deepEqual(a.outcomes, { approve: 0, review: 1, challenge: 0, decline: 1 });
  assert.equal(a.fraud, 2);
  assert.equal(a.caught, 2);
  const b = figuresOf(t.codes.get('B')!);
  assert.equal(b.amount, 600);
  assert.equal(b.caught, 1, 'p4 carried B and was approved');
  assert.equal(b.byOutcome.approve.fraud, 1);
  assert.deepEqual(labelCounts(t.codes.get('C')!), { fraud: 0, fraudByEntity: 0, legitimateLabelled: 1, unlabelled: 0 });
  assert.deepEqual([...t.policies].sort(), ['v1', 'v2'], "'' names no policy");
});

test('merging two tallies gives the tally of both, whichever way the payments are split', () => {
  const whole = tallyOf(PAYMENTS);
  for (let cut = 0; cut <= PAYMENTS.length; cut++) {
    const left = tallyOf(PAYMENTS.slice(0, cut));
    left.merge(tallyOf(PAYMENTS.slice(cut)));
    assert.deepEqual([...left.total], [...whole.total], `cut at ${cut}`);
    assert.deepEqual(left.hits(), whole.hits());
    for (const [code, c] of whole.codes) assert.deepEqual([...left.codes.get(code)!], [...c], `${code}, cut at ${cut}`);
    assert.equal(left.codes.size, whole.codes.size);
    assert.deepEqual([...left.policies].sort(), [...whole.policies].sort());
  }
});

type Move = [live: Outcome, other: Outcome, amount: number, truth: TxTruth | null];

// approve→decline fraud, approve kept, review→decline legitimate, decline→approve fraud, challenge→approve
const MOVES: Move[] = [
  ['approve', 'decline', 100, FRAUD_TX],
  ['approve', 'approve', 50, null],
  ['review', 'decline', 200, LEGIT],
  ['decline', 'approve', 300, FRAUD_ACCOUNT],
  ['challenge', 'approve', 400, null],
];

function transitionsOf(ms: readonly Move[]): Transitions {
  const t = new Transitions();
  for (const m of ms) t.add(...m);
  return t;
}

test('transitions count pairs of outcomes, the changes, and what moved where with its fraud value', () => {
  const t = transitionsOf(MOVES);
  const zero = { approve: 0, review: 0, challenge: 0, decline: 0 };
  assert.deepEqual(t.matrix(), {
    approve: { ...zero, approve: 1, decline: 1 },
    review: { ...zero, decline: 1 },
    challenge: { ...zero, approve: 1 },
    decline: { ...zero, approve: 1 },
  });
  assert.equal(t.changed(), 4);
  const declined = figuresOf(t.movedTo('decline'));
  assert.deepEqual([declined.payments, declined.amount, declined.fraudAmount], [2, 300, 100]);
  const approved = figuresOf(t.movedTo('approve'));
  assert.deepEqual([approved.payments, approved.amount, approved.fraudAmount, approved.unlabelled], [2, 700, 300, 1]);
  assert.equal(figuresOf(t.movedTo('review')).payments, 0);
  const merged = transitionsOf(MOVES.slice(0, 2));
  merged.merge(transitionsOf(MOVES.slice(2)));
  assert.deepEqual(merged.matrix(), t.matrix());
  assert.equal(merged.changed(), 4);
  assert.deepEqual(figuresOf(merged.movedTo('approve')), approved);
});
