/**
 * The JournalWriter of one partition on JetStream (docs/scale-out.md). One append is one message on
 * the partition's subject, published with the subject sequence this writer last saw as
 * `Nats-Expected-Last-Subject-Sequence`: if any other writer appended since — a successor that took
 * the partition over — JetStream refuses the message. That refusal is the fence; it is final, so a
 * deposed owner can never add to a journal it no longer owns.
 *
 * Appends go one at a time (the expected sequence of the next is the PubAck of the previous);
 * whatever batches queue up behind an append are merged into the next message, as the SQLite writer
 * thread merges them into one transaction. Writes complete in call order and, once one fails, every
 * later one fails with the same error.
 */
import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, type PubAck } from '@nats-io/jetstream';
import { errors as natsErrors } from '@nats-io/transport-node';
import { PartitionLostError, StoreError } from '../../errors.js';
import type { JournalEntry, JournalWriter } from '../../log/journal.js';
import { joinPacked, packBatch } from '../../log/journal-pack.js';
import type { NatsCluster } from './connect.js';
import { encodeJournalMessage, WRITER_HEADER, type PayloadSealer } from './journal-message.js';
import { lastJournalSeq, type JournalEnd } from './journal-reader.js';
import { checkPartition } from './names.js';

/** What a partition's writer needs; `sealer` seals payloads at rest (null: clear). */
export interface JetStreamWriterOptions {
  readonly cluster: NatsCluster;
  readonly partition: number;
  readonly sealer?: PayloadSealer | null;
  /** Milliseconds to wait for a PubAck before re-sending the same message (default 5000). */
  readonly ackTimeoutMs?: number;
  /** Sends of one message before giving up when no PubAck comes (default 3; a re-send is deduplicated). */
  readonly attempts?: number;
  /**
   * Where the caller's replay of the journal ended (readJournal / lastJournalSeq): the writer
   * continues from exactly there, so anything another writer appended since is refused by the fence
   * instead of being silently skipped. Default: the journal's end when the writer starts.
   */
  readonly after?: JournalEnd;
}

/** A JournalWriter that also says where the partition's journal stood when it started. */
export interface JetStreamJournalWriter extends JournalWriter {
  /** Highest entry seq stored when the writer started (0: empty), so the group commit continues from it. */
  readonly startSeq: number;
  /** The stream sequence of the partition's last message as this writer knows it. */
  readonly lastSubjectSeq: number;
}

interface Pending {
  readonly packed: string;
  /** UTF-8 size of `packed`. */
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** Set for a write refused on arrival: it fails (with all after it) once those before it are settled. */
  readonly refused?: Error;
}

/** Room left in a message for headers and the seal's bytes. */
const HEADROOM = 1024;

/**
 * Starts the writer of `partition`: takes the journal's end (the sequence the first append expects)
 * from `after` or from the subject's last message, then appends batches in call order.
 */
