// The risk report on the hand-built journal of fixture.ts: every number worked out by hand from the
// table in reportJournal()'s comment; the previous period is FROM − 1 d … FROM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteCaseQueueReader } from '../../src/store/sqlite/case-queue.js';
import { runRiskReport } from '../../src/report/risk-report.js';
import { runReportInWorker } from '../../src/report/worker-runner.js';
import { sqliteWorkerAdapter } from '../../src/store/sqlite/worker-factory.js';
import { DAY, HOUR } from '../engine/world.js';
import { FROM, reportJournal, tempStore, TO } from './fixture.js';

const NOW = FROM + 30 * DAY;

test('risk report: totals, money, the previous period, labels', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(store.database), from: FROM, to: TO, now: NOW });
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    assert.equal(r.bucket, 'hour'); // one day: hours
    assert.deepEqual(r.range, { from: FROM, to: TO, fromTs: '2026-11-10T00:00:00+08:00', toTs: '2026-11-11T00:00:00+08:00' });
    assert.deepEqual(r.previous, { from: FROM - DAY, to: FROM, fromTs: '2026-11-09T00:00:00+08:00', toTs: '2026-11-10T00:00:00+08:00' });
    assert.deepEqual(r.labels, { events: 6, entityScopes: ['account'], fraud: 4, fraudByEntity: 2, legitimateLabelled: 1, unlabelled: 2 });
    // c1 2000 approve (fraud), c2 60000 approve (cleared), c3 150000 review (fraud), c4 30000 decline (fraud),
    // c5 70000 challenge (fraud), c6 200000 decline (unlabelled), c7 5000 approve (unlabelled)
    assert.deepEqual(r.totals, {
      payments: 7,
      amount: 517000,
      outcomes: { approve: 3, review: 1, challenge: 1, decline: 2 },
      amounts: { approve: 67000, review: 150000, challenge: 70000, decline: 230000 },
      alertRate: 4 / 7,
      declineRate: 2 / 7,
      meanScore: (0 + 25 + 45 + 95 + 65 + 85 + 0) / 7,
      fraud: {
        total: 4, totalAmount: 252000, caught: 3, caughtAmount: 250000, missed: 1, missedAmount: 2000,
        declined: 1, declinedAmount: 30000, challenged: 1, challengedAmount: 70000, reviewed: 1, reviewedAmount: 150000,
      },
      legitimate: {
        total: 3, totalAmount: 265000, unlabelled: 2, declined: 1, declinedAmount: 200000, challenged: 0, challengedAmount: 0,
        reviewed: 0, reviewedAmount: 0,
      },
      moneySaved: 100000, // c4 declined + c5 challenged
      legitimateDeclinedAmount: 200000, // c6
      precision: 3 / 4,
      recall: 3 / 4,
    });
    // previous: q1 10000, q2 20000, q4 5000 approve (unlabelled); q3 30000 review (fraud by its own label)
    assert.deepEqual(r.previousTotals, {
      payments: 4,
      amount: 65000,
      outcomes: { approve: 3, review: 1, challenge: 0, decline: 0 },
      amounts: { approve: 35000, review: 30000, challenge: 0, decline: 0 },
      alertRate: 0.25,
      declineRate: 0,
      meanScore: 12.5,
      fraud: {
        total: 1, totalAmount: 30000, caught: 1, caughtAmount: 30000, missed: 0, missedAmount: 0,
        declined: 0, declinedAmount: 0, challenged: 0, challengedAmount: 0, reviewed: 1, reviewedAmount: 30000,
      },
      legitimate: {
        total: 3, totalAmount: 35000, unlabelled: 3, declined: 0, declinedAmount: 0, challenged: 0, challengedAmount: 0,
        reviewed: 0, reviewedAmount: 0,
      },
      moneySaved: 0,
      legitimateDeclinedAmount: 0,
      precision: 1,
      recall: 1,
    });
    // read from FROM − 1 d − 1 h: q1 (seq 16) … c8 (seq 28, at TO: read in the grace hour, not counted)
    const { durationMs, ...run } = r.run;
    assert.ok(durationMs >= 0);
    assert.deepEqual(run, { lastSeq: 33, firstSeq: 16, endSeq: 28, paymentsRead: 12, withoutDecision: 0 });
    assert.equal(r.generatedAt, NOW);
  } finally {
    cleanup();
  }
});

