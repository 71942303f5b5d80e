/**
 * Which audit entries are webhook events, and what they carry. Pure: the dispatcher reads the audit
 * log after its cursor and asks this for each entry. The data is what the audit entry recorded —
 * who, what, the state before and after — so a receiver sees what the account or merchant view
 * shows, without a second call.
 */
import type { AuditEntry } from '../audit/log.js';
import type { WebhookEventType } from './types.js';

const RESTRICTING = new Set(['account.freeze', 'account.lower_limit', 'account.require_step_up']);
const RESTORING = new Set(['account.unfreeze', 'account.restore_limit', 'account.lift_step_up', 'account.restore', 'account.expire']);
const MERCHANT = new Set(['merchant.hold', 'merchant.release', 'merchant.terminal.suspend', 'merchant.terminal.release']);

/** A webhook event before it is addressed to subscriptions. */
export interface WebhookEvent {
  /** `evt_<audit seq>`: one audit entry is at most one event. */
  readonly id: string;
  readonly type: WebhookEventType;
  /** The audit entry's time. */
  readonly createdAt: number;
  readonly data: Record<string, unknown>;
}

/** The part of `target` after `prefix` (`accounts/A1` → `A1`), or the whole target. */
function idAfter(target: string, prefix: string): string {
  return target.startsWith(prefix) ? target.slice(prefix.length) : target;
}

/** The event `e` is, or null when it is none. */
export function eventOfAudit(e: AuditEntry): WebhookEvent | null {
  const base = { auditSeq: e.seq, actor: e.actor, action: e.action };
  let type: WebhookEventType;
  let data: Record<string, unknown>;
  if (RESTRICTING.has(e.action) || RESTORING.has(e.action)) {
    type = RESTRICTING.has(e.action) ? 'account.restricted' : 'account.restored';
    data = { ...base, accountId: idAfter(e.target, 'accounts/'), before: e.before, after: e.after };
  } else if (e.action === 'case.open') {
    type = 'case.opened';
    data = { ...base, caseId: idAfter(e.target, 'cases/'), case: e.after };
  } else if (e.action === 'case.resolve') {
    type = 'case.resolved';
    data = { ...base, caseId: idAfter(e.target, 'cases/'), before: e.before, after: e.after };
  } else if (MERCHANT.has(e.action)) {
    type = 'merchant.action';
    data = { ...base, merchantId: idAfter(e.target, 'merchants/').split('/')[0], target: e.target, before: e.before, after: e.after };
  } else if (e.action === 'account.appeal_decide') {
    type = 'appeal.decided';
    data = { ...base, accountId: idAfter(e.target, 'accounts/'), ...(e.after as Record<string, unknown>) };
  } else if (e.action === 'notice.issue') {
    type = 'customer.notice';
    data = { ...base, accountId: idAfter(e.target, 'accounts/'), notice: e.after };
  } else if (e.action === 'alert.raise') {
    type = 'alert.raised';
    data = { ...base, alertId: Number(idAfter(e.target, 'alerts/')), alert: e.after };
  } else return null;
  return { id: `evt_${e.seq}`, type, createdAt: e.at, data };
}

/** The JSON body a delivery sends: `{id, type, createdAt, data}` (createdAt as ISO 8601). */
export function eventBody(ev: WebhookEvent): string {
  return JSON.stringify({ id: ev.id, type: ev.type, createdAt: new Date(ev.createdAt).toISOString(), data: ev.data });
}
