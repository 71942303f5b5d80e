/**
 * The last decisions of a partition, by transaction id, in a node's memory: what makes a retry
 * idempotent on a cluster node without asking PostgreSQL for every id the Bloom filter is unsure of.
 * Retries come within seconds, so a bounded window of the newest entries answers nearly all of them;
 * an id older than the window is looked up in the PostgreSQL projection (decision-lookup.ts).
 */
import type { JournalEntry, StoredDecision } from '../../log/journal.js';

/** Newest-first window of decided payments, oldest evicted first. */
export class RecentDecisions {
  private readonly byId = new Map<string, StoredDecision>();
  /** Seq of the oldest entry ever evicted (0: nothing evicted, the window holds the partition's whole history). */
  private evictedUpTo = 0;

  /** `capacity` decisions at most (each ~1 KB with its event). */
  constructor(private readonly capacity = 100_000) {}

  /** Records a journaled payment (other entries are ignored). */
  add(entry: JournalEntry): void {
    if (entry.txId === null || entry.decision === null) return;
    this.put({ seq: entry.seq, txId: entry.txId, event: entry.event, decision: entry.decision });
  }

  /** Records a decision as answered. */
  put(d: StoredDecision): void {
    this.byId.set(d.txId, d);
    if (this.byId.size > this.capacity) {
      // Map iterates in insertion order: the first key is the oldest
      const oldest = this.byId.keys().next().value as string;
      this.evictedUpTo = Math.max(this.evictedUpTo, this.byId.get(oldest)?.seq ?? 0);
      this.byId.delete(oldest);
    }
  }

  /** The decision of `txId` if it is in the window. */
  get(txId: string): StoredDecision | undefined {
    return this.byId.get(txId);
  }

  /**
   * The highest seq that may have left the window: a lookup that misses here must ask a store that
   * holds at least every entry up to it. 0 while the window still holds everything.
   */
  get evictedThrough(): number {
    return this.evictedUpTo;
  }

  /**
   * Declares entries up to `seq` outside the window: a replica restored from a snapshot of `seq`
   * never saw them, so a lookup that misses must ask the projection for them.
   */
  forgetThrough(seq: number): void {
    this.evictedUpTo = Math.max(this.evictedUpTo, seq);
  }

  /** Forgets everything (a replica rebuilt from the start). */
  clear(): void {
    this.byId.clear();
    this.evictedUpTo = 0;
  }

  get size(): number {
    return this.byId.size;
  }
}
