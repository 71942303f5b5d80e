// The backtest library on the hand-built journal of backtest-fixture.ts: every number of the report
// is worked out by hand below, from the table in handJournal()'s comment and the draft's three rules.
import { test } from 'node:test';
import { scoreBin } from '../../src/policy/backtest-report.js';
import assert from 'node:assert/strict';
import { runBacktest, firstSeqAtOrAfter } from '../../src/policy/backtest.js';
import { at, DAY, HOUR, MIN } from '../engine/world.js';
import { DRAFT_SOURCES, draftPolicy, EntryBuilder, FROM, handJournal, payment, tempStore, TO } from './backtest-fixture.js';
import { compilePolicy } from '../../src/rules/compile.js';
import { BUILTINS } from '../../src/features/catalog.js';

// Amounts in fen: t1 2000, t2 10000, t3 60000, t4 150000, t5 30000, t6 70000, t7 200000, t8 5000.
//
// Labels known now: t1 fraud (own label, inside the range); t3 fraud then cleared → legitimate (the
// latest label wins); t4 fraud (own label, 5 days after the range); A3's account labelled fraud
// after the range → t5 and t6 (no label of their own) are fraud by their account. t2, t7, t8 have
// no label → legitimate. Fraud: t1, t4, t5, t6 (4 payments, 2000+150000+30000+70000 = 252000).
// Legitimate: t2, t3, t7, t8 (4 payments, 10000+60000+200000+5000 = 275000).
//
// Draft decisions (default warm-up of 30 days, so w1 and w2 are replayed before the range):
//   t1 A2 ¥20: w1 (−20 min), w2 (−10 min), t1 → tx_1h = 3 → BURST → challenge, score 0
//   t2 A1 ¥100: nothing → approve           t3 ¥600: MID → score 50 → review
//   t4 ¥1500: BIG + MID → decline, score 50  t5 A3 ¥300: approve
//   t6 ¥700: MID → review                    t7 ¥2000: BIG + MID → decline   t8 ¥50: approve
// Live decisions as stored: t1 approve, t2 approve, t3 approve, t4 review, t5 decline, t6 decline,
// t7 decline, t8 approve.

