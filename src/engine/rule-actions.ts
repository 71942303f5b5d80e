/**
 * Rule actions as the engine takes them: when a rule with actions fires on a live decision, each
 * action goes on the engine's memory at once — the account's restriction, the merchant's hold, the
 * terminal's suspension, a list entry — so the very next decision sees it, and is named in the
 * decision (journaled with it). The server's recorder (automation/recorder.ts) then stores it as
 * an account, merchant or list action taken by `rule:<NAME>`, audited, after which it is an ordinary
 * action an admin can lift; until then it is "pending" here, and an admin's change of the same
 * account meanwhile keeps it (applyTo merges it back).
 *
 * Caps: at most `perHour` actions of all rules and `perRulePerHour` of one rule per hour of event
 * time; past a cap an action is not taken but named in the decision as capped (the recorder raises
 * an alert). An action that would change nothing — a freeze on an account frozen longer already —
 * is not taken and not counted.
 *
 * A replay of the journal re-decides nothing here: it counts the journaled actions against the caps
 * (`replayed`) and leaves their effects to the stored records, applied at their journal positions.
 */
import { formatShanghai } from '../contract/time.js';
import type { TransactionEvent } from '../contract/events.js';
import { AccountRestriction } from '../features/account-restriction.js';
import type { AccountState } from '../features/account-state.js';
import type { ListLookup } from '../features/vector.js';
import type { ActionKind, ListSubject } from '../rules/actions.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { MerchantControls } from './merchant-controls.js';

/** An action a rule took on a decision (or would have, past a cap). */
export interface TakenAction {
  readonly rule: string;
  readonly action: ActionKind;
  /** The account, merchant or terminal acted on, or the value put on the list. */
  readonly target: string;
  /** Event time (epoch ms) it ends; null for until lifted. */
  readonly until: number | null;
  /** lower_limit: the lowered limit in fen. */
  readonly limit?: number;
  /** add_to_list: the list. */
  readonly list?: string;
  /** Not taken: a cap was reached. */
  readonly capped?: true;
}

/** The id a merchant control taken by a rule carries until the recorder stores it (store ids are positive). */
export const PENDING_CONTROL_ID = -1;

const HOUR_MS = 3_600_000;

/** Caps, pending effects and the taking of actions for one engine. */
export class RuleActions {
  private hour = -Infinity;
  private total = 0;
  private readonly perRule = new Map<string, number>();
  /** Restrictions rules set on accounts that the recorder has not stored yet: account → payment → what it set. */
  private readonly pendingAccounts = new Map<string, Map<string, AccountRestriction>>();
  /** List entries rules added that the recorder has not stored yet: list → value → end (Infinity: never). */
  private readonly pendingLists = new Map<string, Map<string, number>>();

  /** `base` with the entries rules added and not yet stored: what `in_list()` reads. */
  lists(base: ListLookup): ListLookup {
    const pending = this.pendingLists;
    return {
      has: (list, value, atMs) => {
        if (base.has(list, value, atMs)) return true;
        if (pending.size === 0) return false;
        const end = pending.get(list)?.get(value);
        return end !== undefined && atMs < end;
      },
    };
  }

  /**
   * Takes the actions of the rules in `hits[0..count)` for payment `tx` of account `acc`; returns
   * them (taken and capped), or null when none acted. Only called when the policy has actions.
   */
  take(p: CompiledPolicy, hits: Int32Array, count: number, tx: TransactionEvent, acc: AccountState, controls: MerchantControls, lists: ListLookup): TakenAction[] | null {
    let out: TakenAction[] | null = null;
    for (let i = 0; i < count; i++) {
      const rule = p.rules[hits[i]];
      for (const a of rule.actions) {
        const until = a.forMs === null ? null : tx.t + a.forMs;
        const end = until ?? Infinity;
        let taken: TakenAction | null = null;
        switch (a.kind) {
          case 'freeze_account':
          case 'require_step_up': {
            const r = acc.restriction;
            const current = r === null ? NaN : a.kind === 'freeze_account' ? r.frozenUntil : r.stepUpUntil;
            if (current >= end) break;
            taken = { rule: rule.name, action: a.kind, target: acc.id, until };
            break;
          }
          case 'lower_limit': {
            const cap = a.limit === null ? NaN : 'fen' in a.limit ? a.limit.fen : Math.floor((acc.creditLimit * a.limit.percent) / 100);
            if (!(cap > 0)) break; // a share of a limit the stream never registered
            const r = acc.restriction;
            if (r !== null && tx.t < r.limitUntil && r.limitCap <= cap) break;
            taken = { rule: rule.name, action: a.kind, target: acc.id, until, limit: cap };
            break;
          }
          case 'hold_settlement':
            if (controls.holdEnd(tx.merchantId) >= end) break;
            taken = { rule: rule.name, action: a.kind, target: tx.merchantId, until };
            break;
          case 'suspend_terminal':
            if (controls.suspensionEnd(tx.terminalId) >= end) break;
            taken = { rule: rule.name, action: a.kind, target: tx.terminalId, until };
            break;
          case 'add_to_list': {
            const value = subjectOf(tx, a.subject ?? 'account');
            if (value === undefined || a.list === null || lists.has(a.list, value, tx.t)) break;
            taken = { rule: rule.name, action: a.kind, target: value, until, list: a.list };
            break;
          }
        }
        if (taken === null) continue;
        if (!this.admit(rule.name, tx.t, p)) taken = { ...taken, capped: true };
        else this.apply(taken, tx.id, acc, controls);
        (out ??= []).push(taken);
      }
    }
    return out;
  }

