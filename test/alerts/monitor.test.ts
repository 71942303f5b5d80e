// The alert monitor's bounds on synthetic feed entries: a rate well above the same hour of past days
// alerts once; noise within the bound, an hour without history and a rebuild (act false) do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMonitor, MIN_LABELS, type RaisedAlert } from '../../src/alerts/monitor.js';
import type { FeedEntry } from '../../src/detectors/types.js';
import type { FkEvent } from '../../src/contract/events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 10:00 Asia/Shanghai on 2026-11-20. */
const T = Date.UTC(2026, 10, 20, 2);
let seq = 0;

function pay(t: number, outcome: string, codes: string[] = [], act = true): FeedEntry {
  return { seq: ++seq, act, event: { type: 'transaction', t } as unknown as FkEvent, decision: { outcome, score: 0, reasons: codes.map((code) => ({ code })) } };
}

function label(t: number, act = true): FeedEntry {
  return { seq: ++seq, act, event: { type: 'label', t, fraud: true } as unknown as FkEvent, decision: null };
}

/** `n` payments in the hour starting at `t`, `declines` of them declined with rule R1. */
function hour(m: AlertMonitor, t: number, n: number, declines: number): void {
  for (let i = 0; i < n; i++) m.consume(pay(t + i * 1_000, i < declines ? 'decline' : 'approve', i < declines ? ['R1'] : []));
}

function week(m: AlertMonitor, n = 100, declines = 2): void {
  for (let d = 7; d >= 1; d--) for (let i = 0; i < n; i++) m.consume(pay(T - d * DAY + i * 1_000, i < declines ? 'decline' : 'approve', i < declines ? ['R1'] : [], false));
}

test('a decline rate far above the same hour of the past week alerts once, naming the hour and the bound; its rule too', () => {
  const got: RaisedAlert[] = [];
  const m = new AlertMonitor((a) => got.push(a));
  week(m);
  hour(m, T, 100, 20);
  const decline = got.filter((a) => a.metric === 'decline_rate');
  assert.equal(decline.length, 1, 'once per hour, however many payments follow');
  assert.equal(decline[0].hour, T);
  assert.ok(Math.abs(decline[0].expected - 0.02) < 1e-9);
  assert.ok(decline[0].observed > decline[0].bound);
  assert.match(decline[0].message, /2026-11-20 10:00 \(Asia\/Shanghai\)/);
  assert.equal(got.filter((a) => a.metric === 'rule_hit_rate' && a.subject === 'R1').length, 1);
});

test('within the bound, without history, or while rebuilding: nothing', () => {
  const got: RaisedAlert[] = [];
  const m = new AlertMonitor((a) => got.push(a));
  week(m);
  hour(m, T, 100, 4); // 4 % against 2 %: under 2 % + 2 points and under 4 standard errors
  assert.equal(got.length, 0);
  const fresh = new AlertMonitor((a) => got.push(a));
  hour(fresh, T, 100, 50); // no past days
  assert.equal(got.length, 0);
  const rebuilding = new AlertMonitor((a) => got.push(a));
  week(rebuilding);
  for (let i = 0; i < 100; i++) rebuilding.consume(pay(T + i, 'decline', ['R1'], false));
  assert.equal(got.length, 0, 'a restart re-reads old hours without raising them again');
});

test('fraud labels of an hour far above the past days alert; a few do not', () => {
  const got: RaisedAlert[] = [];
  const m = new AlertMonitor((a) => got.push(a));
  for (let d = 7; d >= 1; d--) m.consume(label(T - d * DAY, false));
  for (let i = 0; i < MIN_LABELS - 1; i++) m.consume(label(T + i));
  assert.equal(got.length, 0, 'fewer than MIN_LABELS');
  for (let i = 0; i < 10; i++) m.consume(label(T + 100 + i));
  assert.equal(got.length, 1);
  assert.equal(got[0].metric, 'fraud_labels');
  assert.equal(got[0].expected, 1);
});
