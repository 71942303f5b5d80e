/**
 * The ISO 8583 listener's figures on /metrics: connections open and accepted, messages by MTI, how
 * they ended (decided, network, format error, …), and the time from a message's last byte to its
 * answer being written. Counted where they happen (plain fields, no map per message but the MTI's);
 * registered once on the server's registry, read at scrape time.
 */
import { Histogram, type ServerMetrics } from '../server/metrics.js';
import type { Handled } from './handler.js';

const ANSWER_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Counters of one listener. */
export class IsoListenerMetrics {
  open = 0;
  accepted = 0;
  idleClosed = 0;
  /** Frames whose length could not be trusted (the connection was closed). */
  framingErrors = 0;
  readonly byMti = new Map<string, number>();
  readonly byEnd = new Map<Handled, number>();
  readonly answerSeconds = new Histogram(ANSWER_BUCKETS);

  /** Counts one message of `mti` (`unreadable` when even the MTI was not). */
  received(mti: string): void {
    this.byMti.set(mti, (this.byMti.get(mti) ?? 0) + 1);
  }

  /** Counts how one message ended. */
  ended(how: Handled): void {
    this.byEnd.set(how, (this.byEnd.get(how) ?? 0) + 1);
  }

  /** Messages answered `30` or dropped as unreadable. */
  get formatErrors(): number {
    return this.byEnd.get('format_error') ?? 0;
  }

  /** Registers the figures on the server's registry under `fengkong_iso8583_…`. */
  register(m: ServerMetrics, listener: string): void {
    m.gauge('fengkong_iso8583_connections', `ISO 8583 connections open (listener ${listener}).`, () => this.open);
    m.gauge('fengkong_iso8583_connections_accepted_total', `ISO 8583 connections accepted since start (listener ${listener}).`, () => this.accepted);
    m.gauge('fengkong_iso8583_idle_closed_total', `ISO 8583 connections closed for being idle (listener ${listener}).`, () => this.idleClosed);
    m.gauge('fengkong_iso8583_format_errors_total', `ISO 8583 messages that could not be read or mapped (answered 30 when the MTI and STAN could be read).`, () => this.formatErrors);
    m.gauge('fengkong_iso8583_framing_errors_total', 'ISO 8583 connections closed because a 2-byte length could not be trusted.', () => this.framingErrors);
    m.family('fengkong_iso8583_messages_total', 'ISO 8583 messages received, by MTI.', 'counter', 'mti', () => this.byMti);
    m.family('fengkong_iso8583_messages_handled_total', 'ISO 8583 messages by how they ended (decided, reversed, network, format_error, not_supported, refused, unanswered).', 'counter', 'result', () => this.byEnd);
    m.histogram('fengkong_iso8583_answer_seconds', 'Time from an ISO 8583 message read to its answer written (includes the journal commit).', { listener }, this.answerSeconds);
  }
}
