/**
 * The read side of the journal reports (rule performance, the risk report): every journaled payment
 * of an event-time range with the decision it was answered with and what the labels known now say
 * about it, in one streaming pass.
 *
 * Range rules, as a backtest reads (backtest.ts): payments with `from ≤ t < to` count; the read
 * starts at the first entry at or after `from − graceMs` (bisection on seq, so late payments near
 * the start are seen) and stops at the first payment at or after `to + graceMs`, or at `lastSeq`
 * (entries committed after the report began are never read, so it is repeatable).
 *
 * Speed: a payment's stored event is the contract parser's output serialised, so its first fields
 * always come in one order; a scanner reads them straight from the text (with JSON.parse and full
 * validation as the fallback for anything else), and the stored answer is read by the backtest's
 * scanner. Only transaction rows are fetched.
 */
import type { TransactionEvent } from '../contract/events.js';
import { StoreError } from '../errors.js';
import type { Journal, JournalEntry } from '../log/journal.js';
import type { KnownLabels } from './backtest-labels.js';
import { readLiveDecision, type LiveDecision } from './backtest-live.js';
import { eachInRange, runOnJournal, type JournalProgram } from '../log/journal-reads.js';
import { decodeEntry, firstSeqProgram } from './backtest-read.js';
import type { TxTruth } from './backtest-report.js';

/** What the reports need of one journaled payment. */
export interface PaymentRow {
  readonly seq: number;
  /** The transaction id. */
  readonly id: string;
  /** Event time, epoch ms. */
  readonly t: number;
  readonly accountId: string;
  readonly amount: number;
  readonly merchantId: string;
  readonly terminalId: string;
}

const HEAD = '{"type":"transaction","id":"';

/**
 * Reads the leading fields of a stored payment (`{"type":"transaction","id":…,"ts":…,"t":…,"accountId":…,
 * "amount":…,"currency":…,"merchantId":…,"terminalId":…`) or gives up (null). Only text without a
 * backslash is scanned: then no string holds a quote, so every quote found delimits a string.
 */
export function scanPayment(seq: number, s: string): PaymentRow | null {
  if (!s.startsWith(HEAD) || s.indexOf('\\') >= 0) return null;
  let i = HEAD.length;
  let e = s.indexOf('"', i);
  const id = s.slice(i, e);
  if (!s.startsWith('","ts":"', e)) return null;
  e = s.indexOf('"', e + 8);
  if (e < 0 || !s.startsWith(',"t":', e + 1)) return null;
  i = e + 6;
  e = s.indexOf(',', i);
  const t = Number(s.slice(i, e));
  if (e < 0 || !s.startsWith(',"accountId":"', e)) return null;
  i = e + 14;
  e = s.indexOf('"', i);
  const accountId = s.slice(i, e);
  if (!s.startsWith('","amount":', e)) return null;
  i = e + 11;
  e = s.indexOf(',', i);
  const amount = Number(s.slice(i, e));
  if (e < 0 || !s.startsWith(',"currency":"', e)) return null;
  e = s.indexOf('"', e + 13);
  if (e < 0 || !s.startsWith('","merchantId":"', e)) return null;
  i = e + 16;
  e = s.indexOf('"', i);
  const merchantId = s.slice(i, e);
  if (!s.startsWith('","terminalId":"', e)) return null;
  i = e + 16;
  e = s.indexOf('"', i);
  if (e < 0) return null;
  const terminalId = s.slice(i, e);
  if (!Number.isFinite(t) || !Number.isSafeInteger(amount)) return null;
  return { seq, id, t, accountId, amount, merchantId, terminalId };
}

