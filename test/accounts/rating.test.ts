// The credit rating: the scorecard's bands and clamping, drivers that add up to the score, its
// recomputation by the engine on registrations, account events, payments and labels (never per
// read), the builtins rules read, and the drivers the analyst's view shows through a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { AccountState } from '../../src/features/account-state.js';
import { BUILTINS, N, S } from '../../src/features/catalog.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { DRIVERS, explainRating, gradeOf, RATING_BASE, rateAccount } from '../../src/features/credit-rating.js';
import { account, at, baseWorld, DAY, DAY0, defaultPolicy, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from '../server/helpers.js';

const NOW = DAY0 + 10 * HOUR;

function state(f: Partial<Record<'openedAt' | 'creditLimit' | 'spentTotal' | 'repaidTotal' | 'outstanding' | 'owingSince' | 'lastRepaymentT', number>>): AccountState {
  const a = new AccountState(`acc-${Math.random()}`);
  Object.assign(a, f);
  return a;
}

function points(a: AccountState, fraud = false): Record<string, number> {
  rateAccount(a, NOW, fraud);
  const x = explainRating(a, fraud)!;
  return Object.fromEntries(x.drivers.map((d) => [d.driver, d.points]));
}

test('scorecard: the best and the worst account, and one the engine knows nothing about', () => {
  const best = state({ openedAt: NOW - 800 * DAY, creditLimit: 1_000_000, spentTotal: 500_000, repaidTotal: 480_000, outstanding: 20_000, owingSince: NOW - 10 * DAY, lastRepaymentT: NOW - 5 * DAY });
  assert.deepEqual(points(best), { tenure: 120, repayment: 160, overdue: 0, utilisation: 120, confirmed_fraud: 0, device_changes: 50, complaints: 50 });
  assert.deepEqual([best.ratingScore, gradeOf(best.ratingScore)], [1000, 'A']);

  const worst = state({ openedAt: NOW - 10 * DAY, creditLimit: 100_000, spentTotal: 120_000, repaidTotal: 0, outstanding: 120_000, owingSince: NOW - 100 * DAY });
  worst.deviceChanges = [NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY];
  worst.complaints = [NOW - 5 * DAY, NOW - DAY];
  assert.deepEqual(points(worst, true), { tenure: -60, repayment: 0, overdue: -320, utilisation: -120, confirmed_fraud: -400, device_changes: -100, complaints: -100 });
  assert.deepEqual([worst.ratingScore, gradeOf(worst.ratingScore)], [0, 'E'], 'clamped at 0');

  const unknown = new AccountState('new');
  rateAccount(unknown, NOW, false);
  const x = explainRating(unknown, false)!;
  assert.deepEqual(x.drivers.filter((d) => d.value === null).map((d) => d.driver), ['tenure', 'repayment', 'utilisation']);
  assert.deepEqual([x.score, x.grade], [RATING_BASE + 100, 'C']);
  assert.equal(explainRating(new AccountState('never-rated'), false), null);
});

test('scorecard bands: overdue whole days, utilisation, grades at their edges', () => {
  const owing = (days: number): number =>
    points(state({ creditLimit: 1_000_000, spentTotal: 10_000, outstanding: 10_000, owingSince: NOW - days * DAY - HOUR })).overdue;
  assert.deepEqual([0, 30, 31, 60, 61, 90, 91, 400].map(owing), [0, 0, -80, -80, -160, -160, -320, -320]);
  // a repayment restarts the count
  assert.equal(points(state({ creditLimit: 1_000_000, spentTotal: 10_000, repaidTotal: 1_000, outstanding: 9_000, owingSince: NOW - 200 * DAY, lastRepaymentT: NOW - 3 * DAY })).overdue, 0);
  const util = (share: number): number => points(state({ creditLimit: 1_000_000, outstanding: share * 1_000_000 })).utilisation;
  assert.deepEqual([0, 0.29, 0.3, 0.5, 0.8, 0.99, 1, 1.5].map(util), [120, 120, 60, 0, -60, -60, -120, -120]);
  const repaid = (share: number): number => points(state({ creditLimit: 1_000_000, spentTotal: 100_000, repaidTotal: share * 100_000 })).repayment;
  assert.deepEqual([0, 0.3, 0.6, 0.9, 1.2].map(repaid), [0, 40, 100, 160, 160]);
  assert.deepEqual([1000, 800, 799.9, 650, 649, 500, 499, 350, 349, 0].map(gradeOf), ['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'E', 'E']);
  assert.equal(gradeOf(NaN), '');
});

test('the drivers add up to the score: base + Σ points (clamped to 0–1000)', () => {
  for (let i = 0; i < 200; i++) {
    const a = state({
      openedAt: NOW - ((i * 37) % 900) * DAY,
      creditLimit: 100_000 + ((i * 7919) % 1_000_000),
      spentTotal: (i * 104_729) % 2_000_000,
      repaidTotal: (i * 15_485_863) % 1_500_000,
      outstanding: (i * 7_727) % 1_200_000,
      owingSince: NOW - ((i * 13) % 120) * DAY,
    });
    if (i % 3 === 0) a.complaints = [NOW - DAY];
    rateAccount(a, NOW, i % 11 === 0);
    const x = explainRating(a, i % 11 === 0)!;
    const sum = x.base + x.drivers.reduce((s, d) => s + d.points, 0);
    assert.equal(x.score, Math.min(1000, Math.max(0, sum)));
    assert.equal(x.score, a.ratingScore);
    assert.deepEqual(x.drivers.map((d) => d.driver), [...DRIVERS]);
  }
});

function engineWith(events: Record<string, unknown>[], policy = defaultPolicy()): Engine {
  const e = new Engine(policy);
  for (const ev of events) e.apply(parseEvent(ev));
  return e;
}

test('the engine recomputes the rating on registrations, account events, payments and labels, not per read', () => {
  const e = engineWith(baseWorld());
  const a1 = e.account('A1')!;
  // opened 400 days ago (+80), ¥550 used and nothing repaid yet (0), 4 days owing (0), 3% of the limit (+120), quiet (+50 +50)
  assert.equal(a1.ratingScore, 800);
  e.apply(parseEvent({ type: 'account_event', ts: at(HOUR), accountId: 'A1', kind: 'repayment', amount: 55_000 }));
  assert.equal(a1.ratingScore, 960, 'everything used is repaid: +160');
  e.apply(parseEvent({ type: 'account_event', ts: at(2 * HOUR), accountId: 'A1', kind: 'complaint' }));
  assert.equal(a1.ratingScore, 890, 'a complaint: -20 instead of +50');

  // a payment reads the rating as of its own time into the builtins (here the same as the stored one)
  e.apply(parseEvent(tx(3 * HOUR, { id: 'r-1' })));
  assert.equal(e.lastVector.num[N.credit_rating_score], 890);
  assert.equal(e.lastVector.str[S.credit_grade], 'A');
  // … and after it the rating is recomputed: 85% of ¥650 used is repaid (+100 instead of +160)
  assert.equal(a1.ratingScore, 830);
  // a label on one of its payments: confirmed fraud, -400, from the label's time on
  e.apply(parseEvent({ type: 'label', ts: at(4 * HOUR), txId: 'r-1', fraud: true }));
  assert.equal(a1.ratingScore, 430);
  assert.equal(a1.ratedAt, DAY0 + 4 * HOUR);
  e.apply(parseEvent(tx(5 * HOUR)));
  assert.deepEqual([e.lastVector.num[N.credit_rating_score], e.lastVector.str[S.credit_grade]], [430, 'D']);

  // time alone does not change a stored rating; a payment is decided with the rating of its own
  // time: 45 days on, still owing → overdue (-80), however long the account sat idle
  const b = engineWith([...baseWorld(), account('B1'), tx(0, { accountId: 'B1', amount: 100_000 })]);
  const b1 = b.account('B1')!;
  const before = b1.ratingScore;
  assert.equal(explainRating(b1, false)!.drivers.find((d) => d.driver === 'overdue')!.points, 0);
  b.apply(parseEvent(tx(45 * DAY, { accountId: 'B1', amount: 1_000 })));
  assert.equal(b.lastVector.num[N.credit_rating_score], before - 80, 'the payment is decided with the rating of its own time');
  assert.equal(explainRating(b1, false)!.drivers.find((d) => d.driver === 'overdue')!.points, -80);
  // an unknown account has no rating: unknown, never a rule's match
  b.apply(parseEvent(tx(46 * DAY, { accountId: 'NEW' })));
  assert.ok(Number.isNaN(b.lastVector.num[N.credit_rating_score]));
  assert.equal(b.lastVector.str[S.credit_grade], '');
});

test('rules can read credit_rating_score and credit_grade', () => {
  const text = `${'rule LOW_GRADE\n  when credit_grade in ["D", "E"]\n  outcome review\n'}${'rule LOW_SCORE\n  when credit_rating_score < 600\n  score 10\n'}`;
  const policy = compilePolicy([{ file: 'grade.fk', text }], BUILTINS, 'grade');
  const e = engineWith([...baseWorld()], policy);
  const quiet = e.apply(parseEvent(tx(HOUR)))!;
  assert.deepEqual([quiet.outcome, quiet.reasons], ['approve', []]);
  e.apply(parseEvent({ type: 'label', ts: at(2 * HOUR), accountId: 'A1', fraud: true }));
  const flagged = e.apply(parseEvent(tx(3 * HOUR)))!;
  assert.deepEqual([flagged.outcome, flagged.reasons.map((r) => r.code)], ['review', ['LOW_GRADE', 'LOW_SCORE']]);
});

test("the analyst's view shows the rating with its drivers, recomputed as events arrive", async () => {
  const s = await startTestServer({ dir: tempDir('acct-rating-') });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    type Rating = { score: number; grade: string; base: number; drivers: { driver: string; value: unknown; points: number; note: string }[] };
    const rating = async (): Promise<Rating> => (await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json.rating;
    const r0 = await rating();
    assert.deepEqual([r0.score, r0.grade, r0.base], [800, 'A', 500]);
    assert.deepEqual(r0.drivers.map((d) => d.driver), [...DRIVERS]);
    assert.equal(r0.base + r0.drivers.reduce((x, d) => x + d.points, 0), r0.score);
    const tenure = r0.drivers.find((d) => d.driver === 'tenure')!;
    assert.equal(tenure.points, 80);
    assert.match(tenure.note, /account open 3\d\d days/);
    await feed(s.url, s.keys.admin, [
      { type: 'account_event', ts: at(HOUR), accountId: 'A1', kind: 'complaint' },
      { type: 'account_event', ts: at(2 * HOUR), accountId: 'A1', kind: 'complaint' },
      { type: 'account_event', ts: at(3 * HOUR), accountId: 'A1', kind: 'device_bound', deviceId: 'D2' },
    ]);
    const r1 = await rating();
    const by = Object.fromEntries(r1.drivers.map((d) => [d.driver, d]));
    assert.deepEqual([by.complaints.value, by.complaints.points, by.device_changes.value, by.device_changes.points], [2, -100, 1, 20]);
    assert.equal(r1.score, 800 - 150 - 30);
    assert.equal(r1.grade, 'C');
  } finally {
    await s.close();
  }
});
