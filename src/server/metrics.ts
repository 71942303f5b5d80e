/**
 * A minimal Prometheus registry for the server: counters and histograms with fixed label sets,
 * cheap enough for the hot path (a Map lookup and a short bucket scan), rendered in the text
 * exposition format. No dependency: the format is small and stable. Beside them, the last minute
 * of decisions in one-second rings (live-window.ts) for the console's overview.
 */
import type { Decision } from '../engine/decision.js';
import { LiveWindow } from './live-window.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A histogram with fixed upper bounds (cumulative on output). */
export class Histogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  /** Records one value. */
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++;
        return;
      }
    }
  }

  /** Exposition lines for metric `name` with `labels`. */
  render(name: string, labels: Record<string, string>): string[] {
    const out: string[] = [];
    let cum = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cum += this.counts[i];
      out.push(`${name}_bucket${labelText({ ...labels, le: String(this.bounds[i]) })} ${cum}`);
    }
    out.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${this.count}`);
    out.push(`${name}_sum${labelText(labels)} ${this.sum}`);
    out.push(`${name}_count${labelText(labels)} ${this.count}`);
    return out;
  }
}

/** Live values read at scrape time (journal lag, state sizes). */
export type GaugeFn = () => number;

/** Every metric the server exports. */
export class ServerMetrics {
  /** route → status → count. */
  private readonly requests = new Map<string, Map<number, number>>();
  private readonly latency = new Map<string, Histogram>();
  private readonly outcomes = new Map<string, number>();
  readonly batchSize = new Histogram(BATCH_BUCKETS);
  readonly commitSeconds = new Histogram(LATENCY_BUCKETS);
  private readonly gauges: { name: string; help: string; fn: GaugeFn }[] = [];
  private readonly families: { name: string; help: string; type: 'counter' | 'gauge'; label: string; fn: () => Iterable<[string, number]> }[] = [];
  private readonly infos: { name: string; help: string; fn: () => Record<string, string> }[] = [];
  private readonly histograms: { name: string; help: string; labels: Record<string, string>; h: Histogram }[] = [];
  private readonly started = Date.now();
  /** The last minute of decisions (outcomes, scores, latency, reason codes), read by GET /v1/overview. */
  readonly live = new LiveWindow();

  /** Counts one answered request and its latency; `route` is a fixed template, never a raw URL. */
  request(route: string, status: number, seconds: number): void {
    let byStatus = this.requests.get(route);
    let h = this.latency.get(route);
    if (byStatus === undefined || h === undefined) {
      byStatus = new Map();
      h = new Histogram(LATENCY_BUCKETS);
      this.requests.set(route, byStatus);
      this.latency.set(route, h);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    h.observe(seconds);
  }

  /**
   * Counts one new decision (replays of a known id are not counted): by outcome since start, and in
   * the last minute's rings with its score, reasons and `latencyUs` (arrival → decision) at `now`.
   */
  decision(d: Decision, latencyUs: number, now: number): void {
    this.outcomes.set(d.outcome, (this.outcomes.get(d.outcome) ?? 0) + 1);
    this.live.record(now, d.outcome, d.score, latencyUs, d.reasons);
  }

  /** Records one journal commit: entries in the batch and milliseconds until durable. */
  commit(size: number, ms: number): void {
    this.batchSize.observe(size);
    this.commitSeconds.observe(ms / 1000);
  }

  /** Registers a gauge read at scrape time. */
  gauge(name: string, help: string, fn: GaugeFn): void {
    this.gauges.push({ name, help, fn });
  }

  /**
   * Registers a metric with one label read at scrape time, one sample per value (e.g. requests
   * refused per key id): the figures stay where they are counted, without a map lookup here per request.
   */
  family(name: string, help: string, type: 'counter' | 'gauge', label: string, fn: () => Iterable<[string, number]>): void {
    this.families.push({ name, help, type, label, fn });
  }

  /**
   * Registers an info metric read at scrape time: a gauge of value 1 whose labels carry text a
   * number cannot (the audit chain's head hash), the Prometheus convention for such facts.
   */
  info(name: string, help: string, fn: () => Record<string, string>): void {
    this.infos.push({ name, help, fn });
  }

  /**
   * Registers a histogram kept by another part of the server (the ISO 8583 listener's answer
   * latency), rendered with `labels` at scrape time. Several may share a name with other labels.
   */
  histogram(name: string, help: string, labels: Record<string, string>, h: Histogram): void {
    this.histograms.push({ name, help, labels, h });
  }

  /**
   * The current value of the gauge `name`, or null when none is registered: lets a route show a
   * figure a module exports (the case feed's lag) without reaching into that module.
   */
  read(name: string): number | null {
    const g = this.gauges.find((x) => x.name === name);
    return g === undefined ? null : g.fn();
  }

  /** The Prometheus text exposition of everything. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP fengkong_http_requests_total HTTP requests answered, by route and status.');
    out.push('# TYPE fengkong_http_requests_total counter');
    for (const [route, byStatus] of this.requests) {
      for (const [status, n] of byStatus) out.push(`fengkong_http_requests_total${labelText({ route, status: String(status) })} ${n}`);
    }
    out.push('# HELP fengkong_http_request_duration_seconds Time from request to answer, by route.');
    out.push('# TYPE fengkong_http_request_duration_seconds histogram');
    for (const [route, h] of this.latency) out.push(...h.render('fengkong_http_request_duration_seconds', { route }));
    out.push('# HELP fengkong_decisions_total Decisions made, by outcome (idempotent replays not counted).');
    out.push('# TYPE fengkong_decisions_total counter');
    for (const o of ['approve', 'review', 'challenge', 'decline']) {
      out.push(`fengkong_decisions_total${labelText({ outcome: o })} ${this.outcomes.get(o) ?? 0}`);
    }
    out.push('# HELP fengkong_journal_batch_size Entries per journal commit (group commit).');
    out.push('# TYPE fengkong_journal_batch_size histogram');
    out.push(...this.batchSize.render('fengkong_journal_batch_size', {}));
    out.push('# HELP fengkong_journal_commit_duration_seconds Time for one journal commit to be durable.');
    out.push('# TYPE fengkong_journal_commit_duration_seconds histogram');
    out.push(...this.commitSeconds.render('fengkong_journal_commit_duration_seconds', {}));
    for (const g of this.gauges) {
      out.push(`# HELP ${g.name} ${g.help}`);
      out.push(`# TYPE ${g.name} gauge`);
      out.push(`${g.name} ${g.fn()}`);
    }
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      for (const [value, n] of f.fn()) out.push(`${f.name}${labelText({ [f.label]: value })} ${n}`);
    }
    const named = new Set<string>();
    for (const x of this.histograms) {
      if (!named.has(x.name)) {
        named.add(x.name);
        out.push(`# HELP ${x.name} ${x.help}`);
        out.push(`# TYPE ${x.name} histogram`);
      }
      out.push(...x.h.render(x.name, x.labels));
    }
    for (const i of this.infos) {
      out.push(`# HELP ${i.name} ${i.help}`);
      out.push(`# TYPE ${i.name} gauge`);
      out.push(`${i.name}${labelText(i.fn())} 1`);
    }
    out.push('# HELP fengkong_uptime_seconds Seconds since the server started.');
    out.push('# TYPE fengkong_uptime_seconds gauge');
    out.push(`fengkong_uptime_seconds ${(Date.now() - this.started) / 1000}`);
    return out.join('\n') + '\n';
  }
}
