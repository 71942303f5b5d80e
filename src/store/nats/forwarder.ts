/**
 * The sender's side of forwarding (docs/scale-out.md, "Routing"): a node that does not own a
 * request's partition sends it to `fk.<c>.p.<p>.in`, where only the owner listens. Requests for one
 * partition arriving in one event-loop turn travel in one NATS request, as the group commit coalesces
 * disk writes, so a hop costs one round trip per batch, not per payment.
 *
 * Several messages of one partition may be in flight at once: NATS delivers the messages of one
 * connection to a subscriber in the order they were published, and `nc.request` publishes
 * synchronously in call order, so the owner sees requests in the order `send` was called. A message
 * that found no owner (a takeover in progress) is retried, and messages of its partition sent after
 * it wait behind it, so a retry does not overtake them either.
 *
 * Nothing here rejects for the cluster's sake: no owner, a timeout or a lost connection become
 * 503 answers the HTTP layer passes on. Only a caller's mistake (a bad partition, sending after
 * `close`) rejects.
 */
import { errors as natsErrors, headers, type MsgHdrs } from '@nats-io/transport-node';
import { ConfigError, StoreError } from '../../errors.js';
import type { NatsCluster } from './connect.js';
import { decodeAnswers, encodeRequest, FORWARD_HEADER, FORWARD_VERSION, ForwardFormatError, joinFrames, type ForwardedAnswer, type ForwardedRequest } from './forward-frames.js';
import { checkPartition } from './names.js';

/** How a Forwarder waits and splits (every field optional). */
export interface ForwarderOptions {
  /** Per NATS request: how long an owner may take to answer a message (default 5000 ms). */
  readonly timeoutMs?: number;
  /** How long to keep retrying a message that found no owner before answering 503 (default 8000 ms, beyond a 3 s lease expiry plus catch-up). */
  readonly noOwnerWaitMs?: number;
  /** Pause between such retries (default 100 ms). */
  readonly retryMs?: number;
  /** Largest payload of one message; a batch above it is split, in order (default a quarter of the server's max_payload, leaving the owner's reply room). */
  readonly maxMessageBytes?: number;
  /** Most requests in one message (default 256), so the answers of one message stay below max_payload too. */
  readonly maxMessageRequests?: number;
}

/** What a Forwarder has done, for tests and metrics. */
export interface ForwarderStats {
  /** NATS messages sent (a retry of one is not counted again). */
  messages: number;
  /** Requests sent in them. */
  requests: number;
  /** Re-sends of messages that found no owner. */
  noOwnerRetries: number;
}

type Resolve = (a: ForwardedAnswer) => void;

/** One NATS message: the frames of its requests and who waits for each answer. */
interface Outgoing {
  readonly seq: number;
  readonly payload: Buffer;
  readonly waiters: Resolve[];
  /** When "no responders" stops being retried. */
  readonly deadline: number;
  attempts: number;
  /** Answered already (abandoned by `abandonInFlight`): a reply arriving later is dropped. */
  settled: boolean;
}

/** What one partition has waiting: requests of this turn, and messages parked until an owner appears. */
interface PartitionQueue {
  readonly partition: number;
  readonly subject: string;
  frames: Buffer[];
  waiters: Resolve[];
  parked: Outgoing[];
  retrying: boolean;
  /** Messages sent and not answered yet. */
  readonly inFlight: Set<Outgoing>;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_NO_OWNER_WAIT_MS = 8000;
const DEFAULT_RETRY_MS = 100;
const DEFAULT_MAX_REQUESTS = 256;

type Unavailable = Extract<ForwardedAnswer, { ok: false }>;

function unavailable(message: string): Unavailable {
  return { ok: false, status: 503, code: 'partition_unavailable', message };
}

/**
 * Forwards requests to the owners of their partitions, coalescing one event-loop turn's requests
 * per partition into one message; one per node, shared by every request handler.
 */
export class Forwarder {
  readonly stats: ForwarderStats = { messages: 0, requests: 0, noOwnerRetries: 0 };
  private readonly cluster: NatsCluster;
  private readonly timeoutMs: number;
  private readonly noOwnerWaitMs: number;
  private readonly retryMs: number;
  private readonly maxBytes: number;
  private readonly maxRequests: number;
  private readonly hdrs: MsgHdrs;
  private readonly queues = new Map<number, PartitionQueue>();
  private readonly dirty = new Set<PartitionQueue>();
  private immediate: NodeJS.Immediate | null = null;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private seq = 0;
  private closed = false;

