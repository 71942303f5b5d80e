/**
 * Spreading a cluster's partitions over its nodes (docs/scale-out.md, "Ownership"): with N nodes
 * alive (presence.ts) each owns at most ⌈P / N⌉ partitions. A node under its share takes free
 * leases; a node over it hands one partition over per round (the lease released, the journal
 * flushed first), which a node under its share then takes. With one partition nothing moves: any
 * node may own it, as before.
 */
import type { Presence } from '../../store/nats/presence.js';

/** What the balancer steers: one runner per partition. */
export interface BalancedPartition {
  /** True while this node owns the partition. */
  owning(): boolean;
  /** Gives the partition up on purpose; another node takes it. */
  handOver(why: string): Promise<void>;
}

/** How many partitions a node may own with `alive` nodes in the cluster. */
export function shareOf(partitions: number, alive: number): number {
  return Math.ceil(partitions / Math.max(1, alive));
}

/** Keeps this node at its share; `mayTake()` is what the runners ask before taking a free lease. */
export class Balancer {
  private share: number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;

  constructor(
    private readonly presence: Presence,
    private readonly parts: readonly BalancedPartition[],
    private readonly everyMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.share = parts.length; // until the first round: a lone node takes what is free
  }

  /** Whether this node may take one more partition now. */
  mayTake(): boolean {
    return this.owned() < this.share;
  }

  private owned(): number {
    return this.parts.filter((p) => p.owning()).length;
  }

  /** Runs a round now and every `everyMs`. */
  async start(): Promise<void> {
    await this.balance();
    this.timer = setInterval(() => {
      if (this.round === null) this.round = this.balance().finally(() => (this.round = null));
    }, this.everyMs);
    this.timer.unref();
  }

  /** One round: the share from the nodes alive, and one partition handed over when above it. */
  private async balance(): Promise<void> {
    if (this.parts.length <= 1) return;
    try {
      const alive = (await this.presence.alive()).length;
      this.share = shareOf(this.parts.length, alive);
      if (this.owned() > this.share) {
        // the highest-numbered owned partition goes: nodes shed alike, so the moves settle
        for (let p = this.parts.length - 1; p >= 0; p--) {
          if (!this.parts[p].owning()) continue;
          this.log(`partition ${p}: handing it over (${alive} nodes alive: this node's share is ${this.share} of ${this.parts.length})`);
          await this.parts[p].handOver(`handed over to balance the cluster: ${alive} nodes share ${this.parts.length} partitions`);
          break;
        }
      }
    } catch (e) {
      this.log(`balancing partitions: ${(e as Error).message}`);
    }
  }

  /** Stops the rounds and the presence (the other nodes count one node less at once). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    await this.presence.stop();
  }
}