test('backtest: every figure of the report on the hand-built journal', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const r = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO });
    // JSON-serialisable: nothing is lost on the way through JSON
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);

    assert.deepEqual(r.range, { from: FROM, to: TO, fromTs: '2026-11-10T00:00:00+08:00', toTs: '2026-11-11T00:00:00+08:00' });
    // warm-up: 30 days (the draft's longest window is 1 h); it starts at FROM − 30 d, after the
    // registry (−100 d) and the accounts (−90 d), so the first entry replayed is p0 (seq 15, −2 d).
    // Replay stops at seq 29 (label at TO + 2 d ≥ TO + 1 h grace): seqs 15–28 = 14 events, of which
    // p0, w1, w2 (3) lie before FROM. 32 entries in the journal. t9 (at TO) is replayed, not compared.
    const { durationMs, ...run } = r.run;
    assert.ok(durationMs >= 0);
    assert.deepEqual(run, {
      draftPolicy: 'draft',
      draftRules: 3,
      model: false,
      warmUpMs: 30 * DAY,
      warmUpFrom: FROM - 30 * DAY,
      lastSeq: 32,
      firstSeq: 15,
      endSeq: 28,
      eventsReplayed: 14,
      warmUpEvents: 3,
      // the registry and accounts (seqs 1–14) are older than the warm-up: applied first, as the prelude
      preludeEvents: 14,
      transactions: 8,
      withoutLiveDecision: 0,
      actionsApplied: 0,
    });
    // 5 label events; in the range: 4 fraud (2 of them through A3's account), t3 labelled
    // legitimate, t2 t7 t8 unlabelled.
    assert.deepEqual(r.labels, {
      events: 5, entityScopes: ['account'], fraud: 4, fraudByEntity: 2, legitimateLabelled: 1, unlabelled: 3,
    });

    // Live: approve t1 t2 t3 t8 (2000+10000+60000+5000 = 77000), review t4 (150000),
    // decline t5 t6 t7 (30000+70000+200000 = 300000). Alerts 4/8; declines 3/8.
    // Fraud caught (not approved): t4 t5 t6 = 3, 150000+30000+70000 = 250000; by decline t5 t6 = 2,
    // 100000; missed t1 = 1, 2000. Legitimate in the way: t7 declined (200000).
    // Precision 3 caught / 4 alerts; recall 3/4; at decline: 2/3 and 2/4.
    // Hits from the stored reasons: MEDIUM_AMOUNT t3 t4 t6 t7 = 4, BLOCKED_ACCOUNT t5 t6 = 2,
    // LARGE_AMOUNT t4 t7 = 2 (ties by code).
    assert.deepEqual(r.live, {
      policies: ['live-v1'],
      transactions: 8,
      outcomes: { approve: 4, review: 1, challenge: 0, decline: 3 },
      amounts: { approve: 77000, review: 150000, challenge: 0, decline: 300000 },
      alertRate: 0.5,
      declineRate: 0.375,
      hits: { MEDIUM_AMOUNT: 4, BLOCKED_ACCOUNT: 2, LARGE_AMOUNT: 2 },
      fraud: {
        total: 4, totalAmount: 252000, caught: 3, caughtAmount: 250000, caughtByDecline: 2, caughtByDeclineAmount: 100000,
        missed: 1, missedAmount: 2000,
      },
      legitimate: {
        total: 4, totalAmount: 275000, declined: 1, declinedAmount: 200000, challenged: 0, challengedAmount: 0,
        reviewed: 0, reviewedAmount: 0, flagged: 1, flaggedAmount: 200000,
      },
      precision: 0.75,
      recall: 0.75,
      declinePrecision: 2 / 3,
      declineRecall: 0.5,
    });

    // Draft: approve t2 t5 t8 (10000+30000+5000 = 45000), review t3 t6 (60000+70000 = 130000),
    // challenge t1 (2000), decline t4 t7 (150000+200000 = 350000). Alerts 5/8, declines 2/8.
    // Fraud caught: t1 t4 t6 = 3, 2000+150000+70000 = 222000; by decline t4 = 1, 150000; missed t5,
    // 30000. Legitimate: t7 declined 200000, t3 reviewed 60000 → flagged 2, 260000.
    // Precision 3/5, recall 3/4; at decline 1/2 and 1/4. Hits: MID t3 t4 t6 t7 = 4, BIG t4 t7 = 2, BURST t1 = 1.
    assert.deepEqual(r.draft, {
      policies: ['draft'],
      transactions: 8,
      outcomes: { approve: 3, review: 2, challenge: 1, decline: 2 },
      amounts: { approve: 45000, review: 130000, challenge: 2000, decline: 350000 },
      alertRate: 0.625,
      declineRate: 0.25,
      hits: { MID: 4, BIG: 2, BURST: 1 },
      fraud: {
        total: 4, totalAmount: 252000, caught: 3, caughtAmount: 222000, caughtByDecline: 1, caughtByDeclineAmount: 150000,
        missed: 1, missedAmount: 30000,
      },
      legitimate: {
        total: 4, totalAmount: 275000, declined: 1, declinedAmount: 200000, challenged: 0, challengedAmount: 0,
        reviewed: 1, reviewedAmount: 60000, flagged: 2, flaggedAmount: 260000,
      },
      precision: 0.6,
      recall: 0.75,
      declinePrecision: 0.5,
      declineRecall: 0.25,
    });

    // live → draft: t2 t8 approve→approve, t3 approve→review, t1 approve→challenge, t4 review→decline,
    // t5 decline→approve, t6 decline→review, t7 decline→decline.
    assert.deepEqual(r.transitions, {
      approve: { approve: 2, review: 1, challenge: 1, decline: 0 },
      review: { approve: 0, review: 0, challenge: 0, decline: 1 },
      challenge: { approve: 0, review: 0, challenge: 0, decline: 0 },
      decline: { approve: 1, review: 1, challenge: 0, decline: 1 },
    });

    // Changed: t1 t3 t4 t5 t6, in journal order, with the draft's reasons (most decisive first) and the label.
    assert.equal(r.changed.total, 5);
    assert.equal(r.changed.truncated, false);
    assert.deepEqual(r.changed.transactions, [
      {
        seq: 18, txId: 't1', ts: at(0), accountId: 'A2', amount: 2000,
        live: { outcome: 'approve', score: 0 }, draft: { outcome: 'challenge', score: 0, reasons: ['BURST'] },
        label: { fraud: true, by: 'tx', typology: 'small_burst' },
      },
      {
        seq: 20, txId: 't3', ts: at(2 * HOUR + 10 * MIN), accountId: 'A1', amount: 60000,
        live: { outcome: 'approve', score: 20 }, draft: { outcome: 'review', score: 50, reasons: ['MID'] },
        label: { fraud: false, by: 'tx', typology: null },
      },
      {
        seq: 21, txId: 't4', ts: at(3 * HOUR + 20 * MIN), accountId: 'A1', amount: 150000,
        live: { outcome: 'review', score: 45 }, draft: { outcome: 'decline', score: 50, reasons: ['BIG', 'MID'] },
        label: { fraud: true, by: 'tx', typology: 'account_takeover' },
      },
      {
        seq: 22, txId: 't5', ts: at(4 * HOUR), accountId: 'A3', amount: 30000,
        live: { outcome: 'decline', score: 0 }, draft: { outcome: 'approve', score: 0, reasons: [] },
        label: { fraud: true, by: 'account', typology: 'account_anomaly' },
      },
      {
        seq: 23, txId: 't6', ts: at(5 * HOUR + 10 * MIN), accountId: 'A3', amount: 70000,
        live: { outcome: 'decline', score: 20 }, draft: { outcome: 'review', score: 50, reasons: ['MID'] },
        label: { fraud: true, by: 'account', typology: 'account_anomaly' },
      },
    ]);
  } finally {
    cleanup();
  }
});

