/**
 * Policy backtest: replays journaled history through a fresh engine running a draft policy and sets
 * what the draft decides beside what the live policy answered (the decision stored with each
 * payment), judged by the labels known now.
 *
 * How the draft is run:
 * - Events are applied in journal (seq) order, exactly as live applied them, labels at their own
 *   time; the draft's engine never sees a label before its `ts`.
 * - Payments with `from ≤ t < to` (event time, epoch ms: from inclusive, to exclusive) are compared.
 *   Replay starts at the first entry whose event time is ≥ from − warmUpMs (found by bisection on
 *   seq, exact when event times rise with seq as the contract's streams do; a late event near the
 *   boundary may fall either side), so every window is full when the range starts: events before
 *   `from` only build state, nothing of them is counted.
 * - Before that, every event older than the warm-up that is not a payment is applied in journal
 *   order (the prelude): registrations of merchants, terminals, acquirers and accounts made years
 *   ago, account events, entity labels — a draft must not see a long-registered merchant as
 *   unknown. Payments older than the warm-up are skipped (every window has forgotten them; what they
 *   left in account memory — spending mean, devices used, last place — is not seen); pass
 *   warmUpMs = Infinity to replay everything.
 * - Operator actions (`actions`) take effect at the journal position they took effect live, as at a
 *   restart: those before the first entry replayed are in force from its start. Lists (`lists`) are
 *   the store's as they are now: an entry expires by the payment's time, but entries removed since,
 *   and when each was added, are not known (lists keep no history).
 * - Replay stops at the first entry with t ≥ to + graceMs (late payments of the range journaled
 *   after that are not compared) or at the last entry committed when the backtest began, whichever
 *   comes first; later commits are never read, so a backtest beside a running server is repeatable.
 *
 * Synchronous and CPU-bound: run it in a worker (backtest-in-worker.ts) where a server must keep
 * answering.
 */
import type { TransactionEvent } from '../contract/events.js';
import { formatShanghai } from '../contract/time.js';
import type { Decision } from '../engine/decision.js';
import { Engine } from '../engine/engine.js';
import { ConfigError } from '../errors.js';
import { labelCounts } from '../eval/cell.js';
import { Tally } from '../eval/tally.js';
import { Transitions } from '../eval/transitions.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import type { ListSet } from '../lists/list-set.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { Journal, JournalEntry } from '../log/journal.js';
import { eachInRange, lastSeqOf, runOnJournal, runOnSource, type JournalProgram, type JournalSource } from '../log/journal-reads.js';

export { firstSeqAtOrAfter } from './backtest-read.js';
import { scanLabelsProgram, type EntityScope } from './backtest-labels.js';
import { decodeEntry, firstSeqProgram } from './backtest-read.js';
import { readLiveDecision } from './backtest-live.js';
import { policyStats, scoreBin, SCORE_BIN_WIDTH, SCORE_BINS, type BacktestReport, type ChangedTransaction, type TxTruth } from './backtest-report.js';

const DAY = 86_400_000;

/** The shortest default warm-up: the label-aware features look back 30 days. */
export const MIN_WARM_UP_MS = 30 * DAY;

/** Default grace after `to` for late payments of the range. */
export const DEFAULT_GRACE_MS = 3_600_000;

/** Default cap on the changed payments listed one by one. */
export const DEFAULT_MAX_CHANGED = 1000;

/** Entries between two progress reports. */
const PROGRESS_EVERY = 50_000;

/** Where a running backtest is. */
export interface BacktestProgress {
  /** `labels`: reading the labels known now; `replay`: running the draft. */
  readonly phase: 'labels' | 'replay';
  /** the last seq read, of `lastSeq`. */
  readonly seq: number;
  readonly lastSeq: number;
  /** events applied to the draft and payments compared so far. */
  readonly events: number;
  readonly transactions: number;
  readonly elapsedMs: number;
}

