/**
 * Which account actions make sense now: setting a restriction the account does not have (or
 * replacing one), lifting only what is in force, restoring only when something is. The server
 * answers 409 to lifting what is not in force; the console does not offer it.
 */
import type { AccountAction, Restrictions } from '../../api/types';

/** Every action, in the order the buttons show. */
export const ACTION_ORDER: readonly AccountAction[] = ['freeze', 'unfreeze', 'lower_limit', 'restore_limit', 'require_step_up', 'lift_step_up', 'restore'];

/** The fields an action's form asks for besides its reason. */
export function actionFields(a: AccountAction): { limit: boolean; expiry: boolean } {
  return { limit: a === 'lower_limit', expiry: a === 'freeze' || a === 'lower_limit' || a === 'require_step_up' };
}

/** The actions available on an account with restrictions `r`. */
export function availableActions(r: Restrictions): AccountAction[] {
  const ok: Record<AccountAction, boolean> = {
    freeze: r.frozen === null,
    unfreeze: r.frozen !== null,
    lower_limit: true,
    restore_limit: r.limit !== null,
    require_step_up: r.stepUp === null,
    lift_step_up: r.stepUp !== null,
    restore: [r.frozen, r.limit, r.stepUp].filter((h) => h !== null).length >= 2,
  };
  return ACTION_ORDER.filter((a) => ok[a]);
}

/**
 * The body of an action from its form: the reason trimmed, the limit from yuan (`1,234.5`) to fen,
 * the expiry from a local `datetime-local` value read as Asia/Shanghai time. Returns the field in
 * error instead when one does not parse.
 */
export function actionBody(
  action: AccountAction,
  form: { reason: string; limitYuan: string; expires: string },
): { body: Record<string, unknown> } | { field: 'reason' | 'limit' | 'expires' } {
  const reason = form.reason.trim();
  if (reason === '') return { field: 'reason' };
  const body: Record<string, unknown> = { action, reason };
  const f = actionFields(action);
  if (f.limit) {
    const yuan = form.limitYuan.replace(/[,\s¥]/g, '');
    if (!/^\d+(\.\d{1,2})?$/.test(yuan)) return { field: 'limit' };
    const [whole = '0', cents = ''] = yuan.split('.');
    body.limit = Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  }
  if (f.expiry && form.expires !== '') {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(:\d\d)?$/.exec(form.expires);
    if (m === null) return { field: 'expires' };
    body.expiresAt = `${m[1]}${m[2] ?? ':00'}+08:00`;
  }
  return { body };
}