test('backtest: the changed list is capped at maxChanged, the total still counts all', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const r = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO, maxChanged: 2 });
    assert.equal(r.changed.total, 5);
    assert.equal(r.changed.truncated, true);
    assert.deepEqual(r.changed.transactions.map((c) => c.txId), ['t1', 't3']);
  } finally {
    cleanup();
  }
});

test('backtest: the score histogram counts every compared payment once per side, in bins of 10 points', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const r = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO });
    const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
    assert.ok(r.scores !== undefined);
    assert.deepEqual([r.scores.binWidth, r.scores.live.length, r.scores.draft.length], [10, 11, 11]);
    assert.equal(sum(r.scores.draft), r.run.transactions);
    assert.equal(sum(r.scores.live) + r.scores.liveWithoutScore, r.run.transactions);
    assert.deepEqual([scoreBin(-3), scoreBin(0), scoreBin(9.9), scoreBin(10), scoreBin(99), scoreBin(100), scoreBin(450)], [0, 0, 0, 1, 9, 10, 10]);
  } finally {
    cleanup();
  }
});

test('backtest: from is inclusive, to exclusive, on event time', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const ids = (from: number, to: number): string[] => {
      const r = runBacktest({ journal: store, draft: draftPolicy(), from, to, maxChanged: 100, warmUpMs: 0 });
      // with warm-up 0 nothing is replayed before `from`
      assert.equal(r.run.warmUpEvents, 0);
      return [...r.changed.transactions.map((c) => c.txId), `n=${r.run.transactions}`];
    };
    const t3 = FROM + 2 * HOUR + 10 * MIN;
    const t4 = FROM + 3 * HOUR + 20 * MIN;
    // [t3, t4): only t3 (changed approve→review)
    assert.deepEqual(ids(t3, t4), ['t3', 'n=1']);
    // [t3, t4 + 1 ms): t3 and t4
    assert.deepEqual(ids(t3, t4 + 1), ['t3', 't4', 'n=2']);
    // [t3 + 1 ms, t4]: t3 falls out
    assert.deepEqual(ids(t3 + 1, t4 + 1), ['t4', 'n=1']);
    // [TO − 1 min, TO + 1 ms): t8 sits exactly at TO − 1 min, t9 exactly at TO: both inside (unchanged approves)
    assert.deepEqual(ids(TO - MIN, TO + 1), ['n=2']);
    // [TO − 1 min + 1 ms, TO): neither
    assert.deepEqual(ids(TO - MIN + 1, TO), ['n=0']);
    // without bounds: every payment of the journal, p0 … t10 (13), warm-up irrelevant
    const all = runBacktest({ journal: store, draft: draftPolicy() });
    assert.equal(all.run.transactions, 13);
    assert.equal(all.range.from, null);
    assert.equal(all.run.firstSeq, 1);
    assert.equal(all.run.endSeq, 32);
  } finally {
    cleanup();
  }
});

test('backtest: the warm-up fills a velocity window that needs events before from', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const t1 = (warmUpMs: number | undefined) => {
      const r = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO, warmUpMs });
      return { r, t1: r.changed.transactions.find((c) => c.txId === 't1') };
    };
    // default (30 d): w1, w2, t1 within the hour → BURST challenges t1
    assert.equal(t1(undefined).t1?.draft.outcome, 'challenge');
    // 15 min: w2 (−10 min) is replayed, w1 (−20 min) not → tx_1h = 2 → approve, like live: unchanged
    const mid = t1(15 * MIN);
    assert.equal(mid.t1, undefined);
    assert.equal(mid.r.run.firstSeq, 17);
    assert.equal(mid.r.run.warmUpEvents, 1);
    // none: t1 is the first payment seen → unchanged; the draft then catches only t4 and t6 of the 4 frauds
    const none = t1(0);
    assert.equal(none.t1, undefined);
    assert.equal(none.r.run.firstSeq, 18);
    assert.equal(none.r.changed.total, 4);
    assert.equal(none.r.draft.fraud.caught, 2);
    assert.equal(none.r.draft.recall, 0.5);
    assert.equal(none.r.transitions.approve.approve, 3);
    // Infinity: from the start of the journal, registry and accounts included
    const all = t1(Infinity);
    assert.equal(all.r.run.firstSeq, 1);
    assert.equal(all.r.run.warmUpMs, null);
    assert.equal(all.t1?.draft.outcome, 'challenge');
  } finally {
    cleanup();
  }
});