  /** Counts a journaled decision's actions against the caps (a replay takes nothing itself). */
  replayed(actions: readonly { readonly rule: string; readonly capped?: boolean }[], t: number): void {
    for (const a of actions) if (a.capped !== true) this.count(a.rule, t);
  }

  /** `r` with the account's pending rule restrictions on top: what an outside change sets (see the file comment). */
  applyTo(accountId: string, r: AccountRestriction | null): AccountRestriction | null {
    const p = this.pendingAccounts.get(accountId);
    if (p === undefined) return r;
    let out = r;
    for (const part of p.values()) out = merge(out, part);
    return out;
  }

  /** The recorder stored what rules did to `accountId` on payment `txId` (its restriction now comes from the store). */
  accountStored(accountId: string, txId: string): void {
    const p = this.pendingAccounts.get(accountId);
    if (p === undefined) return;
    p.delete(txId);
    if (p.size === 0) this.pendingAccounts.delete(accountId);
  }

  /** The recorder stored `value` on `list`. */
  listEntryStored(list: string, value: string): void {
    const m = this.pendingLists.get(list);
    if (m === undefined) return;
    m.delete(value);
    if (m.size === 0) this.pendingLists.delete(list);
  }

  /** True while some rule action waits for the recorder. */
  get pending(): boolean {
    return this.pendingAccounts.size > 0 || this.pendingLists.size > 0;
  }

  private admit(rule: string, t: number, p: CompiledPolicy): boolean {
    this.roll(t);
    if (this.total >= p.actionCaps.perHour || (this.perRule.get(rule) ?? 0) >= p.actionCaps.perRulePerHour) return false;
    this.count(rule, t);
    return true;
  }

  private count(rule: string, t: number): void {
    this.roll(t);
    this.total++;
    this.perRule.set(rule, (this.perRule.get(rule) ?? 0) + 1);
  }

  /** A new hour of event time starts the counts again (a late event counts in the hour under way). */
  private roll(t: number): void {
    const h = Math.floor(t / HOUR_MS);
    if (h <= this.hour) return;
    this.hour = h;
    this.total = 0;
    this.perRule.clear();
  }

  private apply(a: TakenAction, txId: string, acc: AccountState, controls: MerchantControls): void {
    const end = a.until ?? Infinity;
    switch (a.action) {
      case 'freeze_account':
      case 'require_step_up':
      case 'lower_limit': {
        const part = new AccountRestriction();
        if (a.action === 'freeze_account') part.frozenUntil = end;
        else if (a.action === 'require_step_up') part.stepUpUntil = end;
        else {
          part.limitCap = a.limit ?? NaN;
          part.limitUntil = end;
        }
        let p = this.pendingAccounts.get(acc.id);
        if (p === undefined) this.pendingAccounts.set(acc.id, (p = new Map()));
        p.set(txId, merge(p.get(txId) ?? null, part));
        acc.restriction = merge(acc.restriction, part);
        break;
      }
      case 'hold_settlement':
        controls.hold(a.target, { id: PENDING_CONTROL_ID, expiresAt: end });
        break;
      case 'suspend_terminal':
        controls.suspend(a.target, { id: PENDING_CONTROL_ID, expiresAt: end });
        break;
      case 'add_to_list': {
        const list = a.list ?? '';
        let m = this.pendingLists.get(list);
        if (m === undefined) this.pendingLists.set(list, (m = new Map()));
        m.set(a.target, end);
        break;
      }
    }
  }
}

/** What of payment `tx` goes on a list for `subject` (undefined when the payment does not carry it). */
function subjectOf(tx: TransactionEvent, subject: ListSubject): string | undefined {
  switch (subject) {
    case 'account':
      return tx.accountId;
    case 'device':
      return tx.deviceId;
    case 'ip':
      return tx.ip;
    case 'merchant':
      return tx.merchantId;
    case 'terminal':
      return tx.terminalId;
  }
}

/** `b` laid over `a`: each restriction `b` sets replaces `a`'s (a new object; neither changes). */
function merge(a: AccountRestriction | null, b: AccountRestriction): AccountRestriction {
  const m = new AccountRestriction();
  if (a !== null) Object.assign(m, a);
  if (!Number.isNaN(b.frozenUntil)) m.frozenUntil = b.frozenUntil;
  if (!Number.isNaN(b.stepUpUntil)) m.stepUpUntil = b.stepUpUntil;
  if (!Number.isNaN(b.limitCap)) {
    m.limitCap = b.limitCap;
    m.limitUntil = b.limitUntil;
  }
  return m;
}

/**
 * An action as the decision names it (and the journal keeps it): `until` in Shanghai time, the
 * optional parts only where they apply, so the decision's JSON is JSON.stringify of it.
 */
export interface DecisionAction {
  readonly rule: string;
  readonly action: ActionKind;
  readonly target: string;
  readonly until: string | null;
  readonly limit?: number;
  readonly list?: string;
  readonly capped?: true;
}

/** `a` as the decision carries it. */
export function decisionAction(a: TakenAction): DecisionAction {
  const d: { -readonly [K in keyof DecisionAction]: DecisionAction[K] } = {
    rule: a.rule,
    action: a.action,
    target: a.target,
    until: a.until === null ? null : formatShanghai(a.until),
  };
  if (a.limit !== undefined) d.limit = a.limit;
  if (a.list !== undefined) d.list = a.list;
  if (a.capped === true) d.capped = true;
  return d;
}