/** What to backtest, whatever the journal is read from. */
export interface BacktestOptions {
  readonly draft: CompiledPolicy;
  /** a model scoring beside the draft's rules, as `serve --model` would run it. */
  readonly model?: GbdtModel | undefined;
  /** first event time compared, epoch ms, inclusive (default: the start of the journal). */
  readonly from?: number | undefined;
  /** end of the range, epoch ms, exclusive (default: the end of the journal). */
  readonly to?: number | undefined;
  /** history replayed before `from` to fill windows (default: the draft's longest window, at least 30 days). */
  readonly warmUpMs?: number | undefined;
  /** keep reading this long past `to` for late payments of the range (default 1 h). */
  readonly graceMs?: number | undefined;
  /** cap on the changed payments listed (default 1000); all are counted. */
  readonly maxChanged?: number | undefined;
  /** entity labels that mark a payment without its own label as fraud (default: account). */
  readonly entityLabels?: readonly EntityScope[] | undefined;
  /** called every 50,000 entries or so. */
  readonly onProgress?: ((p: BacktestProgress) => void) | undefined;
  /**
   * The operator actions (account freezes, lowered limits, step-ups, settlement holds, terminal
   * suspensions) to apply to the draft's engine at the journal positions they took effect
   * (store/sqlite/side-inputs.ts storeActionSteps), so the draft decides under the restrictions
   * live decided under and a freeze is not counted as the draft's change. Omitted: none.
   */
  readonly actions?: ((engine: Engine) => (seq: number) => number) | undefined;
  /** The lists the draft decides with (store/sqlite/side-inputs.ts storeLists: the store's, as they are now); default none. */
  readonly lists?: ListSet | undefined;
}

/** What to backtest, over a data folder's journal. */
export interface BacktestInput extends BacktestOptions {
  readonly journal: Journal;
}

/** The default warm-up for a draft: its longest window, and never less than 30 days. */
export function defaultWarmUpMs(draft: CompiledPolicy): number {
  let longest = MIN_WARM_UP_MS;
  for (const w of draft.windows) if (w.lengthMs > longest) longest = w.lengthMs;
  return longest;
}

function codesOf(d: Decision): string[] {
  return d.reasons.map((r) => r.code);
}

/** Runs the draft over the journal and compares; see the module comment for the rules of the run. */
export function runBacktest(input: BacktestInput): BacktestReport {
  return runOnJournal(input.journal, backtestProgram(input));
}

/**
 * The same backtest over an asynchronous source (a cluster's PostgreSQL projection), read a page at
 * a time; the replay itself stays synchronous between pages.
 */
export function runBacktestFrom(source: JournalSource, options: BacktestOptions): Promise<BacktestReport> {
  return runOnSource(source, backtestProgram(options));
}