  constructor(cluster: NatsCluster, opts: ForwarderOptions = {}) {
    this.cluster = cluster;
    this.timeoutMs = positive('timeoutMs', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.noOwnerWaitMs = positive('noOwnerWaitMs', opts.noOwnerWaitMs ?? DEFAULT_NO_OWNER_WAIT_MS);
    this.retryMs = positive('retryMs', opts.retryMs ?? DEFAULT_RETRY_MS);
    this.maxBytes = positive('maxMessageBytes', opts.maxMessageBytes ?? Math.floor(cluster.maxPayload / 4));
    this.maxRequests = positive('maxMessageRequests', opts.maxMessageRequests ?? DEFAULT_MAX_REQUESTS);
    this.hdrs = headers();
    this.hdrs.set(FORWARD_HEADER, FORWARD_VERSION);
  }

  /**
   * Forwards `req` to the owner of `partition` and resolves with its answer — or with a 503 when no
   * owner appeared in time, the owner did not answer, or NATS is unreachable. Rejects only for a
   * bad partition number or after `close`.
   */
  send(partition: number, req: ForwardedRequest): Promise<ForwardedAnswer> {
    if (this.closed) return Promise.reject(new StoreError('this Forwarder is closed: the node is shutting down'));
    let f: Buffer;
    try {
      checkPartition(partition);
      f = encodeRequest(req);
    } catch (e) {
      return Promise.reject(e);
    }
    if (f.length > this.maxBytes) {
      return Promise.resolve({ ok: false, status: 413, code: 'too_large', message: `a forwarded request of ${f.length} bytes is over the ${this.maxBytes} a NATS message may carry here` });
    }
    let q = this.queues.get(partition);
    if (q === undefined) {
      q = { partition, subject: this.cluster.names.inboxSubject(partition), frames: [], waiters: [], parked: [], retrying: false, inFlight: new Set() };
      this.queues.set(partition, q);
    }
    const queue = q;
    return new Promise<ForwardedAnswer>((resolve) => {
      queue.frames.push(f);
      queue.waiters.push(resolve);
      this.dirty.add(queue);
      this.immediate ??= setImmediate(() => this.flush());
    });
  }

  /** Stops forwarding: requests not sent yet are answered 503; messages in flight get their answers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    const bye = unavailable('this node is shutting down; the request was not forwarded; retry');
    for (const q of this.queues.values()) {
      for (const w of q.waiters) w(bye);
      q.frames = [];
      q.waiters = [];
      for (const m of q.parked.splice(0)) for (const w of m.waiters) w(bye);
    }
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleeps.clear();
  }

  /**
   * Answers every request in flight to `partition`'s owner with 503 (retry) at once, instead of
   * letting each wait for its timeout: called when this node has just taken the partition over, so
   * the owner they went to is gone (or deposed). Whether it applied them is unknown; the client's
   * retry with the same id gets the stored answer or a first decision, from this node. Requests
   * still looking for an owner are left to find the new one.
   */
  abandonInFlight(partition: number, why: string): number {
    const q = this.queues.get(partition);
    if (q === undefined) return 0;
    const a = unavailable(`${why}; the request may or may not have been applied; retry with the same id`);
    let n = 0;
    for (const m of q.inFlight) {
      m.settled = true;
      for (const w of m.waiters) w(a);
      n += m.waiters.length;
    }
    q.inFlight.clear();
    return n;
  }

  /** Cuts each partition's requests of this turn into messages (in order) and sends them. */
  private flush(): void {
    this.immediate = null;
    for (const q of this.dirty) {
      const { frames, waiters } = q;
      q.frames = [];
      q.waiters = [];
      let from = 0;
      let bytes = 0;
      for (let i = 0; i <= frames.length; i++) {
        const full = i === frames.length || bytes + frames[i].length > this.maxBytes || i - from >= this.maxRequests;
        if (full && i > from) {
          this.start(q, { seq: ++this.seq, payload: joinFrames(frames.slice(from, i)), waiters: waiters.slice(from, i), deadline: Date.now() + this.noOwnerWaitMs, attempts: 0, settled: false });
          from = i;
          bytes = 0;
        }
        if (i < frames.length) bytes += frames[i].length;
      }
    }
    this.dirty.clear();
  }

  /** Sends a new message, or parks it behind older ones of its partition still looking for an owner. */
  private start(q: PartitionQueue, m: Outgoing): void {
    if (q.retrying) q.parked.push(m);
    else void this.dispatch(q, m);
  }

  private async dispatch(q: PartitionQueue, m: Outgoing): Promise<void> {
    if ((await this.attempt(q, m)) === 'no-owner') this.park(q, m);
  }

  private park(q: PartitionQueue, m: Outgoing): void {
    if (this.closed) {
      for (const w of m.waiters) w(unavailable('this node is shutting down; the request was not forwarded; retry'));
      return;
    }
    let i = q.parked.length;
    while (i > 0 && q.parked[i - 1].seq > m.seq) i--;
    q.parked.splice(i, 0, m);
    if (!q.retrying) {
      q.retrying = true;
      void this.retry(q);
    }
  }

  /**
   * Re-sends the oldest parked message every `retryMs` until an owner answers it (then sends the
   * rest, in order) or its deadline passes (then answers it 503 and goes on with the next).
   */
  private async retry(q: PartitionQueue): Promise<void> {
    while (q.parked.length > 0 && !this.closed) {
      await this.sleep(Math.max(0, Math.min(this.retryMs, q.parked[0].deadline - Date.now())));
      if (this.closed) break;
      const now = Date.now();
      while (q.parked.length > 0 && q.parked[0].deadline <= now) {
        const m = q.parked.shift() as Outgoing;
        const a = unavailable(`no node owns partition ${q.partition} yet (a takeover is in progress); retry`);
        for (const w of m.waiters) w(a);
      }
      const m = q.parked[0];
      if (m === undefined) break;
      if ((await this.attempt(q, m)) === 'no-owner') continue;
      // by identity: an older message coming back without an owner meanwhile was parked before it
      const at = q.parked.indexOf(m);
      if (at >= 0) q.parked.splice(at, 1);
      const rest = q.parked.splice(0);
      q.retrying = false;
      for (const r of rest) void this.dispatch(q, r);
      return;
    }
    q.retrying = false;
  }

  /** One NATS request for `m`; answers its waiters unless nobody owns the partition. */
  private async attempt(q: PartitionQueue, m: Outgoing): Promise<'done' | 'no-owner'> {
    if (m.attempts++ === 0) {
      this.stats.messages++;
      this.stats.requests += m.waiters.length;
    } else {
      this.stats.noOwnerRetries++;
    }
    let reply;
    q.inFlight.add(m);
    try {
      reply = await this.cluster.nc.request(q.subject, m.payload, { timeout: this.timeoutMs, headers: this.hdrs });
    } catch (e) {
      q.inFlight.delete(m);
      if (m.settled) return 'done';
      if (e instanceof natsErrors.RequestError && e.isNoResponders()) return 'no-owner';
      const a =
        e instanceof natsErrors.TimeoutError
          ? unavailable(`partition ${q.partition}'s owner did not answer within ${this.timeoutMs} ms; the request may or may not have been applied; retry with the same id`)
          : unavailable(`cannot forward to partition ${q.partition}'s owner over NATS (${e instanceof Error ? e.message : String(e)}); the request may or may not have been applied; retry with the same id`);
      for (const w of m.waiters) w(a);
      return 'done';
    }
    q.inFlight.delete(m);
    if (m.settled) return 'done';
    this.deliver(q, m, reply.headers?.get(FORWARD_HEADER) ?? '', reply.data);
    return 'done';
  }

  private deliver(q: PartitionQueue, m: Outgoing, version: string, data: Uint8Array): void {
    const bad = (why: string): void => {
      const a: ForwardedAnswer = { ok: false, status: 502, code: 'bad_forward', message: `partition ${q.partition}'s owner sent an unreadable reply (${why}); the request may or may not have been applied; retry with the same id` };
      for (const w of m.waiters) w(a);
    };
    if (version !== FORWARD_VERSION) return bad(`${FORWARD_HEADER} ${JSON.stringify(version)}, this node speaks ${FORWARD_VERSION}`);
    let reply;
    try {
      reply = decodeAnswers(data);
    } catch (e) {
      return bad(e instanceof ForwardFormatError ? e.message : String(e));
    }
    if ('all' in reply) {
      for (const w of m.waiters) w(reply.all);
      return;
    }
    if (reply.each.length !== m.waiters.length) return bad(`${reply.each.length} answers for ${m.waiters.length} requests`);
    for (let i = 0; i < m.waiters.length; i++) m.waiters[i](reply.each[i]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          this.sleeps.delete(s);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleeps.add(s);
    });
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError(`Forwarder ${name} ${v} is not allowed: use a positive number`);
  return v;
}
