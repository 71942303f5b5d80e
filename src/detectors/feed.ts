/**
 * The journal feed: hands every journaled event, in seq order, to the asynchronous consumers —
 * the case intake (reviews, failed challenges), the evidence index and the detectors — off the
 * answer path. Live events arrive through DecisionService.onCommitted after their answer left; they
 * are queued (one push) and processed in setImmediate slices of at most SLICE_MS, so a burst never
 * holds the event loop for long. At start the feed first re-reads the journal tail (REBUILD_ENTRIES
 * before its checkpoint) to rebuild its consumers' memory, then the entries it had not processed
 * yet (a crash between an answer and its processing loses nothing): those may open cases.
 *
 * Cases the consumers ask for are written in one background transaction per slice together with the
 * feed's checkpoint (never waiting for the write lock nor the disk; see CaseStore.background),
 * coalesced per (subject, issue) (CaseService.openBatch). In a flood a write is bounded (WRITE_MS at
 * the measured cost per request, oldest first; the checkpoint stops before what is left pending) and
 * the feed's share of the main thread is capped (FEED_SHARE): the backlog waits in memory, nothing
 * is dropped, and a restart re-derives it from the journal after the checkpoint.
 *
 * The memory is bounded too (BACKLOG_LIMIT, option `backlogLimit`): when the pending requests or the
 * queued live entries pass the limit, the feed drops its queue of live entries (the journal has
 * them), stops taking new ones and re-reads the journal instead — the catch-up path of the start,
 * from the first entry it has not processed, in slices that only read while the backlog is under
 * the limit and under the same CPU cap — until it reaches the last entry it was told about, then it
 * returns to the live path (`rereading` in the status, `fengkong_case_feed_rereading`). The requests
 * already derived stay pending (the consumers' memory already holds their entries: re-reading those
 * would count them twice), and the checkpoint stays behind the first of them as before.
 *
 * Measured choice (bench/detectors.ts): consuming on the main thread costs about a microsecond per
 * payment on already-parsed objects, where a worker thread would re-read and re-parse every journal
 * row (≈5–10 µs each) and need the engine's reference data and account memory copied over.
 */
import type { FkEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import type { CaseService } from '../cases/service.js';
import type { OpenCaseRequest } from '../cases/types.js';
import { checkOpen } from '../cases/validate.js';
import type { Decision } from '../engine/decision.js';
import type { Journal } from '../log/journal.js';
import type { FeedConsumer, FeedDecision, FeedEntry } from './types.js';

/** Longest a slice may run before yielding to the event loop. */
const SLICE_MS = 2;
/** Journal entries read per catch-up query. */
const CHUNK = 1_000;
/** How far before its checkpoint the feed re-reads at start to rebuild memory (windows, evidence). */
export const REBUILD_ENTRIES = 300_000;
/** How often the checkpoint is written when no case was opened. */
const CHECKPOINT_MS = 1_000;
/** Case requests wait up to this long to be written together (one transaction; repeated refreshes coalesce). */
const FLUSH_MS = 25;
/** … or until this many are pending. */
const FLUSH_MAX = 500;
/**
 * Longest a case write should take in one event-loop turn: a write takes as many pending requests
 * (oldest first) as the measured cost per request says fit, the rest stays pending for the next
 * turn (the backlog, `fengkong_case_intake_backlog`), with the checkpoint only covering what was
 * written — so a flood of flagged payments delays cases, never answers, and loses nothing.
 */
export const WRITE_MS = 3;
/** Fewest requests a bounded write takes (progress even when the cost estimate is off). */
const WRITE_MIN = 32;
/**
 * Share of the main thread the feed may use over time (token bucket, WRITE_MS + SLICE_MS of burst
 * credit at most twice over): above it the next slice waits on a timer instead of setImmediate, so
 * answers keep at least the rest of the CPU even when event-loop turns are short and many.
 */
export const FEED_SHARE = 0.35;
const CREDIT_MAX_MS = 2 * (WRITE_MS + SLICE_MS);
/**
 * Most case requests (or queued live entries) the feed keeps in memory: past it the feed drops its
 * live queue and re-reads the journal (see the file comment), reading only while fewer requests than
 * this are pending. About 50,000 × a few hundred bytes: some tens of MB at most.
 */
export const BACKLOG_LIMIT = 50_000;
/** Upper bounds (ms) of the processing-delay histogram. */
const DELAY_BOUNDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, Infinity];

