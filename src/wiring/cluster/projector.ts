/**
 * The cluster's projector (docs/scale-out.md, build plan step 3): reads every partition's journal
 * from JetStream with the cluster's durable consumer and writes each entry into PostgreSQL
 * `journal`, so `GET /v1/decisions/{id}`, reports and backtests on any node read history there.
 * It joins the two adapters, so it lives here (layer 7), loaded only by import() from the embedded
 * code paths.
 *
 * A batch is acked only after its PostgreSQL transaction committed; a crash in between redelivers
 * it and the projection's idempotent insert adds nothing twice. Two projectors of one cluster share
 * the durable consumer: JetStream hands each message to one of them, and a message redelivered to
 * the other (its first reader was slow to ack, or died) is inserted by whichever commits first —
 * the other's insert waits for that commit and counts the rows as duplicates. Either way the rows
 * are the journal's bytes, so which one wins changes nothing stored.
 */
import type { DurableJournalConsumer, JournalBatch, JournalConsumerOptions } from '../../store/nats/journal-consumer.js';
import { openProjectorConsumer } from '../../store/nats/journal-consumer.js';
import type { PgJournalProjection } from '../../store/postgres/journal-projection.js';

/** What a projector has done since it started. */
export interface ProjectorProgress {
  /** JetStream messages committed and acked. */
  readonly messages: number;
  /** Entries this projector inserted. */
  readonly entries: number;
  /** Entries it found already projected (redeliveries, another projector's rows). */
  readonly duplicates: number;
  /** PostgreSQL transactions committed. */
  readonly batches: number;
  /** Messages of the stream not yet delivered when the last batch was taken (0: caught up then). */
  readonly lag: number;
  /** Messages that did not decode and batches PostgreSQL refused, each handed back for redelivery. */
  readonly failures: number;
  readonly lastError: string | null;
}

/** How to run a projector; the consumer settings must be the same for every projector of a cluster. */
export interface ProjectorOptions extends JournalConsumerOptions {
  readonly projection: PgJournalProjection;
  /** After a failed batch: its redelivery delay and this projector's pause (default 1000 ms). */
  readonly retryDelayMs?: number;
  /** Called after each committed and acked batch (metrics, logs). */
  readonly onProgress?: (p: ProjectorProgress) => void;
  /**
   * Runs after a batch's commit and before its ack; a throw leaves the batch unacked (it is
   * redelivered). For observing the window where a crash redelivers committed rows (tests).
   */
  readonly afterCommit?: (batch: JournalBatch) => Promise<void> | void;
}

/** A running projector. */
export interface Projector {
  /** The durable consumer it reads with. */
  readonly consumer: string;
  progress(): ProjectorProgress;
  /** Messages of the stream not yet acked by the cluster's projectors (asks JetStream). */
  lag(): Promise<number>;
  /** Resolves when the loop ended: stop() was called, or the NATS connection closed. */
  readonly done: Promise<void>;
  /** Finishes the batch in flight (commit and ack), hands the rest back, and ends the loop. */
  stop(): Promise<void>;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Starts projecting: opens (or creates) the cluster's durable consumer and loops until stop(). */
export async function startProjector(opts: ProjectorOptions): Promise<Projector> {
  const consumer: DurableJournalConsumer = await openProjectorConsumer(opts);
  const retryDelayMs = opts.retryDelayMs ?? 1000;
  let p: ProjectorProgress = { messages: 0, entries: 0, duplicates: 0, batches: 0, lag: 0, failures: 0, lastError: null };
  let stopping = false;
  let wakeSleep: (() => void) | null = null;

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const failed = (e: unknown): void => {
    p = { ...p, failures: p.failures + 1, lastError: describe(e) };
  };

  const one = async (batch: JournalBatch): Promise<void> => {
    for (const e of batch.rejected) failed(e);
    if (batch.deliveries.length === 0) return;
    try {
      const r = await opts.projection.projectMany(batch.deliveries.map((d) => ({ partition: d.partition, entries: d.entries })));
      await opts.afterCommit?.(batch);
      batch.ack();
      p = {
        ...p,
        messages: p.messages + batch.deliveries.length,
        entries: p.entries + r.inserted,
        duplicates: p.duplicates + r.duplicates,
        batches: p.batches + 1,
        lag: batch.pending,
      };
    } catch (e) {
      failed(e);
      try {
        batch.nak(retryDelayMs);
      } catch {
        // the connection is gone: JetStream redelivers after the ack wait
      }
      if (!stopping) await pause(retryDelayMs);
      return;
    }
    opts.onProgress?.(p);
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let batch: JournalBatch | null;
      try {
        batch = await consumer.next();
      } catch (e) {
        failed(e);
        if (!stopping) await pause(retryDelayMs);
        continue;
      }
      if (batch === null) break;
      await one(batch);
    }
  };

  const done = loop();
  let stopped: Promise<void> | null = null;
  return {
    consumer: consumer.name,
    progress: () => p,
    lag: () => consumer.lag(),
    done,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        wakeSleep?.();
        // the loop waiting in next() gets null; a batch in flight finishes (commit, ack) first
        await consumer.close();
        await done;
        await consumer.flush();
      })()),
  };
}
