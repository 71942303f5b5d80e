// The health watch's fixed bounds: latency p99 over enough decisions, the journal's and the case
// feed's lag; each raised once per wall-clock hour, again in the next hour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEED_LAG_S, HealthWatch, JOURNAL_LAG_S, LATENCY_MIN_DECISIONS, LATENCY_P99_MS } from '../../src/alerts/operational.js';
import type { RaisedAlert } from '../../src/alerts/monitor.js';

const H = Date.UTC(2026, 11, 7, 2);
const calm = { latencyP99Us: 4_000, decisions: 5_000, journalLagS: 0.001, feedLagS: 0.2 };

test('within the bounds nothing; past one, one alert naming the figure, once an hour', () => {
  const got: RaisedAlert[] = [];
  const w = new HealthWatch((a) => got.push(a));
  w.check(calm, H);
  assert.equal(got.length, 0);
  w.check({ ...calm, latencyP99Us: (LATENCY_P99_MS + 50) * 1000, decisions: LATENCY_MIN_DECISIONS - 1 }, H + 1);
  assert.equal(got.length, 0, 'too few decisions to call a p99');
  w.check({ ...calm, latencyP99Us: (LATENCY_P99_MS + 50) * 1000 }, H + 2);
  w.check({ ...calm, latencyP99Us: (LATENCY_P99_MS + 90) * 1000 }, H + 60_000);
  assert.deepEqual(got.map((a) => a.metric), ['latency_p99']);
  assert.match(got[0].message, /p99 300 ms/);
  w.check({ ...calm, journalLagS: JOURNAL_LAG_S + 2, feedLagS: FEED_LAG_S + 1 }, H + 120_000);
  assert.deepEqual(got.map((a) => a.metric), ['latency_p99', 'journal_lag', 'case_feed_lag']);
  w.check({ ...calm, journalLagS: JOURNAL_LAG_S + 2 }, H + 3_600_000);
  assert.equal(got.length, 4, 'the next hour raises it again');
  assert.equal(got[3].hour, H + 3_600_000);
});