interface Queued {
  readonly seq: number;
  readonly event: FkEvent;
  readonly decision: Decision | null;
  /** performance.now() when it was queued. */
  readonly at: number;
}

/** What the feed needs. */
export interface FeedOptions {
  readonly journal: Journal;
  readonly cases: CaseService;
  readonly consumers: readonly FeedConsumer[];
  /** The last seq the engine applied when the feed starts (recovery's end). */
  readonly appliedSeq: () => number;
  /** Memory bound of the backlog (pending requests, queued entries); BACKLOG_LIMIT by default. */
  readonly backlogLimit?: number;
}

/** Lag and throughput of the feed, for /v1/detectors and the metrics. */
export interface FeedStatus {
  readonly consumers: readonly string[];
  /** Highest seq processed. */
  readonly processedSeq: number;
  /** Highest seq the engine applied. */
  readonly appliedSeq: number;
  /** Entries applied and not yet processed. */
  readonly lagEntries: number;
  /** Age of the oldest live entry not yet processed (ms); 0 when caught up. */
  readonly lagMs: number;
  /** True while re-reading the journal (at start, or after the backlog passed its limit). */
  readonly catchingUp: boolean;
  /** True while re-reading the journal because the backlog passed its limit (live entries are not queued meanwhile). */
  readonly rereading: boolean;
  /** How many times the backlog passed its limit since start. */
  readonly rereads: number;
  /** The memory bound of the backlog (BACKLOG_LIMIT or the option). */
  readonly backlogLimit: number;
  /** Live entries processed since start, and their delay from answer to processed (ms). */
  readonly processed: number;
  readonly delayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Case requests written (opened or joined) since start. */
  readonly caseRequests: number;
  /** Case requests processed and not written yet (they wait up to FLUSH_MS to share a transaction, longer in a flood): the intake backlog. */
  readonly pendingCases: number;
  /** Age of the oldest case request not written yet (ms); 0 when none. */
  readonly pendingMs: number;
  /** Answered events queued and not yet processed (in memory; the journal has them too). */
  readonly queuedEntries: number;
  /** Main-thread time spent in the feed since start (ms): its whole cost to the event loop … */
  readonly busyMs: number;
  /** … of which writing cases (ms). */
  readonly writeMs: number;
  readonly checkpointSeq: number;
}

/** Feeds the consumers; see the file comment. */
export class JournalFeed {
  private queue: Queued[] = [];
  private head = 0;
  private scheduled = false;
  private retry: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Case requests derived and not written yet: those from pendingHead on (written ones are skipped, not copied away). */
  private pending: OpenCaseRequest[] = [];
  private pendingHead = 0;
  /** Per pending request: the seq of the entry that asked for it, and performance.now() then (same indices). */
  private pendingSeqs: number[] = [];
  private pendingAt: number[] = [];
  private readonly limit: number;
  /** Highest seq pushed (durable and answered): where a re-read ends. */
  private toldSeq = 0;
  private rereads = 0;
  /** True after a write left requests pending: the next turn writes again without waiting FLUSH_MS. */
  private backlog = false;
  /** Measured main-thread ms per written request (moving average), sizing the bounded writes. */
  private msPerRequest = 0.02;
  /** Token bucket of main-thread ms the feed may still use (FEED_SHARE of wall time). */
  private credit = CREDIT_MAX_MS;
  private creditAt = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private processedSeq = 0;
  private checkpoint: number;
  private written: number;
  /** Re-reading the journal: at start, or (`reread`) after the backlog passed its limit. */
  private catchUp: { next: number; until: number; reread: boolean } | null = null;
  private readonly delays = new Float64Array(DELAY_BOUNDS.length);
  private maxDelay = 0;
  private processed = 0;
  private requests = 0;
  private busy = 0;
  private writing = 0;

  constructor(private readonly o: FeedOptions) {
    this.checkpoint = o.cases.store.feedSeq();
    this.written = this.checkpoint;
    this.limit = Math.max(1, Math.floor(o.backlogLimit ?? BACKLOG_LIMIT));
  }

