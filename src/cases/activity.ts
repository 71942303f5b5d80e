/**
 * The evidence index: for each account, merchant code, terminal and device, the journal seqs of its
 * latest payments (and, for merchants, terminals and devices, which accounts made them), so a case's
 * evidence view reads a few rows by primary key instead of scanning the journal. Fed by the journal
 * feed off the answer path; bounded (oldest keys are dropped first when a map is full), rebuilt from
 * the journal tail at start.
 */
import type { Engine } from '../engine/engine.js';
import type { FeedConsumer, FeedEntry } from '../detectors/types.js';

/** Payments remembered per key. */
export const RECENT = { account: 24, merchant: 64, terminal: 64, device: 16 } as const;
/** Keys remembered per map before the oldest are dropped. */
export const KEY_CAP = { account: 200_000, merchant: 100_000, terminal: 100_000, device: 200_000 } as const;

/** The latest payments of one key: seqs and, in parallel, the paying account (the engine's copy of the id), oldest first. */
export interface Recent {
  readonly seqs: number[];
  readonly accounts: string[];
}

/** A key's payments: arrays that grow to `keep`, then wrap around at `head` (no shifting on the feed's path). */
interface Ring {
  seqs: number[];
  accounts: string[];
  head: number;
}

class RecentMap {
  private readonly map = new Map<string, Ring>();
  constructor(
    private readonly keep: number,
    private readonly cap: number,
  ) {}

  add(key: string, seq: number, account: string): void {
    let r = this.map.get(key);
    if (r === undefined) {
      if (this.map.size >= this.cap) this.map.delete(this.map.keys().next().value as string);
      r = { seqs: [seq], accounts: [account], head: 0 };
      this.map.set(key, r);
      return;
    }
    if (r.seqs.length < this.keep) {
      r.seqs.push(seq);
      r.accounts.push(account);
      return;
    }
    r.seqs[r.head] = seq;
    r.accounts[r.head] = account;
    r.head = r.head + 1 === this.keep ? 0 : r.head + 1;
  }

  get(key: string): Recent | undefined {
    const r = this.map.get(key);
    if (r === undefined) return undefined;
    if (r.head === 0) return { seqs: [...r.seqs], accounts: [...r.accounts] };
    return {
      seqs: [...r.seqs.slice(r.head), ...r.seqs.slice(0, r.head)],
      accounts: [...r.accounts.slice(r.head), ...r.accounts.slice(0, r.head)],
    };
  }

  get size(): number {
    return this.map.size;
  }
}

/** Recent payments by account, merchant code, terminal and device. */
export class ActivityIndex implements FeedConsumer {
  readonly name = 'evidence-index';
  readonly accounts = new RecentMap(RECENT.account, KEY_CAP.account);
  readonly merchants = new RecentMap(RECENT.merchant, KEY_CAP.merchant);
  readonly terminals = new RecentMap(RECENT.terminal, KEY_CAP.terminal);
  readonly devices = new RecentMap(RECENT.device, KEY_CAP.device);

  constructor(private readonly engine: Engine) {}

  consume(entry: FeedEntry): void {
    const e = entry.event;
    if (e.type !== 'transaction') return;
    // the engine's copies of the ids: the index keeps no string of its own per payment
    const account = this.engine.accounts.get(e.accountId)?.id ?? e.accountId;
    const seq = entry.seq;
    this.accounts.add(account, seq, account);
    this.merchants.add(this.engine.reference.merchants.get(e.merchantId)?.id ?? e.merchantId, seq, account);
    this.terminals.add(this.engine.reference.terminals.get(e.terminalId)?.id ?? e.terminalId, seq, account);
    if (e.deviceId !== undefined) this.devices.add(e.deviceId, seq, account);
  }

  /** Seqs of the latest payments of a subject, oldest first. */
  recent(kind: 'account' | 'merchant' | 'terminal' | 'device', id: string): Recent {
    const map = kind === 'account' ? this.accounts : kind === 'merchant' ? this.merchants : kind === 'terminal' ? this.terminals : this.devices;
    return map.get(id) ?? { seqs: [], accounts: [] };
  }

  /** Keys held, for status. */
  sizes(): Record<string, number> {
    return { accounts: this.accounts.size, merchants: this.merchants.size, terminals: this.terminals.size, devices: this.devices.size };
  }
}
