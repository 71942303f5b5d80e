/**
 * Following a partition's journal as it grows: what keeps a follower's replica engine warm, so a
 * takeover needs no replay (docs/scale-out.md, "Followers and takeover"). An ordered consumer from
 * a known position, every message's seq range checked against the one before — a follower that
 * skipped or repeated an entry would decide differently from the owner it replaces, so a hole is an
 * error that stops the follower, never something it reads past.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import { FengkongError, StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import type { NatsCluster } from './connect.js';
import { checkFollows, decodeJournalMessage, journalMessageSeqs, type PayloadSealer } from './journal-message.js';
import type { JournalEnd } from './journal-reader.js';
import { checkPartition } from './names.js';

/** Where to follow from, and the key to open the entries. */
export interface FollowOptions {
  /** The position already applied (0, 0: nothing): entries after `after.seq`, messages after `after.streamSeq`. */
  readonly after: JournalEnd;
  readonly sealer?: PayloadSealer | null;
}

/** A running follow. */
export interface JournalFollower {
  /** The last entry applied and the stream sequence of its message. */
  readonly position: JournalEnd;
  /** Resolves when the follow stops: by `stop()`, or with the error that stopped it (a hole, a decode failure, `apply` throwing). */
  readonly done: Promise<Error | null>;
  /** Stops reading; `apply` is not called after it resolves. */
  stop(): Promise<void>;
}

/**
 * Calls `apply` with the entries of every message appended to `partition` after `opts.after`, in
 * order, as they arrive, until stopped. `apply` runs per message — synchronously, or with a promise
 * the next message waits for (a control entry compiling a policy); when it throws or rejects, the
 * follow stops with that error (the caller's replica is then in an unknown state and must be rebuilt).
 */
export function followJournal(
  cluster: NatsCluster,
  partition: number,
  opts: FollowOptions,
  apply: (entries: readonly JournalEntry[], streamSeq: number) => void | Promise<void>,
): JournalFollower {
  const subject = cluster.names.journalSubject(checkPartition(partition));
  const sealer = opts.sealer ?? null;
  let position: JournalEnd = opts.after;
  let stopped = false;
  let close: (() => void) | null = null;
  const done = (async (): Promise<Error | null> => {
    let messages;
    try {
      const consumer = await cluster.js.consumers.get(cluster.names.stream, {
        filter_subjects: subject,
        ...(position.streamSeq > 0
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: position.streamSeq + 1 }
          : { deliver_policy: DeliverPolicy.All }),
      });
      messages = await consumer.consume({ max_messages: 256 });
    } catch (e) {
      return new StoreError(`cannot follow the journal ${subject}: ${(e as Error).message}`, { cause: e });
    }
    // stop(), not close(): close() resolves when the iteration has ended, which never comes for an
    // iterator nobody started — a stop() before the first message would wait forever
    close = () => messages.stop();
    if (stopped) {
      messages.stop();
      return null;
    }
    try {
      for await (const m of messages) {
        if (stopped) break;
        const where = `${subject} message ${m.seq}`;
        const { first, last } = journalMessageSeqs(m.headers, where);
        checkFollows(partition, position.seq, first, last, where);
        const r = apply(decodeJournalMessage(m.headers, m.data, sealer, where), m.seq);
        if (r !== undefined) await r;
        position = { seq: last, streamSeq: m.seq };
      }
      return null;
    } catch (e) {
      if (e instanceof FengkongError) return e;
      return new StoreError(`following the journal ${subject} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      messages.stop();
    }
  })();
  return {
    get position() {
      return position;
    },
    done,
    async stop() {
      stopped = true;
      if (close !== null) close();
      await done;
    },
  };
}
