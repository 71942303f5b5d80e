// Rule performance on the hand-built report journal (test/report/fixture.ts): every figure worked out
// by hand from the table in reportJournal()'s comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { readPayment, scanPayment } from '../../src/policy/rule-performance-read.js';
import { runRulePerformance } from '../../src/policy/rule-performance.js';
import { bucketLabel, bucketStart } from '../../src/report/range.js';
import { DAY, HOUR } from '../engine/world.js';
import { payment } from './backtest-fixture.js';
import { FROM, reportJournal, tempStore, TO } from '../report/fixture.js';

// Payments of the period (fen): c1 2000 approve, c2 60000 approve, c3 150000 review, c4 30000 decline,
// c5 70000 challenge, c6 200000 decline, c7 5000 approve.
// Truth by the labels known now: c1 fraud (own label), c2 legitimate (fraud, then cleared: the latest
// wins), c3 fraud (own label after the period), c4 c5 fraud (A3's account label), c6 c7 unlabelled.
const zero = { approve: 0, review: 0, challenge: 0, decline: 0 };

test('rule performance: per code and overall, every figure by hand', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRulePerformance({ journal: store, from: FROM, to: TO, bucket: 'day' });
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    assert.deepEqual(r.range, { from: FROM, to: TO, fromTs: '2026-11-10T00:00:00+08:00', toTs: '2026-11-11T00:00:00+08:00' });
    assert.equal(r.bucket, 'day');
    // 6 label events; fraud c1 c3 c4 c5 (c4 c5 through the account), c2 labelled legitimate, c6 c7 unlabelled
    assert.deepEqual(r.labels, { events: 6, entityScopes: ['account'], fraud: 4, fraudByEntity: 2, legitimateLabelled: 1, unlabelled: 2 });
    // the read starts at the first entry at or after FROM − 1 h (grace): q4 at −1 h, seq 19; it reads q4
    // and c1–c8 (c8 at TO, seq 28, within the grace hour: read, not counted); 33 entries in all
    assert.equal(r.run.lastSeq, 33);
    assert.equal(r.run.firstSeq, 19);
    assert.equal(r.run.endSeq, 28);
    assert.equal(r.run.paymentsRead, 9);
    assert.equal(r.run.withoutDecision, 0);

    const { series: totalSeries, ...totals } = r.totals;
    // all 7 payments: fraud 4 (2000+150000+30000+70000), legitimate 3 (60000+200000+5000), stopped c3 c4 c5
    assert.deepEqual(totals, {
      code: '*', hits: 7, amount: 517000, outcomes: { approve: 3, review: 1, challenge: 1, decline: 2 },
      fraud: 4, fraudAmount: 252000, legitimate: 3, legitimateAmount: 265000, unlabelled: 2, fraudStopped: 3,
      precision: 4 / 7, recall: 1,
    });
    assert.equal(totalSeries.length, 1);
    assert.equal(totalSeries[0].label, '2026-11-10');

    assert.deepEqual(r.rules.map((x) => x.code), ['MEDIUM_AMOUNT', 'LARGE_AMOUNT', 'BLOCKED_ACCOUNT']);
    const [medium, large, blocked] = r.rules;
    // MEDIUM_AMOUNT on c2 (approve, legit) c3 (review, fraud) c5 (challenge, fraud) c6 (decline, unlabelled)
    assert.deepEqual({ ...medium, series: undefined }, {
      code: 'MEDIUM_AMOUNT', hits: 4, amount: 480000, outcomes: { approve: 1, review: 1, challenge: 1, decline: 1 },
      fraud: 2, fraudAmount: 220000, legitimate: 2, legitimateAmount: 260000, unlabelled: 1, fraudStopped: 2,
      precision: 0.5, recall: 0.5, series: undefined,
    });
    // LARGE_AMOUNT on c3 (review, fraud) c6 (decline, unlabelled)
    assert.deepEqual({ ...large, series: undefined }, {
      code: 'LARGE_AMOUNT', hits: 2, amount: 350000, outcomes: { ...zero, review: 1, decline: 1 },
      fraud: 1, fraudAmount: 150000, legitimate: 1, legitimateAmount: 200000, unlabelled: 1, fraudStopped: 1,
      precision: 0.5, recall: 0.25, series: undefined,
    });
    // BLOCKED_ACCOUNT on c4 (decline, fraud through A3)
    assert.deepEqual({ ...blocked, series: undefined }, {
      code: 'BLOCKED_ACCOUNT', hits: 1, amount: 30000, outcomes: { ...zero, decline: 1 },
      fraud: 1, fraudAmount: 30000, legitimate: 0, legitimateAmount: 0, unlabelled: 0, fraudStopped: 1,
      precision: 1, recall: 0.25, series: undefined,
    });
    assert.deepEqual(medium.series.map((b) => [b.label, b.hits]), [['2026-11-10', 4]]);
  } finally {
    cleanup();
  }
});