/** A journaled payment's row: scanned, or decoded and validated as recovery does. */
export function readPayment(entry: JournalEntry): PaymentRow {
  const fast = scanPayment(entry.seq, entry.event);
  if (fast !== null) return fast;
  const e = decodeEntry(entry);
  if (e.type !== 'transaction') throw new StoreError(`journal entry ${entry.seq} is stored as a transaction but holds a ${e.type} event`);
  return { seq: entry.seq, id: e.id, t: e.t, accountId: e.accountId, amount: e.amount, merchantId: e.merchantId, terminalId: e.terminalId };
}

/** What the labels known now say about a payment (its own label, else an entity fraud label), or null. */
export function truthOfPayment(labels: KnownLabels, p: PaymentRow): TxTruth | null {
  // truthOf reads only id, accountId, merchantId and terminalId, which every PaymentRow carries
  return labels.truthOf(p as unknown as TransactionEvent);
}

/** An event-time range of a scan; infinite bounds read from the start or to the end. */
export interface ScanRange {
  /** inclusive, epoch ms. */
  readonly from: number;
  /** exclusive, epoch ms. */
  readonly to: number;
  /** how far past the bounds late payments are looked for (default 1 h). */
  readonly graceMs?: number | undefined;
}

/** What a scan read. */
export interface ScanStats {
  /** the journal as the scan saw it: entries 1..lastSeq. */
  readonly lastSeq: number;
  /** first and last seq read (0 when nothing was). */
  readonly firstSeq: number;
  readonly endSeq: number;
  /** payment rows read, in range or not. */
  readonly read: number;
  /** payments in range visited. */
  readonly payments: number;
  /** payments in range without a readable decision, skipped. */
  readonly withoutDecision: number;
}

/** Default grace past the bounds, as the backtest's. */
export const SCAN_GRACE_MS = 3_600_000;

/** Payment rows between progress calls. */
const PROGRESS_EVERY = 65_536;

/** Called with each payment in range, its answered decision and its truth. */
export type PaymentVisitor = (p: PaymentRow, d: LiveDecision, truth: TxTruth | null) => void;

/**
 * Visits every payment with `from ≤ t < to` of entries 1..lastSeq in journal order; `onProgress`
 * gets the last seq read every 65,536 payments or so.
 */
export function scanPayments(
  journal: Journal,
  labels: KnownLabels,
  lastSeq: number,
  range: ScanRange,
  visit: PaymentVisitor,
  onProgress?: (seq: number, payments: number) => void,
): ScanStats {
  return runOnJournal(journal, scanPaymentsProgram(labels, lastSeq, range, visit, onProgress));
}

/** scanPayments as a JournalProgram (log/journal-reads.ts), for a journal of either kind. */
export function* scanPaymentsProgram(
  labels: KnownLabels,
  lastSeq: number,
  range: ScanRange,
  visit: PaymentVisitor,
  onProgress?: (seq: number, payments: number) => void,
): JournalProgram<ScanStats> {
  const grace = range.graceMs ?? SCAN_GRACE_MS;
  const { from, to } = range;
  const start = from - grace;
  const firstSeq = start === -Infinity ? 1 : yield* firstSeqProgram(start, lastSeq);
  const stopAt = to + grace;
  let read = 0;
  let payments = 0;
  let withoutDecision = 0;
  let endSeq = 0;
  if (firstSeq <= lastSeq) {
    yield* eachInRange({ fromSeq: firstSeq, toSeq: lastSeq, type: 'transaction' }, (entry) => {
      const p = readPayment(entry);
      if (p.t >= stopAt) return false;
      endSeq = entry.seq;
      if (++read % PROGRESS_EVERY === 0) onProgress?.(entry.seq, payments);
      if (p.t < from || p.t >= to) return true;
      const d = entry.decision === null ? null : readLiveDecision(entry.decision);
      if (d === null) {
        withoutDecision++;
        return true;
      }
      payments++;
      visit(p, d, truthOfPayment(labels, p));
      return true;
    });
  }
  onProgress?.(endSeq, payments);
  return { lastSeq, firstSeq: read > 0 ? firstSeq : 0, endSeq, read, payments, withoutDecision };
}