/** The backtest as a JournalProgram (log/journal-reads.ts): one body for both drivers. */
function* backtestProgram(input: BacktestOptions): JournalProgram<BacktestReport> {
  const started = performance.now();
  const { draft } = input;
  const from = input.from ?? -Infinity;
  const to = input.to ?? Infinity;
  if (!(from < to)) throw new ConfigError(`backtest range is empty: from ${from} is not before to ${to}`);
  const warmUpMs = input.warmUpMs ?? defaultWarmUpMs(draft);
  if (!(warmUpMs >= 0)) throw new ConfigError(`warm-up must be ≥ 0 ms, got ${warmUpMs}`);
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const maxChanged = input.maxChanged ?? DEFAULT_MAX_CHANGED;
  const scopes = input.entityLabels ?? ['account'];
  const onProgress = input.onProgress;
  const lastSeq = yield* lastSeqOf();

  let events = 0;
  let compared = 0;
  const progress = (phase: BacktestProgress['phase'], seq: number): void =>
    onProgress?.({ phase, seq, lastSeq, events, transactions: compared, elapsedMs: performance.now() - started });

  // 1. the labels known now
  progress('labels', 0);
  let labelsSeen = 0;
  const labels = yield* scanLabelsProgram(lastSeq, scopes, (seq) => {
    if (++labelsSeen % 1024 === 0) progress('labels', seq);
  });
  progress('labels', lastSeq);

  // 2. the draft over the range, after its warm-up
  const warmFrom = from - warmUpMs;
  const firstSeq = warmFrom === -Infinity ? 1 : yield* firstSeqProgram(warmFrom, lastSeq);
  const stopAt = to + graceMs;
  const engine = new Engine(draft, { model: input.model, lists: input.lists });
  const applyActions = input.actions?.(engine) ?? null;
  let actionsApplied = 0;
  const live = new Tally();
  const drafted = new Tally();
  const transitions = new Transitions();
  const changed: ChangedTransaction[] = [];
  const scores = { live: new Array<number>(SCORE_BINS).fill(0), draft: new Array<number>(SCORE_BINS).fill(0), liveWithoutScore: 0 };
  let warmUpEvents = 0;
  let withoutLive = 0;
  let endSeq = 0;

  /** The actions the draft's rules took (or would have, past a cap) in the range: `rule action` → counts. */
  const ruleActions = new Map<string, { rule: string; action: string; taken: number; capped: number }>();
  const compare = (entry: JournalEntry, tx: TransactionEvent, d: Decision): void => {
    if (d.actions !== undefined) {
      for (const a of d.actions) {
        const key = `${a.rule} ${a.action}`;
        let c = ruleActions.get(key);
        if (c === undefined) ruleActions.set(key, (c = { rule: a.rule, action: a.action, taken: 0, capped: 0 }));
        if (a.capped === true) c.capped++;
        else c.taken++;
      }
    }
    const stored = entry.decision === null ? null : readLiveDecision(entry.decision);
    if (stored === null) {
      withoutLive++;
      return;
    }
    compared++;
    const truth: TxTruth | null = labels.truthOf(tx);
    live.add(stored.policy, stored.outcome, stored.score, stored.reasons, tx.amount, truth);
    drafted.add(d.policy, d.outcome, d.score, d.reasons, tx.amount, truth);
    transitions.add(stored.outcome, d.outcome, tx.amount, truth);
    if (stored.score === null) scores.liveWithoutScore++;
    else scores.live[scoreBin(stored.score)]!++;
    scores.draft[scoreBin(d.score)]!++;
    if (stored.outcome === d.outcome || changed.length >= maxChanged) return;
    changed.push({
      seq: entry.seq,
      txId: tx.id,
      ts: tx.ts,
      accountId: tx.accountId,
      amount: tx.amount,
      live: { outcome: stored.outcome, score: stored.score },
      draft: { outcome: d.outcome, score: d.score, reasons: codesOf(d) },
      label: truth,
    });
  };

  let preludeEvents = 0;
  if (firstSeq > 1) {
    // the stream began at seq 1, whatever the prelude leaves out (see Engine.beginStream)
    // the first event read (a seq no reader sees, such as a cluster's control entry, is passed over)
    yield* eachInRange({ fromSeq: 1, toSeq: lastSeq }, (entry) => {
      engine.beginStream(decodeEntry(entry).t);
      return false;
    });
    yield* eachInRange({ fromSeq: 1, toSeq: Math.min(firstSeq - 1, lastSeq), exceptType: 'transaction', whole: true }, (entry) => {
      if (applyActions !== null) actionsApplied += applyActions(entry.seq - 1);
      engine.apply(decodeEntry(entry));
      if (++preludeEvents % PROGRESS_EVERY === 0) progress('replay', entry.seq);
    });
  }
  if (firstSeq <= lastSeq) {
    progress('replay', firstSeq - 1);
    yield* eachInRange({ fromSeq: firstSeq, toSeq: lastSeq, whole: true }, (entry) => {
      const ev = decodeEntry(entry);
      if (ev.t >= stopAt) return false;
      if (applyActions !== null) actionsApplied += applyActions(entry.seq - 1);
      endSeq = entry.seq;
      events++;
      if (events % PROGRESS_EVERY === 0) progress('replay', entry.seq);
      if (ev.type !== 'transaction') {
        engine.apply(ev);
        if (ev.t < from) warmUpEvents++;
        return true;
      }
      const d = engine.decide(ev);
      if (ev.t < from) warmUpEvents++;
      else if (ev.t < to) compare(entry, ev, d);
      return true;
    });
  }
  progress('replay', endSeq);
  const changedTotal = transitions.changed();

  return {
    version: 1,
    range: {
      from: Number.isFinite(from) ? from : null,
      to: Number.isFinite(to) ? to : null,
      fromTs: Number.isFinite(from) ? formatShanghai(from) : null,
      toTs: Number.isFinite(to) ? formatShanghai(to) : null,
    },
    run: {
      draftPolicy: draft.name,
      draftRules: draft.rules.length,
      model: input.model !== undefined,
      warmUpMs: Number.isFinite(warmUpMs) ? warmUpMs : null,
      warmUpFrom: Number.isFinite(warmFrom) ? warmFrom : null,
      lastSeq,
      firstSeq: events > 0 ? firstSeq : 0,
      endSeq,
      eventsReplayed: events,
      warmUpEvents,
      preludeEvents,
      transactions: compared,
      withoutLiveDecision: withoutLive,
      actionsApplied,
      durationMs: Math.round(performance.now() - started),
    },
    labels: { events: labels.events, entityScopes: [...scopes], ...labelCounts(live.total) },
    live: policyStats(live),
    draft: policyStats(drafted),
    transitions: transitions.matrix(),
    scores: { binWidth: SCORE_BIN_WIDTH, ...scores },
    changed: { total: changedTotal, transactions: changed, truncated: changedTotal > changed.length },
    ruleActions: [...ruleActions.values()].sort((a, b) => b.taken + b.capped - (a.taken + a.capped) || a.rule.localeCompare(b.rule)),
  };
}
