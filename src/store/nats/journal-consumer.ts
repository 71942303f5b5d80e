/**
 * The durable JetStream consumer the cluster's projector reads every partition's journal with
 * (`fk_<c>_projector`, docs/scale-out.md). Unlike readJournal's ordered consumer, its position lives
 * in JetStream and survives the process: a message counts as read only once the caller acks it —
 * after its entries are committed elsewhere — so a crash between commit and ack redelivers it, and
 * the caller's store must take a message twice harmlessly. Messages come in batches (up to a number
 * of entries, or whatever is there once the stream is drained or a short linger passed), decoded.
 */
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import type { NatsCluster } from './connect.js';
import { decodeJournalMessage, journalMessageSeqs, type PayloadSealer } from './journal-message.js';

/** How the projector's consumer reads; the defaults suit one projector per cluster. */
export interface JournalConsumerOptions {
  readonly cluster: NatsCluster;
  /** Opens sealed payloads (the cluster's data key); null: the journal is clear. */
  readonly sealer?: PayloadSealer | null;
  /**
   * How long a delivered, unacked message waits before JetStream redelivers it (default 10000 ms):
   * also how late a message comes back that JetStream had sent to a projector that stopped or died.
   */
  readonly ackWaitMs?: number;
  /**
   * Lifetime of each pull request (default 2000 ms, at least 1000). A stopped projector's request
   * lives on in the server until it expires, and messages sent to it come back only after the ack
   * wait, so it is kept short.
   */
  readonly pullExpiresMs?: number;
  /** Messages delivered and not yet acked, at most (default 1024): bounds the memory a slow store costs. */
  readonly maxAckPending?: number;
  /** Messages one pull asks for (default 64): what may wait in this process's buffer. */
  readonly pullMessages?: number;
  /** Entries per batch at most (default 1000; a single larger message is a batch of its own). */
  readonly batchEntries?: number;
  /** How long a partial batch waits for more messages while the stream is not drained (default 10 ms). */
  readonly lingerMs?: number;
}

/** One journal message, decoded. */
export interface JournalDelivery {
  readonly partition: number;
  /** The message's stream sequence. */
  readonly streamSeq: number;
  readonly entries: readonly JournalEntry[];
  /** Delivered before and not acked (a crash, a timeout, another projector's nak). */
  readonly redelivered: boolean;
}

/** Messages taken together; ack only after their entries are durable elsewhere. */
export interface JournalBatch {
  readonly deliveries: readonly JournalDelivery[];
  /**
   * Messages of the batch that did not decode (damaged, not fengkong's, sealed with a key not held):
   * nak'd for a retry in a few seconds, never acked, not in `deliveries`.
   */
  readonly rejected: readonly StoreError[];
  /** Messages of the stream not yet delivered to this consumer when the batch's last one was. */
  readonly pending: number;
  /** Marks every message of the batch read (fire and forget: a lost ack is a harmless redelivery). */
  ack(): void;
  /** Asks JetStream to redeliver every message of the batch after `delayMs`. */
  nak(delayMs: number): void;
}

/** The projector's handle on its consumer. */
export interface DurableJournalConsumer {
  /** The durable consumer's name (`fk_<c>_projector`). */
  readonly name: string;
  /**
   * The next batch, waiting for one; null once closed (or once the connection closed under it).
   * A message that does not decode is in `rejected`, not in `deliveries`.
   */
  next(): Promise<JournalBatch | null>;
  /** Messages of the stream not yet acked by this consumer (JetStream's count: undelivered + unacked). */
  lag(): Promise<number>;
  /**
   * Stops pulling and makes next() return null; messages delivered but not taken are nak'd so they
   * come back at once. A batch already taken may still be acked or nak'd.
   */
  close(): Promise<void>;
  /** Resolves once the acks and naks sent so far reached the server (before closing the connection). */
  flush(): Promise<void>;
}

interface Held {
  readonly m: JsMsg;
  /** Entry count from the header (1 when the header is bad: decoding then says why). */
  readonly n: number;
  /** When it arrived, or when JetStream was last told it is being worked on. */
  at: number;
}

const PARTITION_OF = /\.j\.(\d+)$/;
/** When a message that does not decode comes back: retried (a key rotated in may open it), never dropped. */
const REJECTED_RETRY_MS = 5000;

/** The consumer config every projector of the cluster agrees on; one found with other settings is refused. */
function wantedConfig(cluster: NatsCluster, ackWaitMs: number, maxAckPending: number): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: cluster.names.projectorConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: cluster.names.journalWildcard,
    ack_wait: nanos(ackWaitMs),
    max_ack_pending: maxAckPending,
  };
}

async function ensureConsumer(cluster: NatsCluster, want: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  const { stream } = cluster.names;
  const name = want.durable_name;
  let have: ConsumerConfig | null = null;
  try {
    have = (await cluster.jsm.consumers.info(stream, name)).config;
  } catch (e) {
    if (!(e instanceof Error && /consumer not found/i.test(e.message))) throw new StoreError(`cannot read JetStream consumer ${name}: ${(e as Error).message}`, { cause: e });
  }
  if (have === null) {
    try {
      await cluster.jsm.consumers.add(stream, want);
    } catch (e) {
      throw new StoreError(`cannot create JetStream consumer ${name} on ${stream}: ${(e as Error).message}`, { cause: e });
    }
    return;
  }
  const diffs: string[] = [];
  if (have.ack_policy !== want.ack_policy) diffs.push(`ack policy ${have.ack_policy} (want explicit)`);
  if ((have.filter_subject ?? '') !== want.filter_subject) diffs.push(`filter ${have.filter_subject ?? '(none)'} (want ${want.filter_subject})`);
  if (have.ack_wait !== want.ack_wait) diffs.push(`ack wait ${(have.ack_wait ?? 0) / 1e6} ms (want ${(want.ack_wait ?? 0) / 1e6})`);
  if (have.max_ack_pending !== want.max_ack_pending) diffs.push(`max ack pending ${have.max_ack_pending} (want ${want.max_ack_pending})`);
  if (diffs.length > 0) {
    throw new StoreError(`JetStream consumer ${name} exists with other settings: ${diffs.join('; ')}. Start every projector of cluster ${cluster.names.cluster} with the same settings`);
  }
}