export async function startJetStreamJournalWriter(opts: JetStreamWriterOptions): Promise<JetStreamJournalWriter> {
  const { cluster } = opts;
  const partition = checkPartition(opts.partition);
  const subject = cluster.names.journalSubject(partition);
  const stream = cluster.names.stream;
  const sealer = opts.sealer ?? null;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 5000;
  const attempts = opts.attempts ?? 3;
  const writerId = randomUUID();
  const limit = cluster.maxPayload - HEADROOM;

  const end = opts.after ?? (await lastJournalSeq(cluster, partition));
  let knownSeq = end.streamSeq;
  const startSeq = end.seq;

  /** The seq the next batch must start with. */
  let nextSeq = startSeq + 1;
  const queue: Pending[] = [];
  let appending = false;
  let dead: Error | null = null;
  let idle: (() => void) | null = null;

  const fail = (e: Error, taken: readonly Pending[]): void => {
    dead = e;
    for (const p of taken) p.reject(e);
    for (const p of queue.splice(0)) p.reject(e);
  };

  /** The stored message at `seq` is this writer's (a re-send of ours, not a successor's with the same Msg-Id). */
  const isOurs = async (seq: number): Promise<boolean> => {
    const m = await cluster.jsm.streams.getMessage(stream, { seq });
    return m !== null && m.subject === subject && m.header.get(WRITER_HEADER) === writerId;
  };

  const publish = async (taken: readonly Pending[]): Promise<void> => {
    const full = taken.filter((p) => p.bytes > 0);
    if (full.length === 0) return;
    const first = full[0].first;
    const last = full[full.length - 1].last;
    const { headers, payload } = encodeJournalMessage(joinPacked(full.map((p) => p.packed)), first, last, writerId, sealer);
    if (payload.length + HEADROOM > cluster.maxPayload) {
      throw new StoreError(`a journal batch of partition ${partition} (entries ${first}-${last}) is ${payload.length} bytes, over the NATS server's max_payload of ${cluster.maxPayload}: raise max_payload on the server or commit smaller batches`);
    }
    let ack: PubAck | null = null;
    for (let i = 1; ack === null; i++) {
      try {
        ack = await cluster.js.publish(subject, payload, { headers, msgID: `${partition}:${first}`, expect: { lastSubjectSequence: knownSeq }, timeout: ackTimeoutMs });
      } catch (e) {
        if (e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamWrongLastSequence || e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) {
          throw new PartitionLostError(
            partition,
            `partition ${partition} was taken over: another writer appended to ${subject} after stream seq ${knownSeq}, so entries ${first}-${last} were refused (not stored); stop deciding for partition ${partition} and drop it`,
            { cause: e },
          );
        }
        if (e instanceof natsErrors.TimeoutError && i < attempts) continue; // same Msg-Id: stored at most once
        throw new StoreError(`journal append to ${subject} failed (entries ${first}-${last}, attempt ${i} of ${attempts}): ${(e as Error).message}; is NATS at ${cluster.nc.getServer()} up?`, { cause: e });
      }
    }
    let ours: boolean;
    try {
      ours = !ack.duplicate || (await isOurs(ack.seq));
    } catch (e) {
      throw new StoreError(`journal append to ${subject} was answered as a duplicate, and the stored message ${ack.seq} cannot be read to check it: ${(e as Error).message}`, { cause: e });
    }
    if (!ours) {
      throw new PartitionLostError(partition, `partition ${partition} was taken over: another writer already stored entries from ${first} on ${subject} (stream seq ${ack.seq}); entries ${first}-${last} of this writer were not stored; drop partition ${partition}`);
    }
    knownSeq = ack.seq;
  };

  const pump = (): void => {
    if (appending || dead !== null) return;
    if (queue.length === 0) {
      idle?.();
      return;
    }
    const refused = queue[0].refused;
    if (refused !== undefined) {
      fail(refused, queue.splice(0, 1));
      idle?.();
      return;
    }
    let size = queue[0].bytes;
    let n = 1;
    while (n < queue.length && queue[n].refused === undefined && size + queue[n].bytes + 1 <= limit) size += queue[n++].bytes + 1;
    const taken = queue.splice(0, n);
    appending = true;
    publish(taken).then(
      () => {
        appending = false;
        for (const p of taken) p.resolve();
        pump();
      },
      (e: unknown) => {
        appending = false;
        fail(e instanceof Error ? e : new StoreError(String(e)), taken);
        idle?.();
      },
    );
  };

  return {
    startSeq,
    get lastSubjectSeq() {
      return knownSeq;
    },
    write(batch: readonly JournalEntry[]): Promise<void> {
      if (dead !== null) return Promise.reject(dead);
      if (batch.length > 0 && batch[0].seq !== nextSeq) {
        const refused = new StoreError(`partition ${partition}: a batch starting at seq ${batch[0].seq} cannot follow seq ${nextSeq - 1} (the journal stays gap-free); the group commit must continue from the writer's startSeq`);
        return new Promise<void>((resolve, reject) => {
          queue.push({ packed: '', bytes: 0, first: 0, last: 0, resolve, reject, refused });
          pump();
        });
      }
      const packed = packBatch(batch);
      if (batch.length > 0) nextSeq = batch[batch.length - 1].seq + 1;
      return new Promise<void>((resolve, reject) => {
        queue.push({ packed, bytes: Buffer.byteLength(packed), first: batch[0]?.seq ?? 0, last: batch[batch.length - 1]?.seq ?? 0, resolve, reject });
        pump();
      });
    },
    async close(): Promise<void> {
      if (dead !== null || (queue.length === 0 && !appending)) {
        dead ??= new StoreError(`the journal writer of partition ${partition} is closed`);
        return;
      }
      await new Promise<void>((resolve) => {
        idle = resolve;
      });
      dead ??= new StoreError(`the journal writer of partition ${partition} is closed`);
    },
  };
}