test('risk report: hourly series, score histogram and PSI against the previous period', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRiskReport({ journal: store, from: FROM, to: TO, now: NOW });
    assert.equal(r.series.length, 24);
    assert.deepEqual(r.series.map((b) => b.start), Array.from({ length: 24 }, (_, i) => FROM + i * HOUR));
    assert.equal(r.series[0].label, '2026-11-10 00:00');
    assert.equal(r.series[23].label, '2026-11-10 23:00');
    assert.deepEqual(r.series.map((b) => b.payments), [1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // 00:00 c1 fraud approved: missed 2000
    assert.equal(r.series[0].fraud.missedAmount, 2000);
    // 01:00 c2 (approve, cleared) + c3 (review, fraud)
    assert.deepEqual(r.series[1].outcomes, { approve: 1, review: 1, challenge: 0, decline: 0 });
    assert.equal(r.series[1].fraud.reviewedAmount, 150000);
    assert.equal(r.series[1].moneySaved, 0);
    // 03:00 c4 declined + c5 challenged, both fraud: 100000 saved
    assert.equal(r.series[3].moneySaved, 100000);
    assert.equal(r.series[3].fraud.caught, 2);
    // 10:00 c6 unlabelled declined
    assert.equal(r.series[10].legitimateDeclinedAmount, 200000);
    assert.equal(r.series[2].alertRate, null);

    // scores: this period 0 25 45 95 65 85 0, previous 0 0 45 5
    assert.deepEqual(r.scores.current, [2, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
    assert.deepEqual(r.scores.previous, [3, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const f = 1e-4;
    const term = (a: number, e: number): number => (Math.max(a, f) - Math.max(e, f)) * Math.log(Math.max(a, f) / Math.max(e, f));
    const expected = term(2 / 7, 3 / 4) + term(1 / 7, 1 / 4) + 4 * term(1 / 7, 0);
    assert.ok(Math.abs(r.scores.psi! - expected) < 1e-12, `${r.scores.psi} vs ${expected}`);
    assert.equal(r.scores.band, 'significant');
    assert.equal(r.scores.reference, 'previous period');
    assert.equal(r.scores.bins.length, 10);
  } finally {
    cleanup();
  }
});

test('risk report: rules, riskiest merchants and terminals', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRiskReport({ journal: store, from: FROM, to: TO, bucket: 'day', minPayments: 1, now: NOW });
    assert.equal(r.series.length, 1);
    assert.deepEqual(r.rules.map((x) => [x.code, x.hits, x.fraud, x.precision]), [
      ['MEDIUM_AMOUNT', 4, 2, 0.5],
      ['LARGE_AMOUNT', 2, 1, 0.5],
      ['BLOCKED_ACCOUNT', 1, 1, 1],
    ]);
    assert.ok(!('series' in r.rules[0]));
    // M1: c1 c2 c6 c7 (267000; c6 flagged; c1 fraud 2000); M2: c3 c4 (180000, both flagged and fraud);
    // M3: c5 (70000, flagged, fraud)
    assert.equal(r.merchants.seen, 3);
    assert.deepEqual(r.merchants.byFraudAmount, [
      { id: 'M2', payments: 2, amount: 180000, flagged: 2, flaggedAmount: 180000, flaggedShare: 1, declined: 1, fraud: 2, fraudAmount: 180000 },
      { id: 'M3', payments: 1, amount: 70000, flagged: 1, flaggedAmount: 70000, flaggedShare: 1, declined: 0, fraud: 1, fraudAmount: 70000 },
      { id: 'M1', payments: 4, amount: 267000, flagged: 1, flaggedAmount: 200000, flaggedShare: 0.25, declined: 1, fraud: 1, fraudAmount: 2000 },
    ]);
    // equal shares: more flagged first
    assert.deepEqual(r.merchants.byFlaggedShare.map((e) => e.id), ['M2', 'M3', 'M1']);
    assert.deepEqual(r.terminals.byFraudAmount.map((e) => [e.id, e.fraudAmount]), [['T2', 180000], ['T3', 70000], ['T1', 2000]]);
    // default: at least 20 payments to rank by share; top 2
    const d = runRiskReport({ journal: store, from: FROM, to: TO, top: 2, now: NOW });
    assert.deepEqual(d.merchants.byFlaggedShare, []);
    assert.equal(d.merchants.minPayments, 20);
    assert.deepEqual(d.merchants.byFraudAmount.map((e) => e.id), ['M2', 'M3']);
  } finally {
    cleanup();
  }
});

test('risk report: open cases and their age, when a case queue exists', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const none = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(store.database), from: FROM, to: TO, now: NOW });
    assert.equal(none.cases.available, false);
    const db = store.database;
    db.exec('CREATE TABLE cases (id INTEGER PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL)');
    const add = db.prepare('INSERT INTO cases (status, created_at) VALUES (?, ?)');
    add.run('open', NOW - 0.5 * DAY);
    add.run('open', NOW - 2 * DAY);
    add.run('investigating', NOW - 10 * DAY);
    add.run('closed', NOW - 40 * DAY);
    add.run('resolved', NOW - DAY);
    const r = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(db), from: FROM, to: TO, now: NOW });
    assert.deepEqual(r.cases, {
      available: true,
      asOf: NOW,
      total: 5,
      open: 3,
      byState: { open: 2, investigating: 1 },
      byAge: [
        { label: '< 1 day', count: 1 },
        { label: '1–3 days', count: 1 },
        { label: '3–7 days', count: 0 },
        { label: '7–30 days', count: 1 },
        { label: '≥ 30 days', count: 0 },
      ],
      oldestDays: 10,
      medianDays: 2,
      byIssue: null,
      bySubject: null,
      openAmount: null,
    });
    // a table of another shape is reported, not fatal
    db.exec('DROP TABLE cases; CREATE TABLE cases (id INTEGER PRIMARY KEY, note TEXT)');
    const odd = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(db), from: FROM, to: TO, now: NOW });
    assert.equal(odd.cases.available, false);
    assert.match((odd.cases as { note: string }).note, /no state\/status/);
  } finally {
    cleanup();
  }
});

test('risk report: the worker thread gives the same report', async () => {
  const { store, dir, cleanup } = tempStore(reportJournal());
  try {
    const here = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(store.database), from: FROM, to: TO, now: NOW });
    const there = await runReportInWorker(sqliteWorkerAdapter(dir), { kind: 'risk-report', options: { from: FROM, to: TO, now: NOW } });
    assert.deepEqual({ ...there, run: { ...there.run, durationMs: 0 } }, { ...here, run: { ...here.run, durationMs: 0 } });
    // errors come back with their field
    await assert.rejects(
      runReportInWorker(sqliteWorkerAdapter(dir), { kind: 'risk-report', options: { from: 0, to: TO, bucket: 'hour' } }),
      (e: Error & { path?: string }) => e.path === 'bucket',
    );
    const perf = await runReportInWorker(sqliteWorkerAdapter(dir), { kind: 'rule-performance', options: { from: FROM, to: TO } });
    assert.equal(perf.totals.hits, 7);
  } finally {
    cleanup();
  }
});
