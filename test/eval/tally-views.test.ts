// The views over the one tally: the backtest's side, the risk report's period and rule performance's
// rows read the same hand-counted payments and agree, in the exact JSON (key order included) their
// callers answer and store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tally } from '../../src/eval/tally.js';
import type { TxTruth } from '../../src/eval/truth.js';
import { policyStats } from '../../src/policy/backtest-report.js';
import { codeStats } from '../../src/policy/rule-performance.js';
import { periodFigures } from '../../src/report/tally.js';

const FRAUD_TX: TxTruth = { fraud: true, by: 'tx', typology: null };
const FRAUD_ACCOUNT: TxTruth = { fraud: true, by: 'account', typology: null };
const LEGIT: TxTruth = { fraud: false, by: 'tx', typology: null };

// p1 approve unlabelled; p2 review fraud; p3 decline fraud (account); p4 approve fraud (missed); p5 challenge legitimate
function handTally(): Tally {
  const t = new Tally();
  t.add('v1', 'approve', 10, [], 100, null);
  t.add('v1', 'review', 50, ['A', 'B'], 200, FRAUD_TX);
  t.add('v2', 'decline', 90, [{ code: 'A' }], 300, FRAUD_ACCOUNT);
  t.add('v2', 'approve', null, ['B'], 400, FRAUD_TX);
  t.add('v2', 'challenge', 70, ['C'], 500, LEGIT);
  return t;
}

const same = (actual: unknown, expected: unknown): void => assert.equal(JSON.stringify(actual), JSON.stringify(expected));

test("the backtest's side: outcomes, money, fraud caught and missed, legitimate in the way, rates", () => {
  same(policyStats(handTally()), {
    policies: ['v1', 'v2'],
    transactions: 5,
    outcomes: { approve: 2, review: 1, challenge: 1, decline: 1 },
    amounts: { approve: 500, review: 200, challenge: 500, decline: 300 },
    alertRate: 3 / 5,
    declineRate: 1 / 5,
    hits: { A: 2, B: 2, C: 1 },
    fraud: { total: 3, totalAmount: 900, caught: 2, caughtAmount: 500, caughtByDecline: 1, caughtByDeclineAmount: 300, missed: 1, missedAmount: 400 },
    legitimate: {
      total: 2, totalAmount: 600, declined: 0, declinedAmount: 0, challenged: 1, challengedAmount: 500, reviewed: 0, reviewedAmount: 0,
      flagged: 1, flaggedAmount: 500,
    },
    precision: 2 / 3,
    recall: 2 / 3,
    declinePrecision: 1,
    declineRecall: 1 / 3,
  });
});

test("the risk report's period: the same fraud and money, with the score and what was saved", () => {
  same(periodFigures(handTally().total), {
    payments: 5,
    amount: 1500,
    outcomes: { approve: 2, review: 1, challenge: 1, decline: 1 },
    amounts: { approve: 500, review: 200, challenge: 500, decline: 300 },
    alertRate: 3 / 5,
    declineRate: 1 / 5,
    meanScore: 55,
    fraud: {
      total: 3, totalAmount: 900, caught: 2, caughtAmount: 500, missed: 1, missedAmount: 400,
      declined: 1, declinedAmount: 300, challenged: 0, challengedAmount: 0, reviewed: 1, reviewedAmount: 200,
    },
    legitimate: {
      total: 2, totalAmount: 600, unlabelled: 1, declined: 0, declinedAmount: 0, challenged: 1, challengedAmount: 500,
      reviewed: 0, reviewedAmount: 0,
    },
    moneySaved: 300,
    legitimateDeclinedAmount: 0,
    precision: 2 / 3,
    recall: 2 / 3,
  });
});

test("rule performance's rows: per code, recall against all the tally's fraud, most hits first", () => {
  const zero = { approve: 0, review: 0, challenge: 0, decline: 0 };
  same(codeStats(handTally()), [
    {
      code: 'A', hits: 2, amount: 500, outcomes: { ...zero, review: 1, decline: 1 }, fraud: 2, fraudAmount: 500, legitimate: 0,
      legitimateAmount: 0, unlabelled: 0, fraudStopped: 2, precision: 1, recall: 2 / 3,
    },
    {
      code: 'B', hits: 2, amount: 600, outcomes: { ...zero, approve: 1, review: 1 }, fraud: 2, fraudAmount: 600, legitimate: 0,
      legitimateAmount: 0, unlabelled: 0, fraudStopped: 1, precision: 1, recall: 2 / 3,
    },
    {
      code: 'C', hits: 1, amount: 500, outcomes: { ...zero, challenge: 1 }, fraud: 0, fraudAmount: 0, legitimate: 1,
      legitimateAmount: 500, unlabelled: 0, fraudStopped: 0, precision: 0, recall: 0,
    },
  ]);
});
