/**
 * The evidence index: for each account, merchant code, terminal, device and IP, the journal seqs of its
 * latest payments, so a case's evidence view reads a few rows by primary key instead of scanning the
 * journal (who paid, where and how is in those rows). Fed by the journal feed off the answer path:
 * five map lookups and five array writes per payment, no allocation once a key's ring is full;
 * bounded (oldest keys are dropped first when a map is full), rebuilt from the journal tail at start.
 */
import type { FeedConsumer, FeedEntry } from '../detectors/types.js';

/** Payments remembered per key. */
export const RECENT = { account: 24, merchant: 64, terminal: 64, device: 16, ip: 16 } as const;
/** Keys remembered per map before the oldest are dropped. */
export const KEY_CAP = { account: 200_000, merchant: 100_000, terminal: 100_000, device: 200_000, ip: 200_000 } as const;

/** A key's payments: an array that grows to `keep`, then wraps around at `head` (no shifting on the feed's path). */
interface Ring {
  seqs: number[];
  head: number;
}

class RecentMap {
  private readonly map = new Map<string, Ring>();
  constructor(
    private readonly keep: number,
    private readonly cap: number,
  ) {}

  add(key: string, seq: number): void {
    const r = this.map.get(key);
    if (r === undefined) {
      if (this.map.size >= this.cap) this.map.delete(this.map.keys().next().value as string);
      this.map.set(key, { seqs: [seq], head: 0 });
    } else if (r.seqs.length < this.keep) {
      r.seqs.push(seq);
    } else {
      r.seqs[r.head] = seq;
      r.head = r.head + 1 === this.keep ? 0 : r.head + 1;
    }
  }

  /** The key's seqs, oldest first. */
  get(key: string): number[] {
    const r = this.map.get(key);
    if (r === undefined) return [];
    return r.head === 0 ? [...r.seqs] : [...r.seqs.slice(r.head), ...r.seqs.slice(0, r.head)];
  }

  get size(): number {
    return this.map.size;
  }
}

/** Recent payments by account, merchant code, terminal, device and IP. */
export class ActivityIndex implements FeedConsumer {
  readonly name = 'evidence-index';
  readonly accounts = new RecentMap(RECENT.account, KEY_CAP.account);
  readonly merchants = new RecentMap(RECENT.merchant, KEY_CAP.merchant);
  readonly terminals = new RecentMap(RECENT.terminal, KEY_CAP.terminal);
  readonly devices = new RecentMap(RECENT.device, KEY_CAP.device);
  readonly ips = new RecentMap(RECENT.ip, KEY_CAP.ip);

  consume(entry: FeedEntry): void {
    const e = entry.event;
    if (e.type !== 'transaction') return;
    const seq = entry.seq;
    this.accounts.add(e.accountId, seq);
    this.merchants.add(e.merchantId, seq);
    this.terminals.add(e.terminalId, seq);
    if (e.deviceId !== undefined) this.devices.add(e.deviceId, seq);
    if (e.ip !== undefined) this.ips.add(e.ip, seq);
  }

  /** Seqs of the latest payments of a subject, oldest first. */
  recent(kind: 'account' | 'merchant' | 'terminal' | 'device' | 'ip', id: string): number[] {
    const map =
      kind === 'account' ? this.accounts : kind === 'merchant' ? this.merchants : kind === 'terminal' ? this.terminals : kind === 'device' ? this.devices : this.ips;
    return map.get(id);
  }

  /** Keys held, for status. */
  sizes(): Record<string, number> {
    return { accounts: this.accounts.size, merchants: this.merchants.size, terminals: this.terminals.size, devices: this.devices.size, ips: this.ips.size };
  }
}