  private get pendingCount(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Starts catching up from the journal; live entries queue meanwhile. */
  start(): void {
    const until = this.o.appliedSeq();
    if (this.o.cases.store.fresh && this.checkpoint === 0 && until > 0) {
      // the case tables are new in an existing data folder: history before today opens no cases
      this.checkpoint = until;
      if (this.o.cases.openBatch([], until) !== null) this.written = until; // else the timer saves it
    }
    const from = Math.max(1, Math.min(this.checkpoint, until) - REBUILD_ENTRIES + 1);
    this.processedSeq = from - 1;
    this.toldSeq = Math.max(this.toldSeq, until);
    if (from <= until) this.catchUp = { next: from, until, reread: false };
    this.checkpointTimer = setInterval(() => this.saveCheckpoint(), CHECKPOINT_MS).unref();
    this.schedule();
  }

  /** Takes note of a committed event (DecisionService.onCommitted): one push, nothing else. */
  readonly push = (seq: number, event: FkEvent, decision: Decision | null): void => {
    if (this.closed) return;
    if (seq > this.toldSeq) this.toldSeq = seq;
    if (this.catchUp !== null && this.catchUp.reread) return; // the re-read reads it from the journal
    this.queue.push({ seq, event, decision, at: performance.now() });
    if (this.queue.length - this.head > this.limit) this.startReread();
    else this.schedule();
  };

  /**
   * The backlog passed its limit: drop the queued live entries (the journal has them) and re-read
   * the journal from the first entry not processed yet, up to the last one told, before going live
   * again. Requests already derived stay pending; reading waits while they are at the limit.
   */
  private startReread(): void {
    if (this.catchUp !== null) {
      this.catchUp.reread = true;
      this.catchUp.until = Math.max(this.catchUp.until, this.toldSeq);
    } else {
      this.catchUp = { next: this.processedSeq + 1, until: this.toldSeq, reread: true };
    }
    this.queue = [];
    this.head = 0;
    this.rereads++;
    this.schedule();
  }

  /** Stops processing; what is queued is dropped (the checkpoint makes the next start pick it up). */
  close(): void {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.checkpointTimer !== null) clearInterval(this.checkpointTimer);
    if (this.timer !== null) clearTimeout(this.timer);
    // shutting down: write the whole backlog (no answer waits any more); a busy lock leaves it to the next start
    while (this.pendingCount > 0 && this.flush(false)) {
      /* next chunk */
    }
  }

  status(): FeedStatus {
    const applied = this.o.appliedSeq();
    const oldest = this.head < this.queue.length ? this.queue[this.head].at : NaN;
    return {
      consumers: this.o.consumers.map((c) => c.name),
      processedSeq: this.processedSeq,
      appliedSeq: applied,
      lagEntries: Math.max(0, applied - this.processedSeq),
      lagMs: Number.isNaN(oldest) ? 0 : Math.round((performance.now() - oldest) * 1000) / 1000,
      catchingUp: this.catchUp !== null,
      rereading: this.catchUp !== null && this.catchUp.reread,
      rereads: this.rereads,
      backlogLimit: this.limit,
      processed: this.processed,
      delayMs: { p50: this.quantile(0.5), p99: this.quantile(0.99), max: Math.round(this.maxDelay * 1000) / 1000 },
      caseRequests: this.requests,
      pendingCases: this.pendingCount,
      pendingMs: this.pendingCount === 0 ? 0 : Math.round((performance.now() - this.pendingAt[this.pendingHead]) * 1000) / 1000,
      queuedEntries: this.queue.length - this.head,
      busyMs: Math.round(this.busy * 1000) / 1000,
      writeMs: Math.round(this.writing * 1000) / 1000,
      checkpointSeq: this.written,
    };
  }

  private quantile(q: number): number {
    const total = this.processed;
    if (total === 0) return 0;
    let seen = 0;
    for (let i = 0; i < this.delays.length; i++) {
      seen += this.delays[i];
      if (seen >= q * total) return Math.min(DELAY_BOUNDS[i], Math.round(this.maxDelay * 1000) / 1000);
    }
    return this.maxDelay;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    const now = performance.now();
    this.credit = Math.min(CREDIT_MAX_MS, this.credit + (now - this.creditAt) * FEED_SHARE);
    this.creditAt = now;
    // at start nothing is answered yet; a re-read after an overflow stays under the cap
    if (this.credit >= 0 || (this.catchUp !== null && !this.catchUp.reread)) setImmediate(this.run);
    else this.timer = setTimeout(this.run, Math.ceil(-this.credit / FEED_SHARE));
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.timer = null;
    if (this.closed) return;
    const began = performance.now();
    this.credit = Math.min(CREDIT_MAX_MS, this.credit + (began - this.creditAt) * FEED_SHARE);
    this.creditAt = began;
    const deadline = began + SLICE_MS;
    try {
      if (this.catchUp !== null) this.catchUpSlice(deadline);
      else this.liveSlice(deadline);
    } catch (e) {
      // a journal read failed: try again on the next slice
      process.stderr.write(`fengkong serve: the case feed failed after seq ${this.processedSeq}: ${(e as Error).message}\n`);
    }
    this.busy += performance.now() - began;
    this.flushSoon();
    const end = performance.now();
    this.credit -= end - began;
    this.creditAt = end;
    if (this.catchUp !== null || this.head < this.queue.length || this.backlog) this.schedule();
  };

