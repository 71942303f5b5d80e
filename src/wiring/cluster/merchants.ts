/**
 * Merchant actions on a cluster (docs/scale-out.md, "Control entries"): any node checks and records
 * a settlement hold, a terminal suspension or a release in PostgreSQL with its audit record, with the
 * embedded server's checks and answers; the partition's owner places it in the journal as an `input`
 * entry (opened, and again when released), where every node's engine applies it.
 */
import { checkedAction, EXPIRY, liveAt, viewOf, type ActionResult, type ActionView } from '../../merchants/actions.js';
import type { MerchantAction } from '../../merchants/store.js';
import type { Engine } from '../../engine/engine.js';
import { ConflictError } from '../../errors.js';
import type { PgAuditLog } from '../../store/postgres/audit.js';
import type { PgMerchantStore } from '../../store/postgres/merchants.js';

/** How long an action waits for the owner to place it before answering `effective: false`. */
const PLACE_WAIT_MS = 3000;

/** What an action answers on a cluster: as on a data folder, and whether the next decision sees it yet. */
export interface ClusterActionResult extends ActionResult {
  readonly effective: boolean;
}

/** The merchant actions of a cluster node. */
export class ClusterMerchantActions {
  constructor(
    private readonly store: PgMerchantStore,
    private readonly audit: PgAuditLog,
    /** This node's engine of the partition (reference data, the policy that would enforce an action). */
    private readonly engine: () => Engine,
    /** Where this node's engine stood (recorded with the action; its journal position is its placement). */
    private readonly appliedSeq: () => number,
    /** Tells the partition's owner something was recorded (it also polls). */
    private readonly announce: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the action of `body` on `merchantId` for `actor`, answered once placed (or after a few seconds, `effective: false`). */
  async act(merchantId: string, body: unknown, actor: string): Promise<ClusterActionResult> {
    const now = this.now();
    const { name, reason, terminalId, expiresAt } = checkedAction(this.engine(), merchantId, body, now);
    const seq = this.appliedSeq();
    const s = this.store;
    const { result, placed } = await s.transaction(async () => {
      switch (name) {
        case 'hold_settlement':
        case 'suspend_terminal': {
          const hold = name === 'hold_settlement';
          await this.expireOpen(hold ? await s.openHoldOf(merchantId) : await s.openSuspensionOf(terminalId!), now, hold ? 'hold' : 'suspension', hold ? merchantId : terminalId!, seq);
          const a = await s.insert({ merchantId, action: name, terminalId, reason, actor, createdAt: now, fromSeq: seq, expiresAt });
          await this.audit.append({
            actor,
            action: hold ? 'merchant.hold' : 'merchant.terminal.suspend',
            target: hold ? `merchants/${merchantId}` : `merchants/${merchantId}/terminals/${terminalId}`,
            before: null,
            after: viewOf(a, now),
          });
          return { result: { action: viewOf(a, now), before: null }, placed: ['merchant_action', a.id] as const };
        }
        case 'release':
        case 'release_terminal': {
          const hold = name === 'release';
          const open = liveAt(hold ? await s.openHoldOf(merchantId) : await s.openSuspensionOf(terminalId!), now);
          if (open === undefined) throw new ConflictError(hold ? `merchant ${merchantId} has no settlement hold in force; nothing to release` : `terminal ${terminalId} is not suspended; nothing to release`);
          const a = await s.closeAction(open.id, now, actor, reason, seq);
          await this.audit.append({
            actor,
            action: hold ? 'merchant.release' : 'merchant.terminal.release',
            target: hold ? `merchants/${merchantId}` : `merchants/${merchantId}/terminals/${terminalId}`,
            before: viewOf(open, now),
            after: viewOf(a, now),
          });
          return { result: { action: viewOf(a, now), before: viewOf(open, now) }, placed: ['merchant_release', a.id] as const };
        }
      }
    });
    this.announce();
    const until = Date.now() + PLACE_WAIT_MS;
    let effective = false;
    while (!effective) {
      effective = (await s.placementOf(placed[0], placed[1], 0)) !== null;
      if (effective || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { ...result, effective };
  }

  /** A merchant's actions in force now (wall clock), newest first. */
  async active(merchantId: string): Promise<ActionView[]> {
    return (await this.history(merchantId)).filter((a) => a.status === 'active');
  }

  /** A merchant's actions, newest first. */
  async history(merchantId: string, limit = 100): Promise<ActionView[]> {
    const now = this.now();
    return (await this.store.history(merchantId, limit)).map((a) => viewOf(a, now));
  }

  /** A new action on a target whose open one has expired closes that one as expired; one in force is a conflict. */
  private async expireOpen(open: MerchantAction | undefined, now: number, what: string, target: string, seq: number): Promise<void> {
    if (open === undefined) return;
    if (liveAt(open, now) !== undefined) {
      throw new ConflictError(`${target} has a ${what} in force since ${new Date(open.createdAt).toISOString()} by ${open.actor} (${open.reason}); release it first`);
    }
    await this.store.closeAction(open.id, now, EXPIRY.by, EXPIRY.reason, seq);
  }
}