/** Opens (creating it when missing) the cluster's projector consumer and starts pulling. */
export async function openProjectorConsumer(opts: JournalConsumerOptions): Promise<DurableJournalConsumer> {
  const { cluster } = opts;
  const sealer = opts.sealer ?? null;
  const ackWaitMs = opts.ackWaitMs ?? 10_000;
  const pullExpiresMs = opts.pullExpiresMs ?? 2000;
  const maxAckPending = opts.maxAckPending ?? 1024;
  const pullMessages = Math.min(maxAckPending, opts.pullMessages ?? 64);
  const batchEntries = opts.batchEntries ?? 1000;
  const lingerMs = opts.lingerMs ?? 10;
  const want = wantedConfig(cluster, ackWaitMs, maxAckPending);
  await ensureConsumer(cluster, want);

  const held: Held[] = [];
  let heldEntries = 0;
  /** When the oldest held message arrived (linger starts there). */
  let heldSince = 0;
  /** No more batches: closed by the caller, or the connection closed. */
  let closed = false;
  /** close() was called. */
  let stopped = false;
  let wake: (() => void) | null = null;
  const signal = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  let messages: ConsumerMessages;
  try {
    const consumer = await cluster.js.consumers.get(cluster.names.stream, want.durable_name);
    messages = await consumer.consume({
      max_messages: pullMessages,
      expires: pullExpiresMs,
      callback: (m) => {
        if (closed) {
          if (!cluster.nc.isClosed()) m.nak();
          return;
        }
        let n = 1;
        try {
          const r = journalMessageSeqs(m.headers, m.subject);
          n = r.last - r.first + 1;
        } catch {
          // decoding the batch reports it
        }
        const now = Date.now();
        if (held.length === 0) heldSince = now;
        held.push({ m, n, at: now });
        heldEntries += n;
        signal();
      },
    });
  } catch (e) {
    throw new StoreError(`cannot consume the journal with ${want.durable_name}: ${(e as Error).message}`, { cause: e });
  }
  void cluster.nc.closed().then(() => {
    closed = true;
    signal();
  });

  const ready = (): boolean => {
    if (held.length === 0) return false;
    return heldEntries >= batchEntries || held[held.length - 1].m.info.pending === 0 || Date.now() - heldSince >= lingerMs;
  };

  const take = (): JournalBatch => {
    const taken: Held[] = [];
    let n = 0;
    while (held.length > 0 && (taken.length === 0 || n + held[0].n <= batchEntries)) {
      const h = held.shift()!;
      taken.push(h);
      n += h.n;
    }
    heldEntries -= n;
    const now = Date.now();
    heldSince = now;
    // messages still waiting here keep their delivery: JetStream would redeliver them after the ack wait
    for (const h of held) {
      if (now - h.at > ackWaitMs / 2) {
        h.m.working();
        h.at = now;
      }
    }
    const msgs: JsMsg[] = [];
    const deliveries: JournalDelivery[] = [];
    const rejected: StoreError[] = [];
    for (const { m } of taken) {
      const where = `${m.subject} message ${m.seq}`;
      try {
        const p = PARTITION_OF.exec(m.subject);
        if (p === null) throw new StoreError(`${where} is not on a partition journal subject`);
        deliveries.push({ partition: Number(p[1]), streamSeq: m.seq, entries: decodeJournalMessage(m.headers, m.data, sealer, where), redelivered: m.redelivered });
        msgs.push(m);
      } catch (e) {
        // never acked (the projection would have a hole), never holding back the messages beside it
        m.nak(REJECTED_RETRY_MS);
        rejected.push(e instanceof StoreError ? e : new StoreError(`cannot decode ${where}: ${(e as Error).message}`, { cause: e }));
      }
    }
    return {
      deliveries,
      rejected,
      pending: taken[taken.length - 1].m.info.pending,
      ack: () => {
        for (const m of msgs) m.ack();
      },
      nak: (delayMs: number) => {
        for (const m of msgs) m.nak(delayMs);
      },
    };
  };

  return {
    name: want.durable_name,
    async next() {
      for (;;) {
        if (closed) return null;
        if (ready()) return take();
        const wait = held.length === 0 ? null : Math.max(0, heldSince + lingerMs - Date.now());
        await new Promise<void>((resolve) => {
          const timer = wait === null ? null : setTimeout(signal, wait);
          wake = () => {
            if (timer !== null) clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async lag() {
      try {
        const info = await cluster.jsm.consumers.info(cluster.names.stream, want.durable_name);
        return info.num_pending + info.num_ack_pending;
      } catch (e) {
        throw new StoreError(`cannot read JetStream consumer ${want.durable_name}: ${(e as Error).message}`, { cause: e });
      }
    },
    async close() {
      if (stopped) return;
      stopped = true;
      closed = true;
      signal();
      const undelivered = held.splice(0);
      heldEntries = 0;
      if (cluster.nc.isClosed()) return;
      await messages.close();
      for (const h of undelivered) h.m.nak();
    },
    async flush() {
      if (!cluster.nc.isClosed()) await cluster.nc.flush();
    },
  };
}