  /** Writes now when FLUSH_MS passed since the last write, many are pending or a backlog remains, else within FLUSH_MS. */
  private flushSoon(): void {
    const count = this.pendingCount;
    if (count === 0) return;
    const waited = performance.now() - this.lastFlush;
    if (waited >= FLUSH_MS || count >= FLUSH_MAX || this.backlog || this.catchUp !== null) {
      this.flush(true);
      return;
    }
    if (this.flushTimer === null && !this.closed) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        if (this.flush(true) && this.backlog) this.schedule();
      }, FLUSH_MS - waited);
    }
  }

  private catchUpSlice(deadline: number): void {
    const c = this.catchUp!;
    for (;;) {
      if (c.next > c.until && c.reread && this.toldSeq > c.until) c.until = this.toldSeq; // the flood went on meanwhile
      if (c.next > c.until || performance.now() >= deadline) break;
      // bounded memory: read no more entries than there is room for requests (each asks for one or a few)
      const room = this.limit - this.pendingCount;
      if (room <= 0) return;
      const to = Math.min(c.until, c.next + Math.min(CHUNK, room) - 1);
      this.o.journal.forEachEventInRange({ fromSeq: c.next, toSeq: to }, (entry) => {
        c.next = entry.seq + 1;
        let event: FkEvent;
        let decision: FeedDecision | null;
        try {
          event = parseEvent(JSON.parse(entry.event));
          decision = entry.decision === null ? null : (JSON.parse(entry.decision) as FeedDecision);
        } catch (e) {
          process.stderr.write(`fengkong serve: the case feed skips journal entry ${entry.seq}: ${(e as Error).message}\n`);
          this.processedSeq = entry.seq;
          return;
        }
        this.consume({ seq: entry.seq, event, decision, act: entry.seq > this.checkpoint });
      });
      if (c.next <= to) c.next = to + 1; // entries not there (cannot happen in a gapless journal)
    }
    if (c.next > c.until) {
      if (c.reread && this.toldSeq > c.until) {
        c.until = this.toldSeq; // told more meanwhile (and not queued): read on in the next slice
        return;
      }
      this.catchUp = null;
      this.processedSeq = Math.max(this.processedSeq, c.until);
      // live entries queued meanwhile that catch-up already covered
      while (this.head < this.queue.length && this.queue[this.head].seq <= c.until) this.head++;
    }
  }

  private liveSlice(deadline: number): void {
    const q = this.queue;
    let n = 0;
    while (this.head < q.length) {
      const e = q[this.head];
      this.head++;
      if (e.seq > this.processedSeq) {
        this.consume({ seq: e.seq, event: e.event, decision: e.decision, act: e.seq > this.checkpoint });
        this.observeDelay(performance.now() - e.at);
        if (this.pendingCount > this.limit) {
          this.startReread(); // drops the queue: what follows is read again from the journal
          return;
        }
      }
      if ((++n & 15) === 0 && performance.now() >= deadline) break;
    }
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4_096) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  private consume(entry: FeedEntry): void {
    const out = this.pending;
    const had = out.length;
    for (const c of this.o.consumers) {
      const mark = out.length;
      try {
        c.consume(entry, out);
      } catch (e) {
        // one consumer's bug must not stop the others, nor the feed
        process.stderr.write(`fengkong serve: ${c.name} failed on journal entry ${entry.seq}: ${(e as Error).stack ?? e}\n`);
        out.length = mark;
      }
      for (let i = mark; i < out.length; i++) {
        try {
          out[i] = checkOpen(out[i]);
        } catch (e) {
          process.stderr.write(`fengkong serve: ${c.name} asked for an invalid case: ${(e as Error).message}\n`);
          out.splice(i--, 1);
        }
      }
    }
    if (out.length > had) {
      const at = performance.now();
      for (let i = had; i < out.length; i++) {
        this.pendingSeqs.push(entry.seq);
        this.pendingAt.push(at);
      }
    }
    this.processedSeq = entry.seq;
    if (entry.act) this.checkpoint = Math.max(this.checkpoint, entry.seq);
  }

  private observeDelay(ms: number): void {
    this.processed++;
    if (ms > this.maxDelay) this.maxDelay = ms;
    let i = 0;
    while (ms > DELAY_BOUNDS[i]) i++;
    this.delays[i]++;
  }

  /**
   * Writes pending case requests with the checkpoint, oldest first: all of them, or when `bounded`
   * as many as fit in WRITE_MS at the measured cost per request (the checkpoint then stops before
   * the first request left pending). Retries shortly when the lock is busy. True when it wrote.
   */
  private flush(bounded = false): boolean {
    const total = this.pendingCount;
    if (total === 0) return true;
    const began = performance.now();
    this.lastFlush = began;
    const k = bounded ? Math.min(total, Math.max(WRITE_MIN, Math.floor(WRITE_MS / this.msPerRequest))) : total;
    const h = this.pendingHead;
    const reqs = coalesce(this.pending, h, h + k);
    const seq = k === total ? this.checkpoint : this.pendingSeqs[h + k] - 1;
    let r;
    try {
      r = this.o.cases.openBatch(reqs, seq);
      const spent = performance.now() - began;
      this.busy += spent;
      this.writing += spent;
      if (r !== null) this.msPerRequest = 0.7 * this.msPerRequest + 0.3 * Math.max(0.001, spent / k);
    } catch (e) {
      process.stderr.write(`fengkong serve: cannot write ${reqs.length} case(s): ${(e as Error).message}\n`);
      this.dropPending(k);
      return false;
    }
    if (r === null) {
      if (this.retry === null && !this.closed) {
        this.retry = setTimeout(() => {
          this.retry = null;
          if (this.flush(true) && this.backlog) this.schedule();
        }, 5);
      }
      return false;
    }
    this.dropPending(k);
    this.requests += reqs.length;
    this.written = Math.max(this.written, seq);
    return true;
  }

  /**
   * Forgets the k oldest pending requests: moves the head, no copy of the rest. The arrays are
   * emptied when nothing is left, and compacted only once the written part is most of them (each
   * request is then copied at most once on average, not once per write).
   */
  private dropPending(k: number): void {
    const h = this.pendingHead + k;
    if (h >= this.pending.length) {
      this.pending = [];
      this.pendingSeqs = [];
      this.pendingAt = [];
      this.pendingHead = 0;
    } else if (h >= 4_096 && 2 * h >= this.pending.length) {
      this.pending = this.pending.slice(h);
      this.pendingSeqs = this.pendingSeqs.slice(h);
      this.pendingAt = this.pendingAt.slice(h);
      this.pendingHead = 0;
    } else {
      this.pendingHead = h;
    }
    this.backlog = this.pendingCount > 0;
  }

  private saveCheckpoint(): void {
    if (this.pendingCount > 0) {
      if (this.flush(true) && this.backlog) this.schedule();
      return;
    }
    if (this.checkpoint <= this.written) return;
    const seq = this.checkpoint;
    try {
      if (this.o.cases.openBatch([], seq) !== null) this.written = seq;
    } catch (e) {
      process.stderr.write(`fengkong serve: cannot save the case feed's checkpoint: ${(e as Error).message}\n`);
    }
  }
}

/**
 * The requests of one write, with repeated refreshes of the same item (a detector's finding, updated
 * by each payment of a growing pattern) reduced to one: at the first one's place, with the last one's
 * content and the highest risk.
 */
function coalesce(all: readonly OpenCaseRequest[], from: number, to: number): OpenCaseRequest[] {
  const keyOf = (r: OpenCaseRequest): string | null =>
    r.source.ref === undefined ? null : `${r.subjectKind}\u0000${r.subjectId}\u0000${r.issue}\u0000${r.source.ref}`;
  const merged = new Map<string, { at: number; req: OpenCaseRequest }>();
  const out: (OpenCaseRequest | null)[] = [];
  for (let i = from; i < to; i++) {
    const r = all[i];
    const k = keyOf(r);
    const had = k === null ? undefined : merged.get(k);
    if (had === undefined) {
      if (k !== null) merged.set(k, { at: out.length, req: r });
      out.push(r);
      continue;
    }
    had.req = { ...r, risk: Math.max(had.req.risk, r.risk) };
    out[had.at] = had.req;
  }
  return out.filter((r): r is OpenCaseRequest => r !== null);
}