test('rule performance: hourly series, recall against the bucket, empty buckets left out', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRulePerformance({ journal: store, from: FROM, to: TO, bucket: 'hour' });
    const medium = r.rules.find((x) => x.code === 'MEDIUM_AMOUNT')!;
    // c2 +1h10 and c3 +1h40 in the 01:00 bucket, c5 +3h30 in 03:00, c6 +10h in 10:00
    assert.deepEqual(medium.series.map((b) => [b.start, b.label]), [
      [FROM + HOUR, '2026-11-10 01:00'],
      [FROM + 3 * HOUR, '2026-11-10 03:00'],
      [FROM + 10 * HOUR, '2026-11-10 10:00'],
    ]);
    const [h1, h3, h10] = medium.series;
    // 01:00: c2 legit + c3 fraud; the bucket's only fraud is c3 → recall 1
    assert.equal(h1.hits, 2);
    assert.equal(h1.amount, 210000);
    assert.deepEqual(h1.outcomes, { ...zero, approve: 1, review: 1 });
    assert.equal(h1.fraud, 1);
    assert.equal(h1.precision, 0.5);
    assert.equal(h1.recall, 1);
    // 03:00: c5 fraud; the bucket's fraud is c4 and c5 → recall 0.5
    assert.equal(h3.fraud, 1);
    assert.equal(h3.precision, 1);
    assert.equal(h3.recall, 0.5);
    // 10:00: c6 unlabelled; no fraud in the bucket → recall null
    assert.equal(h10.precision, 0);
    assert.equal(h10.recall, null);
    assert.equal(h10.unlabelled, 1);
    // the totals' series: the 5 hours with payments
    assert.deepEqual(r.totals.series.map((b) => [b.label, b.hits]), [
      ['2026-11-10 00:00', 1], ['2026-11-10 01:00', 2], ['2026-11-10 03:00', 2], ['2026-11-10 10:00', 1], ['2026-11-10 23:00', 1],
    ]);
  } finally {
    cleanup();
  }
});

test('rule performance: the whole journal by week (weeks start on Monday, +08:00)', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRulePerformance({ journal: store, bucket: 'week' });
    // q1–q4, c1–c8: 12 payments; q3 (review, MEDIUM_AMOUNT, fraud by its own label) joins MEDIUM_AMOUNT
    assert.equal(r.totals.hits, 12);
    assert.equal(r.range.from, null);
    const medium = r.rules.find((x) => x.code === 'MEDIUM_AMOUNT')!;
    assert.equal(medium.hits, 5);
    assert.equal(medium.fraud, 3);
    // 2026-11-10 is a Tuesday; q1 (−20 h) falls on Monday the 9th: one week, labelled by its Monday
    assert.deepEqual(r.totals.series.map((b) => b.label), ['2026-11-09']);
    assert.equal(bucketStart(FROM, 'week'), FROM - DAY);
    assert.equal(bucketLabel(bucketStart(FROM + 6 * DAY, 'week'), 'week'), '2026-11-16');
  } finally {
    cleanup();
  }
});

test('rule performance: an empty range and a bucket count beyond the limit are refused', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    assert.throws(() => runRulePerformance({ journal: store, from: TO, to: FROM }), /range is empty/);
    assert.throws(() => runRulePerformance({ journal: store, from: 0, to: TO, bucket: 'hour' }), (e: Error & { path?: string }) => e.path === 'bucket');
  } finally {
    cleanup();
  }
});

test('payment scanner: reads what JSON.parse reads, and falls back on escaped text', () => {
  const e = parseEvent({ ...payment('tx-"q"', 'A1', 12.34, HOUR), merchantName: '深圳便利店' });
  const plain = parseEvent({ ...payment('tx-1', 'A1', 12.34, HOUR), merchantName: '深圳便利店' });
  const text = JSON.stringify(plain);
  const row = scanPayment(5, text);
  assert.deepEqual(row, { seq: 5, id: 'tx-1', t: FROM + HOUR, accountId: 'A1', amount: 1234, merchantId: 'M1', terminalId: 'T1' });
  // an id with a quote is escaped in the stored text: the scanner gives up, the reader still reads it
  const escaped = JSON.stringify(e);
  assert.equal(scanPayment(6, escaped), null);
  const read = readPayment({ seq: 6, type: 'transaction', txId: 'tx-"q"', event: escaped, decision: null, receivedAt: 1 });
  assert.equal(read.id, 'tx-"q"');
  assert.equal(read.amount, 1234);
  // a different field order is not scanned
  assert.equal(scanPayment(7, JSON.stringify({ id: 'x', ...plain })), null);
});
