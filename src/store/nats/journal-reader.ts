/**
 * Reading a partition's journal back from JetStream, in seq order: what a node taking a partition
 * over, a follower catching up, or a replay needs. Not the hot path, so it is an async iteration
 * over an ordered consumer; every message's seq range is checked against the one before, so a
 * journal with a hole (or two messages holding one seq) is a clear error, never a silent replay of
 * something else than what was decided.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import { FengkongError, StoreError } from '../../errors.js';
import type { JournalEntry } from '../../log/journal.js';
import type { NatsCluster } from './connect.js';
import { decodeJournalMessage, journalMessageSeqs, type PayloadSealer } from './journal-message.js';
import { checkPartition } from './names.js';

/** Which entries to read, and the key to open them. */
export interface JournalReadOptions {
  /** First entry seq, inclusive (default 1). */
  readonly fromSeq?: number;
  /** Last entry seq, inclusive (default: the last stored when the read began). */
  readonly toSeq?: number;
  readonly sealer?: PayloadSealer | null;
  /**
   * Stream sequence to start reading at, when the caller knows one at or before the message holding
   * `fromSeq` (a snapshot records it); default: the subject's first message.
   */
  readonly startStreamSeq?: number;
  /** Messages fetched per pull (default 256). */
  readonly pull?: number;
}

/** Where a partition's journal ends: its last entry seq and that message's stream sequence (0, 0: empty). */
export interface JournalEnd {
  readonly seq: number;
  readonly streamSeq: number;
}

/** The last entry seq stored for `partition`, read from the last message's header (no decoding). */
export async function lastJournalSeq(cluster: NatsCluster, partition: number): Promise<JournalEnd> {
  const subject = cluster.names.journalSubject(checkPartition(partition));
  let m;
  try {
    m = await cluster.jsm.streams.getMessage(cluster.names.stream, { last_by_subj: subject });
  } catch (e) {
    throw new StoreError(`cannot read the end of the journal ${subject}: ${(e as Error).message}`, { cause: e });
  }
  if (m === null) return { seq: 0, streamSeq: 0 };
  return { seq: journalMessageSeqs(m.header, `${subject} message ${m.seq}`).last, streamSeq: m.seq };
}

/**
 * The entries `fromSeq..toSeq` of `partition`, one by one in seq order. Entries appended after the
 * read began are not read unless `toSeq` asks for them; a gap or an overlap throws a StoreError.
 */
export async function* readJournal(cluster: NatsCluster, partition: number, opts: JournalReadOptions = {}): AsyncGenerator<JournalEntry> {
  const subject = cluster.names.journalSubject(checkPartition(partition));
  const fromSeq = opts.fromSeq ?? 1;
  const sealer = opts.sealer ?? null;
  const end = await lastJournalSeq(cluster, partition);
  const toSeq = Math.min(opts.toSeq ?? end.seq, end.seq);
  if (end.streamSeq === 0 || fromSeq > toSeq) return;
  const startStreamSeq = opts.startStreamSeq ?? 0;
  if (startStreamSeq > end.streamSeq) return;

  let messages;
  try {
    const consumer = await cluster.js.consumers.get(cluster.names.stream, {
      filter_subjects: subject,
      ...(startStreamSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startStreamSeq } : { deliver_policy: DeliverPolicy.All }),
    });
    messages = await consumer.consume({ max_messages: opts.pull ?? 256 });
  } catch (e) {
    throw new StoreError(`cannot read the journal ${subject}: ${(e as Error).message}`, { cause: e });
  }
  try {
    /** The entry seq the next message must start with; null before the first message. */
    let expect: number | null = null;
    for await (const m of messages) {
      const where = `${subject} message ${m.seq}`;
      const { first, last } = journalMessageSeqs(m.headers, where);
      if (expect === null) {
        if (first > fromSeq) throw new StoreError(`journal of partition ${partition} has a gap: entries ${fromSeq}-${first - 1} are missing (the first message read, ${where}, starts at ${first})`);
      } else if (first !== expect) {
        throw new StoreError(
          first > expect
            ? `journal of partition ${partition} has a gap: entries ${expect}-${first - 1} are missing before ${where} (entries ${first}-${last})`
            : `journal of partition ${partition} holds entry ${first} twice: ${where} (entries ${first}-${last}) follows entry ${expect - 1}`,
        );
      }
      expect = last + 1;
      if (last >= fromSeq) {
        for (const e of decodeJournalMessage(m.headers, m.data, sealer, where)) {
          if (e.seq > toSeq) break;
          if (e.seq >= fromSeq) yield e;
        }
      }
      if (last >= toSeq || m.seq >= end.streamSeq) break;
    }
  } catch (e) {
    if (e instanceof FengkongError) throw e;
    throw new StoreError(`reading the journal ${subject} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await messages.close();
  }
}