test('backtest: entity scopes decide which entity labels mark payments as fraud', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    // payments' own labels only: t5, t6 become unlabelled legitimate payments
    const own = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO, entityLabels: [] });
    assert.equal(own.labels.fraud, 2);
    assert.equal(own.labels.fraudByEntity, 0);
    assert.equal(own.labels.unlabelled, 5);
    // live declined t5 and t6: now legitimate value declined = t5 + t6 + t7
    assert.equal(own.live.legitimate.declinedAmount, 30000 + 70000 + 200000);
    assert.equal(own.changed.transactions.find((c) => c.txId === 't5')?.label, null);
  } finally {
    cleanup();
  }
});

test('backtest: range bisection finds the first entry at or after a time', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    assert.equal(firstSeqAtOrAfter(store, -Infinity, 32), 1);
    assert.equal(firstSeqAtOrAfter(store, FROM, 32), 18);
    assert.equal(firstSeqAtOrAfter(store, FROM - 15 * MIN, 32), 17);
    assert.equal(firstSeqAtOrAfter(store, FROM + 10 * DAY, 32), 33);
    assert.equal(firstSeqAtOrAfter(store, FROM, 10), 11, 'nothing up to seq 10 is that late');
  } finally {
    cleanup();
  }
});

test('backtest: a payment without a readable live decision is skipped and counted', () => {
  const b = new EntryBuilder();
  b.payment(payment('a', 'A1', 100, HOUR), 'approve', 0);
  b.payment(payment('b', 'A1', 100, 2 * HOUR), 'approve', 0);
  const entries = b.entries.map((e, i) => (i === 1 ? { ...e, decision: '{"outcome":"maybe"}' } : e));
  const { store, cleanup } = tempStore(entries);
  try {
    const r = runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO });
    assert.equal(r.run.transactions, 1);
    assert.equal(r.run.withoutLiveDecision, 1);
    assert.equal(r.live.alertRate, 0);
    assert.equal(r.live.precision, null, 'no alerts: precision unknown, not NaN');
    assert.equal(r.live.recall, null, 'no fraud: recall unknown');
  } finally {
    cleanup();
  }
});

test('backtest: progress is reported for both phases and a bad range is refused', () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    const phases = new Set<string>();
    runBacktest({ journal: store, draft: draftPolicy(), from: FROM, to: TO, onProgress: (p) => phases.add(p.phase) });
    assert.deepEqual([...phases], ['labels', 'replay']);
    assert.throws(() => runBacktest({ journal: store, draft: draftPolicy(), from: TO, to: FROM }), /range is empty/);
  } finally {
    cleanup();
  }
});

test("backtest: the draft's rule actions are reported, taken and capped, as its own engine took them", () => {
  const { store, cleanup } = tempStore(handJournal());
  try {
    // BIG fires on t4 (A1, +3h20) and t7 (A1, +6h30)
    const withAction = (action: string, settings = ''): ReturnType<typeof draftPolicy> =>
      compilePolicy([{ file: 'draft.fk', text: DRAFT_SOURCES[0].text.replace('rule BIG\n  when amount >= ¥1000\n  outcome decline\n', `rule BIG\n  when amount >= ¥1000\n  outcome decline\n  ${action}\n`) + settings }], BUILTINS, 'draft');
    const run = (draft: ReturnType<typeof draftPolicy>) => runBacktest({ journal: store, draft, from: FROM, to: TO }).ruleActions;
    // a day's freeze at t4, extended at t7 (its end is later): two actions
    assert.deepEqual(run(withAction('action freeze_account for 24h')), [{ rule: 'BIG', action: 'freeze_account', taken: 2, capped: 0 }]);
    // a freeze until lifted at t4: A1 is frozen as long as can be at t7, nothing taken then
    assert.deepEqual(run(withAction('action freeze_account')), [{ rule: 'BIG', action: 'freeze_account', taken: 1, capped: 0 }]);
    // no action allowed an hour: both named capped
    assert.deepEqual(run(withAction('action freeze_account for 24h', 'setting actions.rule_cap_per_hour = 0\n')), [{ rule: 'BIG', action: 'freeze_account', taken: 0, capped: 2 }]);
    assert.deepEqual(run(draftPolicy()), []);
  } finally {
    cleanup();
  }
});
