/**
 * Which audit entries tell a customer something, and with which values: account restrictions set
 * and lifted (by hand, by a rule, or at their end by event time) and appeals decided. Pure: the
 * notice writer reads the audit log after its cursor and asks this for each entry.
 */
import type { AuditEntry } from '../audit/log.js';
import { formatShanghai } from '../contract/time.js';
import { yuan } from '../accounts/messages.js';
import type { NoticeKind, NoticeLang, NoticeValues } from './templates.js';

/** A notice to write: whose, what kind, and what fills the template. */
export interface NoticeDue {
  readonly accountId: string;
  readonly kind: NoticeKind;
  readonly values: NoticeValues;
  /** The end shown as `{until}`, epoch ms; null for until further notice. */
  readonly until: number | null;
}

const ON_ACTION: Readonly<Record<string, NoticeKind>> = {
  'account.freeze': 'account_frozen',
  'account.lower_limit': 'limit_lowered',
  'account.require_step_up': 'step_up_required',
  'account.unfreeze': 'account_unfrozen',
  'account.restore_limit': 'limit_restored',
  'account.lift_step_up': 'step_up_lifted',
  'account.restore': 'restrictions_lifted',
};

const ON_END: Readonly<Record<string, NoticeKind>> = { freeze: 'account_unfrozen', lower_limit: 'limit_restored', step_up: 'step_up_lifted' };

/** The hold of each setting action in an entry's `after.restrictions`. */
const HOLD_OF: Readonly<Record<string, string>> = { 'account.freeze': 'frozen', 'account.lower_limit': 'limit', 'account.require_step_up': 'stepUp' };

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (typeof x === 'object' && x !== null ? (x as Obj) : {});

/** The notices entry `e` calls for (none for most entries). */
export function noticesOfAudit(e: AuditEntry): NoticeDue[] {
  if (!e.target.startsWith('accounts/')) return [];
  const accountId = e.target.slice('accounts/'.length);
  const after = obj(e.after);
  const kind = ON_ACTION[e.action];
  if (kind !== undefined) {
    const hold = HOLD_OF[e.action] === undefined ? null : obj(obj(after.restrictions)[HOLD_OF[e.action]]);
    const until = hold === null || typeof hold.expiresAt !== 'number' ? null : hold.expiresAt;
    const values: Record<string, string> = { accountId };
    if (typeof after.effectiveLimit === 'number') values.limit = yuan(after.effectiveLimit);
    return [{ accountId, kind, values, until }];
  }
  if (e.action === 'account.expire' && Array.isArray(after.ended)) {
    return after.ended.flatMap((x) => (typeof x === 'string' && ON_END[x] !== undefined ? [{ accountId, kind: ON_END[x], values: { accountId }, until: null }] : []));
  }
  if (e.action === 'account.appeal_decide') {
    return [{ accountId, kind: after.upheld === true ? 'appeal_upheld' : 'appeal_rejected', values: { accountId }, until: null }];
  }
  return [];
}

/** `{until}` in a language: the end in Shanghai time, or "until further notice". */
export function untilText(until: number | null, lang: NoticeLang): string {
  if (until === null) return lang === 'zh-CN' ? '另行通知' : 'until further notice';
  const t = formatShanghai(until).slice(0, 16).replace('T', ' ');
  return lang === 'zh-CN' ? `北京时间${t}` : `until ${t} (Beijing time)`;
}
