/**
 * Alerts on the server's own health (issue 16, item 3): the decision latency p99 of the last minute,
 * the journal's lag and the case feed's lag. Unlike the decision rates these have absolute limits —
 * a payment switch's timeout does not change with the hour, nor does the time an answered payment may
 * wait before it is durable — so they are fixed bounds, not the same hour of past days
 * (docs/automation.md, "Alerts"). Each is raised at most once per metric and wall-clock hour.
 */
import type { RaisedAlert } from './monitor.js';

const HOUR = 3_600_000;

/** Decision latency p99 past which the last minute alerts: far under a switch's 1–3 s timeout, far over a healthy server's. */
export const LATENCY_P99_MS = 250;
/** Fewest decisions in the last minute for its p99 to mean anything. */
export const LATENCY_MIN_DECISIONS = 100;
/** Seconds the oldest answered decision may wait to be durable (group commits take milliseconds). */
export const JOURNAL_LAG_S = 1;
/** Seconds the case feed may be behind the answers before cases, detectors and alerts count as late. */
export const FEED_LAG_S = 60;

/** What the watch reads at each look. */
export interface HealthFigures {
  /** p99 (µs) of arrival → decision over the last minute, and how many decisions it covers. */
  readonly latencyP99Us: number | null;
  readonly decisions: number;
  /** Age (s) of the oldest decision not yet durable. */
  readonly journalLagS: number | null;
  /** Age (s) of the oldest answered event the case feed (intake, detectors, alerts) has not processed. */
  readonly feedLagS: number | null;
}

/** Compares the figures with the bounds; `raise` records an alert. */
export class HealthWatch {
  private readonly raised = new Set<string>();

  constructor(private readonly raise: (a: RaisedAlert) => void) {}

  /** One look at `f`, at wall-clock `now`. */
  check(f: HealthFigures, now: number): void {
    const hour = Math.floor(now / HOUR) * HOUR;
    if (f.latencyP99Us !== null && f.decisions >= LATENCY_MIN_DECISIONS && f.latencyP99Us > LATENCY_P99_MS * 1000) {
      this.once('latency_p99', hour, f.latencyP99Us / 1000, LATENCY_P99_MS, f.decisions, `decision latency p99 ${(f.latencyP99Us / 1000).toFixed(0)} ms over the last minute's ${f.decisions} decisions (bound ${LATENCY_P99_MS} ms)`);
    }
    if (f.journalLagS !== null && f.journalLagS > JOURNAL_LAG_S) {
      this.once('journal_lag', hour, f.journalLagS, JOURNAL_LAG_S, 0, `the oldest decision not yet durable has waited ${f.journalLagS.toFixed(1)} s (bound ${JOURNAL_LAG_S} s): the disk or the journal writer is behind`);
    }
    if (f.feedLagS !== null && f.feedLagS > FEED_LAG_S) {
      this.once('case_feed_lag', hour, f.feedLagS, FEED_LAG_S, 0, `the case feed is ${f.feedLagS.toFixed(0)} s behind the answers (bound ${FEED_LAG_S} s): cases, detectors and alerts are late`);
    }
  }

  private once(metric: 'latency_p99' | 'journal_lag' | 'case_feed_lag', hour: number, observed: number, bound: number, count: number, message: string): void {
    const key = `${hour}:${metric}`;
    if (this.raised.has(key)) return;
    this.raised.add(key);
    for (const k of this.raised) if (Number(k.slice(0, k.indexOf(':'))) < hour) this.raised.delete(k);
    this.raise({ metric, subject: null, hour, observed, expected: bound, bound, count, message });
  }
}
