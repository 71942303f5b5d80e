/**
 * The read barrier of a partitioned cluster's owner (docs/scale-out.md, "What is shared across
 * partitions"): before a payment is decided, every message the cluster's stream held when it
 * arrived — every decision another partition had answered, since an answer leaves only once its
 * entry is stored — is applied to the deciding engine. So a merchant's, terminal's, device's or IP's
 * windows include every payment answered before this one arrived, on whichever node, and a stream
 * fed one request at a time is decided exactly as one engine decides it.
 *
 * One query of the stream's end per round, not per payment: requests arriving before a round's query
 * leaves share it (one event-loop turn's worth); later ones wait for the next round.
 */
import type { Decider, DecisionCallback, EventsCallback } from '../../server/decider.js';
import { ApiError } from '../../server/errors.js';
import type { FkEvent, TransactionEvent } from '../../contract/events.js';

/** Rounds of "the stream's end now, then wait until it is applied". */
export class StreamBarrier {
  private open: Promise<void> | null = null;

  constructor(
    /** The stream's last sequence now (streamLastSeq). */
    private readonly end: () => Promise<number>,
    /** Resolves once the engine has applied the stream up to `seq` (StreamFeed.reached). */
    private readonly reached: (seq: number) => Promise<void>,
  ) {}

  /** Resolves once everything stored before this call is applied to the engine. */
  ticket(): Promise<void> {
    if (this.open !== null) return this.open;
    const round = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        // the query leaves now: whoever arrives from here on needs the next round
        this.open = null;
        this.end().then((seq) => this.reached(seq)).then(resolve, reject);
      });
    });
    this.open = round;
    return round;
  }
}

/**
 * The owner's Decider with the barrier in front: payments and events are handed to the service in
 * arrival order, each once its barrier round is through. A round that fails (the stream cannot be
 * read, the feed stopped) answers its requests 503, nothing decided: a retry is safe.
 */
export class BarrierDecider implements Decider {
  private readonly queue: Array<{ ready: boolean; failed: Error | null; run: () => void; refuse: (e: ApiError) => void }> = [];

  constructor(
    private readonly service: Decider,
    private readonly barrier: StreamBarrier,
    private readonly partition: number,
  ) {}

  decide(tx: TransactionEvent, startedAt: number, cb: DecisionCallback): void {
    this.enqueue(() => this.service.decide(tx, startedAt, cb), (e) => cb(e, '', false));
  }

  accept(events: readonly FkEvent[], cb: EventsCallback): void {
    this.enqueue(() => this.service.accept(events, cb), (e) => cb(e, 0));
  }

  find(txId: string, cb: (err: ApiError | null, body: string | null) => void): void {
    this.service.find(txId, cb);
  }

  private enqueue(run: () => void, refuse: (e: ApiError) => void): void {
    const item = { ready: false, failed: null as Error | null, run, refuse };
    this.queue.push(item);
    this.barrier.ticket().then(
      () => {
        item.ready = true;
        this.pump();
      },
      (e: unknown) => {
        item.ready = true;
        item.failed = e as Error;
        this.pump();
      },
    );
  }

  /** Runs the queue's head while it is through its barrier: arrival order, always. */
  private pump(): void {
    while (this.queue.length > 0 && this.queue[0].ready) {
      const item = this.queue.shift()!;
      if (item.failed === null) item.run();
      else {
        item.refuse(
          new ApiError('partition_unavailable', `partition ${this.partition} could not read what the other partitions decided before this request; nothing was decided, retry: ${item.failed.message}`, {
            headers: { 'retry-after': '1' },
          }),
        );
      }
    }
  }
}
