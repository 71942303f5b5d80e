/**
 * Which merchant actions a key may take now (POST /v1/merchants/{id}/actions), from its permissions:
 * `hold` holds settlement (analysts); `act` also releases it and suspends or releases a terminal (admins). Only what makes sense for
 * the state in force is offered (the server answers 409 to the rest), and the body is built from the
 * form: the reason trimmed, the expiry of a `datetime-local` value read as Asia/Shanghai time.
 */
import type { WhoAmI } from '../../api/types';
import { allows } from '../../ui/nav';

/** A merchant action (the `action` of the request body). */
export type MerchantAction = 'hold_settlement' | 'release' | 'suspend_terminal' | 'release_terminal';

/** Whether the action takes an expiry. */
export function takesExpiry(a: MerchantAction): boolean {
  return a === 'hold_settlement' || a === 'suspend_terminal';
}

/** The merchant-level actions a key may take with settlement `held` or not: `hold` holds, `act` also releases. */
export function merchantActions(who: Pick<WhoAmI, 'permissions'>, held: boolean): MerchantAction[] {
  if (allows(who, 'act') && allows(who, 'hold')) return [held ? 'release' : 'hold_settlement'];
  if (allows(who, 'hold') && !held) return ['hold_settlement'];
  return [];
}

/** The terminal action a key may take on a terminal with `status` (it needs `hold` and `act`), or null. */
export function terminalAction(who: Pick<WhoAmI, 'permissions'>, status: 'in_service' | 'suspended'): MerchantAction | null {
  if (!allows(who, 'act') || !allows(who, 'hold')) return null;
  return status === 'suspended' ? 'release_terminal' : 'suspend_terminal';
}

/** The body of an action, or the field in error. */
export function merchantActionBody(
  action: MerchantAction,
  form: { reason: string; expires: string; terminalId?: string },
): { body: Record<string, unknown> } | { field: 'reason' | 'expires' } {
  const reason = form.reason.trim();
  if (reason === '') return { field: 'reason' };
  const body: Record<string, unknown> = { action, reason };
  if (action === 'suspend_terminal' || action === 'release_terminal') body.terminalId = form.terminalId;
  if (takesExpiry(action) && form.expires !== '') {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(:\d\d)?$/.exec(form.expires);
    if (m === null) return { field: 'expires' };
    body.expiresAt = `${m[1]}${m[2] ?? ':00'}+08:00`;
  }
  return { body };
}
