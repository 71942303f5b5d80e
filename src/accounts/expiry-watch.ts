/**
 * Tells when an account's restriction ends by itself: a freeze, a lowered limit or a step-up with an
 * expiry is lifted by event time (the decisions compare each payment's time with it), and nothing
 * else would say so. Each end the stream's clock passes — still in force until then, not lifted by
 * hand first — is written to the audit log as `account.expire` by `system:expiry`, the restrictions
 * before and after, which webhooks deliver as `account.restored`. Where it stands is an event time
 * kept with the followers' cursors, advanced in the same transaction as the entries it writes, so
 * each end is told once, across restarts too.
 */
import type { AuditRecord } from '../audit/log.js';
import { inForce, NO_RESTRICTIONS, type Hold, type Restrictions } from './types.js';

/** The actor of the entries. */
export const EXPIRY_ACTOR = 'system:expiry';
/** The cursor's name among the followers' cursors. */
const CURSOR = 'account_expiries';

/** What the watch needs. */
export interface ExpiryWatchDeps {
  /** Every account's restrictions as folded from its actions. */
  readonly states: () => Iterable<[string, Restrictions]>;
  /** The stream's clock (event time); -Infinity before the first event. */
  readonly now: () => number;
  readonly cursors: { seqOf(name: string): number | null; advance(name: string, seq: number): void; tryTransaction(fn: () => void): boolean };
  readonly append: (r: AuditRecord) => void;
}

/** The watch; `check` runs it (the accounts module calls it every second). */
export class ExpiryWatch {
  /** The earliest end after the cursor, or -Infinity when unknown (an action changed something). */
  private nextEnd = -Infinity;

  constructor(private readonly d: ExpiryWatchDeps) {
    // a data folder new to the watch: ends before now were not told then and are not now
    if (d.cursors.seqOf(CURSOR) === null) {
      const now = d.now();
      d.cursors.advance(CURSOR, Number.isFinite(now) ? now : 0);
    }
  }

  /** Something changed an account's restrictions: look again at the next check. */
  changed(): void {
    this.nextEnd = -Infinity;
  }

  /**
   * Writes an entry for every end in (cursor, now]; returns how many. Writes only when something
   * ended, and never waits for the write lock: when another connection holds it, nothing is written
   * and the next check tries again.
   */
  check(): number {
    const now = this.d.now();
    if (!Number.isFinite(now)) return 0;
    const from = this.d.cursors.seqOf(CURSOR) ?? now;
    if (now <= from || now < this.nextEnd) return 0;
    const entries: AuditRecord[] = [];
    let next = Infinity;
    for (const [accountId, r] of this.d.states()) {
      const due: string[] = [];
      for (const [kind, h] of [['freeze', r.frozen], ['step_up', r.stepUp], ['lower_limit', r.limit]] as const) {
        const end = endOf(h);
        if (end === null || end <= from) continue;
        if (end <= now) due.push(kind);
        else next = Math.min(next, end);
      }
      if (due.length === 0) continue;
      const atEnd = inForce(r, now);
      entries.push({
        actor: EXPIRY_ACTOR,
        action: 'account.expire',
        target: `accounts/${accountId}`,
        before: { restrictions: r },
        after: { restrictions: atEnd === r ? NO_RESTRICTIONS : atEnd, ended: due, eventTime: now },
      });
    }
    if (entries.length === 0) {
      // nothing ended in (from, now]: the cursor may stay, the next look starts at the next end
      this.nextEnd = next;
      return 0;
    }
    const written = this.d.cursors.tryTransaction(() => {
      for (const e of entries) this.d.append(e);
      this.d.cursors.advance(CURSOR, now);
    });
    if (!written) return 0;
    this.nextEnd = next;
    return entries.length;
  }
}

function endOf(h: Hold | null): number | null {
  return h === null ? null : h.expiresAt;
}
