/**
 * Following every partition's journal at once, in the cluster stream's one order (docs/scale-out.md,
 * "What is shared across partitions"): with several partitions, each engine applies its own
 * partition's entries and what the others' payments did to the state all partitions keep, in the
 * order JetStream stored them. One ordered consumer over `fk.<c>.j.*`; each partition's entry seqs
 * are checked to follow on from the one before, as followJournal checks one partition's.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import { FengkongError, StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import type { NatsCluster } from './connect.js';
import { checkFollows, decodeJournalMessage, journalMessageSeqs, type PayloadSealer } from './journal-message.js';

/** One journal message as the feed delivers it. */
export interface StreamMessage {
  readonly partition: number;
  readonly entries: readonly JournalEntry[];
  /** Its sequence in the cluster's stream: the cluster-wide order. */
  readonly streamSeq: number;
}

/** A running feed. */
export interface StreamFeed {
  /** Stream sequence of the last message applied (0: none). */
  readonly applied: number;
  /** Resolves when the feed stops: by `stop()` (null), or with the error that stopped it. */
  readonly done: Promise<Error | null>;
  /** Resolves once every message stored up to stream sequence `seq` has been applied (rejects when the feed stops first). */
  reached(seq: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The stream's last sequence now: every message stored so far (journal messages only: the
 * stream holds nothing else) has a sequence at or below it.
 */
export async function streamLastSeq(cluster: NatsCluster): Promise<number> {
  try {
    const info = await cluster.jsm.streams.info(cluster.names.stream);
    return info.state.last_seq;
  } catch (e) {
    throw new StoreError(`cannot read the end of the stream ${cluster.names.stream}: ${(e as Error).message}`, { cause: e });
  }
}

/** The partition a journal subject `fk.<c>.j.<p>` names. */
function partitionOfSubject(subject: string, where: string): number {
  const p = Number(subject.slice(subject.lastIndexOf('.') + 1));
  if (!Number.isSafeInteger(p) || p < 0) throw new StoreError(`${where}: ${subject} is not a partition's journal subject`);
  return p;
}

/**
 * Calls `apply` with every journal message of every partition from the stream's start, in stream
 * order, until stopped. `apply` may return a promise the next message waits for; when it throws or
 * rejects, or a partition's seqs leave a hole, the feed stops with that error.
 */
export function followStream(cluster: NatsCluster, sealer: PayloadSealer | null, apply: (m: StreamMessage) => void | Promise<void>): StreamFeed {
  const wildcard = cluster.names.journalWildcard;
  const last = new Map<number, number>();
  let applied = 0;
  let stopped = false;
  let close: (() => void) | null = null;
  const waiting: Array<{ seq: number; resolve: () => void; reject: (e: Error) => void }> = [];
  const wake = (): void => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].seq <= applied) {
        waiting[i].resolve();
        waiting.splice(i, 1);
      }
    }
  };
  const done = (async (): Promise<Error | null> => {
    let messages;
    try {
      const consumer = await cluster.js.consumers.get(cluster.names.stream, { filter_subjects: wildcard, deliver_policy: DeliverPolicy.All });
      messages = await consumer.consume({ max_messages: 512 });
    } catch (e) {
      return new StoreError(`cannot follow the stream ${cluster.names.stream}: ${(e as Error).message}`, { cause: e });
    }
    close = () => messages.stop();
    if (stopped) {
      messages.stop();
      return null;
    }
    try {
      for await (const m of messages) {
        if (stopped) break;
        const where = `${m.subject} message ${m.seq}`;
        const partition = partitionOfSubject(m.subject, where);
        const { first, last: lastSeq } = journalMessageSeqs(m.headers, where);
        checkFollows(partition, last.get(partition) ?? 0, first, lastSeq, where);
        const r = apply({ partition, entries: decodeJournalMessage(m.headers, m.data, sealer, where), streamSeq: m.seq });
        if (r !== undefined) await r;
        last.set(partition, lastSeq);
        applied = m.seq;
        wake();
      }
      return null;
    } catch (e) {
      if (e instanceof FengkongError) return e;
      return new StoreError(`following the stream ${cluster.names.stream} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      messages.stop();
    }
  })();
  let ended: Error | null = null;
  void done.then((err) => {
    ended = err ?? new StoreError('the stream feed stopped');
    for (const w of waiting.splice(0)) w.reject(ended);
  });
  return {
    get applied() {
      return applied;
    },
    done,
    reached(seq: number): Promise<void> {
      if (seq <= applied) return Promise.resolve();
      if (ended !== null) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiting.push({ seq, resolve, reject }));
    },
    async stop() {
      stopped = true;
      if (close !== null) close();
      await done;
    },
  };
}
