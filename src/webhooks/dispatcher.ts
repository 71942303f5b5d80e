/**
 * Moves audit entries into the webhook outbox and delivers it, off the decision path.
 *
 * Every `pollMs` the dispatcher reads the audit log after its cursor, turns each entry that is an
 * event (from-audit.ts) into one delivery per subscription that wants it, and stores them together
 * with the new cursor in one transaction: at least once, across restarts and `kill -9` (the change
 * and its audit entry committed together; the outbox and the cursor commit together). Then it sends
 * what is due, at most `maxInFlight` at a time, each with a timeout, so a slow or dead receiver costs
 * the event loop a socket and a timer, never a wait. A failed try is retried with exponential
 * backoff (10 s, 20 s, 40 s … at most an hour apart) until `retryForMs` (24 h) after the event, then
 * the delivery is dead and listed as such (`GET /v1/webhooks/{id}/deliveries?state=dead`).
 */
import type { AuditLog } from '../audit/log.js';
import { eventBody, eventOfAudit } from './from-audit.js';
import { SIGNATURE_HEADER, signature } from './signature.js';
import type { DueDelivery, NewDelivery, WebhookStore } from './types.js';

/** How the dispatcher paces itself; tests shorten the waits. */
export interface DispatcherOptions {
  readonly pollMs: number;
  /** First retry delay; each later one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long after the event deliveries are retried before they are dead. */
  readonly retryForMs: number;
  /** One try's limit: connect, send and the answer's head. */
  readonly timeoutMs: number;
  readonly maxInFlight: number;
}

/** The defaults of a server. */
export const DISPATCHER_DEFAULTS: DispatcherOptions = {
  pollMs: 250,
  baseDelayMs: 10_000,
  maxDelayMs: 3_600_000,
  retryForMs: 24 * 3_600_000,
  timeoutMs: 10_000,
  maxInFlight: 16,
};

/** Audit entries read per query while catching up. */
const PAGE = 500;
/** Longest the cursor stays unwritten while no delivery moves it. */
const CURSOR_WRITE_MS = 10_000;

/** The delay before try number `attempts + 1`, after `attempts` failures. */
export function retryDelay(attempts: number, o: Pick<DispatcherOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** The running dispatcher of one server. */
export class WebhookDispatcher {
  private readonly o: DispatcherOptions;
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private running = false;
  /** The last audit seq taken (null until read from the store). */
  private cursor: number | null = null;
  private cursorWrittenAt = -Infinity;
  /** Tries whose answer is still awaited; close aborts them (they stay pending, sent again after a restart). */
  private readonly sends = new Set<Promise<void>>();
  /**
   * Each try's own controller, aborted by its own timer or by close. With AbortSignal.any over an
   * AbortSignal.timeout instead, tries to a receiver that never answered outlived their timeout under
   * load and kept every slot (seen in bench/webhook-receiver.ts: later subscriptions got nothing).
   */
  private readonly tries = new Set<AbortController>();

  constructor(
    private readonly store: WebhookStore,
    private readonly audit: AuditLog<'sync'>,
    options: Partial<DispatcherOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.o = { ...DISPATCHER_DEFAULTS, ...options };
  }

  /** Starts polling. */
  start(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setInterval(() => this.tick(), this.o.pollMs);
    this.timer.unref();
  }

  /** One round: take new events into the outbox, then send what is due. Errors are reported and retried next round. */
  tick(): void {
    if (this.closed || this.running) return;
    this.running = true;
    try {
      this.take();
      this.send();
    } catch (e) {
      process.stderr.write(`fengkong serve: webhooks: ${(e as Error).message} (retried in ${this.o.pollMs} ms)\n`);
    } finally {
      this.running = false;
    }
  }

  /**
   * Audit entries after the cursor → deliveries, a page per transaction. A page that makes no
   * delivery (no subscription wants it: the common case) moves the cursor in memory only, written at
   * most every CURSOR_WRITE_MS — no fsync on the event loop for nothing; after a restart the few pages
   * read again make no delivery twice (one per subscription and event, a unique key).
   */
  private take(): void {
    for (;;) {
      const cursor = (this.cursor ??= this.store.cursor());
      const entries = this.audit.list({ after: cursor, limit: PAGE });
      if (entries.length === 0) return;
      const hooks = this.store.list();
      const out: NewDelivery[] = [];
      for (const e of entries) {
        const ev = hooks.length === 0 ? null : eventOfAudit(e);
        if (ev === null) continue;
        let body: string | null = null;
        for (const h of hooks) {
          if (!h.events.includes(ev.type) || h.createdAt > ev.createdAt) continue;
          body ??= eventBody(ev);
          out.push({ webhookId: h.id, eventId: ev.id, type: ev.type, body, createdAt: ev.createdAt });
        }
      }
      const last = entries[entries.length - 1].seq;
      const now = this.now();
      if (out.length > 0 || now - this.cursorWrittenAt >= CURSOR_WRITE_MS) {
        this.store.enqueue(last, out);
        this.cursorWrittenAt = now;
      }
      this.cursor = last;
      if (entries.length < PAGE) return;
    }
  }

  private send(): void {
    const room = this.o.maxInFlight - this.inFlight.size;
    if (room <= 0) return;
    for (const d of this.store.due(this.now(), room, this.inFlight)) {
      this.inFlight.add(d.id);
      const p = this.deliver(d).finally(() => {
        this.inFlight.delete(d.id);
        this.sends.delete(p);
      });
      this.sends.add(p);
    }
  }

  private async deliver(d: DueDelivery): Promise<void> {
    const sentAt = this.now();
    let status: number | null = null;
    let error: string;
    const ac = new AbortController();
    this.tries.add(ac);
    const timer = setTimeout(() => ac.abort(new DOMException(`no answer within ${this.o.timeoutMs} ms`, 'TimeoutError')), this.o.timeoutMs);
    try {
      const r = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Fengkong-Webhooks/1',
          [SIGNATURE_HEADER]: signature(d.secret, Math.floor(sentAt / 1000), d.body),
        },
        body: d.body,
        signal: ac.signal,
        redirect: 'manual',
      });
      status = r.status;
      await r.body?.cancel().catch(() => {});
      if (r.status >= 200 && r.status < 300) {
        if (!this.closed) this.store.delivered(d.id, this.now(), r.status);
        return;
      }
      error = `the endpoint answered ${r.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      error = ac.signal.aborted ? `no answer within ${this.o.timeoutMs} ms` : `${err.message}${err.cause?.code !== undefined ? ` (${err.cause.code})` : ''}`;
    } finally {
      clearTimeout(timer);
      this.tries.delete(ac);
    }
    if (this.closed) return; // the store may be closing: the delivery stays pending and is retried after the restart
    const at = this.now();
    const next = at + retryDelay(d.attempts + 1, this.o);
    this.store.failed(d.id, at, status, error, next <= d.createdAt + this.o.retryForMs ? next : null);
  }

  /**
   * Stops polling and aborts the tries in flight, so a dead receiver never holds a shutdown: they
   * stay pending in the outbox and are sent again after the restart.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const ac of this.tries) ac.abort();
    await Promise.allSettled([...this.sends]);
  }
}
