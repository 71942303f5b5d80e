/**
 * Merchant actions: hold a merchant's settlement, suspend one of its terminals, release either.
 * Checked in one order (bad input, unknown merchant or terminal, a state that forbids it — each a
 * clear error that changes nothing), then stored with its audit record in one transaction, then
 * applied to the engine's controls, where the very next decision sees it: the default policy
 * (rules/07-actions.fk) declines a suspended terminal's payments with TERMINAL_SUSPENDED and
 * reviews a held merchant's with MERCHANT_SETTLEMENT_HELD.
 */
import { parseTimestamp } from '../contract/time.js';
import type { Engine } from '../engine/engine.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { AuditLog } from '../audit/log.js';
import type { MerchantAction, MerchantActionStore } from './store.js';

/** Reason code of the rule declining a suspended terminal's payments. */
export const SUSPENDED_REASON = 'TERMINAL_SUSPENDED';
/** Reason code of the rule reviewing a held merchant's payments. */
export const HELD_REASON = 'MERCHANT_SETTLEMENT_HELD';

/** What POST /v1/merchants/{id}/actions takes. */
export type ActionName = 'hold_settlement' | 'suspend_terminal' | 'release' | 'release_terminal';
export const ACTION_NAMES: readonly ActionName[] = ['hold_settlement', 'suspend_terminal', 'release', 'release_terminal'];
/** Actions an analyst may take (holding is protective and customers still pay); everything else is admin's. */
export const ANALYST_ACTIONS: readonly ActionName[] = ['hold_settlement'];

/** Longest reason. */
export const MAX_REASON = 500;


/** An action as the API shows it. */
export interface ActionView extends MerchantAction {
  readonly status: 'active' | 'released' | 'expired';
}

/** The view of a stored action at wall time `now`. */
export function viewOf(a: MerchantAction, now: number): ActionView {
  const status = a.releasedAt !== null ? (a.releaseReason === EXPIRED ? 'expired' : 'released') : a.expiresAt !== null && a.expiresAt <= now ? 'expired' : 'active';
  return { ...a, status };
}

const EXPIRED = 'expired';
const SYSTEM = 'system:expiry';
/** Who closes an action that expired, and the reason recorded (a cluster node closes them too). */
export const EXPIRY = { by: SYSTEM, reason: EXPIRED } as const;

type Raw = Record<string, unknown>;

/** The action named by a body (checked first: the role allowed depends on it). */
export function actionOf(body: unknown): ActionName {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('body', 'a JSON object {action, reason, terminalId?, expiresAt?}');
  const a = (body as Raw).action;
  if (typeof a !== 'string' || !(ACTION_NAMES as readonly string[]).includes(a)) {
    throw new InputError('action', `one of ${ACTION_NAMES.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  return a as ActionName;
}

function reasonOf(o: Raw): string {
  const r = o.reason;
  if (typeof r !== 'string' || r.trim() === '' || r.length > MAX_REASON) throw new InputError('reason', `why, in 1–${MAX_REASON} characters`);
  return r;
}

function terminalOf(o: Raw): string {
  const t = o.terminalId;
  if (typeof t !== 'string' || t.length === 0 || t.length > 128) throw new InputError('terminalId', 'the id of one of the merchant\'s terminals');
  return t;
}

function expiryOf(o: Raw, now: number): number | null {
  const v = o.expiresAt;
  if (v === undefined || v === null) return null;
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? safeParse(v) : NaN;
  if (!Number.isSafeInteger(Math.floor(ms)) || ms <= 0) {
    throw new InputError('expiresAt', 'epoch milliseconds or an ISO 8601 timestamp with offset, like 2026-12-31T23:59:59+08:00, or null for no expiry');
  }
  if (ms <= now) throw new InputError('expiresAt', `a time in the future: ${new Date(ms).toISOString()} has expired already`);
  return Math.floor(ms);
}

function safeParse(text: string): number {
  try {
    return parseTimestamp(text);
  } catch {
    return NaN;
  }
}

/** The result of one action. */
export interface ActionResult {
  /** The action taken, or for a release the action it closed. */
  readonly action: ActionView;
  readonly before: ActionView | null;
}

/** An action request, checked: its name, reason, terminal and expiry. */
export interface CheckedAction {
  readonly name: ActionName;
  readonly reason: string;
  readonly terminalId: string | null;
  readonly expiresAt: number | null;
}

/**
 * Checks `body` against `merchantId` in the file comment's order — bad input, unknown merchant or
 * terminal, a policy that would not enforce it — each a clear error that changes nothing. Shared by
 * a data folder's MerchantActions and a cluster node's.
 */
export function checkedAction(engine: Engine, merchantId: string, body: unknown, now: number): CheckedAction {
  const name = actionOf(body);
  const o = body as Raw;
  const reason = reasonOf(o);
  const terminalId = name === 'suspend_terminal' || name === 'release_terminal' ? terminalOf(o) : null;
  const expiresAt = name === 'hold_settlement' || name === 'suspend_terminal' ? expiryOf(o, now) : null;
  if (expiresAt === null && (name === 'release' || name === 'release_terminal') && o.expiresAt !== undefined && o.expiresAt !== null) {
    throw new InputError('expiresAt', 'no expiry on a release');
  }
  const ref = engine.reference;
  const m = ref.merchants.get(merchantId);
  if (m === undefined) throw new NotFoundError(`no merchant ${JSON.stringify(merchantId)} is registered`);
  if (terminalId !== null) {
    const t = ref.terminals.get(terminalId);
    if (t === undefined) throw new NotFoundError(`no terminal ${JSON.stringify(terminalId)} is registered`);
    if (t.merchantId !== merchantId) {
      throw new InputError('terminalId', `a terminal of merchant ${merchantId}; ${terminalId} is bound to ${t.merchantId}`);
    }
  }
  if (name === 'suspend_terminal') requireRule(engine, SUSPENDED_REASON, 'decline', 'a suspension would decline nothing');
  if (name === 'hold_settlement') requireRule(engine, HELD_REASON, 'review', "a hold would not review the merchant's payments");
  return { name, reason, terminalId, expiresAt };
}

/** Refuses an action the live policy would not enforce, rather than let it silently do nothing. */
function requireRule(engine: Engine, reason: string, outcome: 'decline' | 'review', why: string): void {
  const p = engine.currentPolicy;
  const ok = p.rules.some((r) => r.reason === reason && (r.outcome === outcome || r.outcome === 'decline' || (outcome === 'review' && r.outcome === 'challenge')));
  if (!ok) {
    throw new ConflictError(
      `the live policy "${p.name}" has no ${reason} rule (${outcome}); ${why}. Publish a policy version with rules/07-actions.fk`,
    );
  }
}

/** An open row that has not expired by `now`. */
export function liveAt(a: MerchantAction | undefined, now: number): MerchantAction | undefined {
  return a !== undefined && (a.expiresAt === null || a.expiresAt > now) ? a : undefined;
}

/** Validated, audited, immediately effective merchant actions. */
export class MerchantActions {
  /**
   * @param store the sync form: an action commits with its audit record at the journal position the
   * engine has applied, in one step, and the merchant page and the engine's side ask `active` and
   * `isSuspended` synchronously (a networked store needs those redesigned).
   * @param appliedSeq the journal seq of the last event the engine applied (DecisionService.appliedSeq):
   * an action counts from the next one, and is applied there again when the journal is replayed.
   */
  constructor(
    private readonly store: MerchantActionStore<'sync'>,
    private readonly engine: Engine,
    private readonly audit: AuditLog<'sync'>,
    private readonly appliedSeq: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the action of `body` on `merchantId` for `actor`; see the file comment for the checks. */
  act(merchantId: string, body: unknown, actor: string): ActionResult {
    const now = this.now();
    const t = this.clock();
    const { name, reason, terminalId, expiresAt } = checkedAction(this.engine, merchantId, body, now);
    const engine = this.engine;
    const seq = this.appliedSeq();
    return this.store.transaction(() => {
      switch (name) {
        case 'hold_settlement': {
          this.expireOpen(this.store.openHoldOf(merchantId), t, now, 'hold', merchantId);
          const a = this.store.insert({ merchantId, action: 'hold_settlement', terminalId: null, reason, actor, createdAt: now, fromSeq: seq, expiresAt });
          this.audit.append({ actor, action: 'merchant.hold', target: `merchants/${merchantId}`, before: null, after: viewOf(a, t) });
          engine.applyInput({ kind: 'hold_settlement', merchantId, control: { id: a.id, expiresAt: expiresAt ?? Infinity } });
          return { action: viewOf(a, t), before: null };
        }
        case 'suspend_terminal': {
          this.expireOpen(this.store.openSuspensionOf(terminalId!), t, now, 'suspension', terminalId!);
          const a = this.store.insert({ merchantId, action: 'suspend_terminal', terminalId, reason, actor, createdAt: now, fromSeq: seq, expiresAt });
          this.audit.append({ actor, action: 'merchant.terminal.suspend', target: `merchants/${merchantId}/terminals/${terminalId}`, before: null, after: viewOf(a, t) });
          engine.applyInput({ kind: 'suspend_terminal', terminalId: terminalId!, control: { id: a.id, expiresAt: expiresAt ?? Infinity } });
          return { action: viewOf(a, t), before: null };
        }
        case 'release': {
          const open = this.live(this.store.openHoldOf(merchantId), t);
          if (open === undefined) throw new ConflictError(`merchant ${merchantId} has no settlement hold in force; nothing to release`);
          const a = this.store.closeAction(open.id, now, actor, reason, seq);
          this.audit.append({ actor, action: 'merchant.release', target: `merchants/${merchantId}`, before: viewOf(open, t), after: viewOf(a, t) });
          engine.applyInput({ kind: 'release_settlement', merchantId, id: a.id });
          return { action: viewOf(a, t), before: viewOf(open, t) };
        }
        case 'release_terminal': {
          const open = this.live(this.store.openSuspensionOf(terminalId!), t);
          if (open === undefined) throw new ConflictError(`terminal ${terminalId} is not suspended; nothing to release`);
          const a = this.store.closeAction(open.id, now, actor, reason, seq);
          this.audit.append({ actor, action: 'merchant.terminal.release', target: `merchants/${merchantId}/terminals/${terminalId}`, before: viewOf(open, t), after: viewOf(a, t) });
          engine.applyInput({ kind: 'release_terminal', terminalId: terminalId!, id: a.id });
          return { action: viewOf(a, t), before: viewOf(open, t) };
        }
      }
    });
  }

  /**
   * Records a hold or a suspension taken by the system itself — a rule on a live decision (the
   * server's rule-action follower) or a detector's finding (automation/detector-actions.ts): stored
   * as taken by `actor` (`rule:<NAME>`, `detector:<name>`) from journal position `seq`, audited like
   * an admin's with `detail`, and put on the engine under its store id (replacing a rule's pending
   * control). An open action it outlasts is closed as superseded.
   */
  recordAutomatic(r: { seq: number; actor: string; reason: string; action: 'hold_settlement' | 'suspend_terminal'; target: string; merchantId: string; expiresAt: number | null; detail: Record<string, unknown> }): ActionView {
    const now = this.now();
    const t = this.clock();
    const { actor, reason } = r;
    const hold = r.action === 'hold_settlement';
    const merchantId = hold ? r.target : (this.engine.reference.terminals.get(r.target)?.merchantId ?? r.merchantId);
    const terminalId = hold ? null : r.target;
    return this.store.transaction(() => {
      // recorded once: a follower that re-reads entries after a failure finds what it stored then
      const done = this.store.history(merchantId, 50).find((a) => a.fromSeq === r.seq && a.actor === actor && a.action === r.action && a.terminalId === terminalId);
      if (done !== undefined) return viewOf(done, t);
      const open = hold ? this.store.openHoldOf(merchantId) : this.store.openSuspensionOf(r.target);
      if (open !== undefined) this.store.closeAction(open.id, now, actor, `superseded by ${reason}`.slice(0, MAX_REASON), r.seq);
      const a = this.store.insert({ merchantId, action: r.action, terminalId, reason, actor, createdAt: now, fromSeq: r.seq, expiresAt: r.expiresAt });
      const view = viewOf(a, t);
      const before = open === undefined ? null : viewOf(open, t);
      if (hold) {
        this.audit.append({ actor, action: 'merchant.hold', target: `merchants/${merchantId}`, before, after: { ...view, ...r.detail } });
        this.engine.applyInput({ kind: 'hold_settlement', merchantId, control: { id: a.id, expiresAt: r.expiresAt ?? Infinity } });
      } else {
        this.audit.append({ actor, action: 'merchant.terminal.suspend', target: `merchants/${merchantId}/terminals/${r.target}`, before, after: { ...view, ...r.detail } });
        this.engine.applyInput({ kind: 'suspend_terminal', terminalId: r.target, control: { id: a.id, expiresAt: r.expiresAt ?? Infinity } });
      }
      return view;
    });
  }

  /** A merchant's actions in force now (by the stream's clock), newest first. */
  active(merchantId: string): ActionView[] {
    const t = this.clock();
    return this.store.history(merchantId).map((a) => viewOf(a, t)).filter((a) => a.status === 'active');
  }

  /** A merchant's actions, newest first; read through the port of either kind. */
  async history(merchantId: string, limit = 100): Promise<ActionView[]> {
    const t = this.clock();
    return (await this.reader.history(merchantId, limit)).map((a) => viewOf(a, t));
  }

  /** The store as the history reads it: the port of either kind, awaited. */
  private get reader(): MerchantActionStore {
    return this.store;
  }

  /** Is `terminalId` suspended now (by the stream's clock)? */
  isSuspended(terminalId: string): boolean {
    return this.live(this.store.openSuspensionOf(terminalId), this.clock()) !== undefined;
  }

  /**
   * The time actions are judged in force at: the stream's clock (event time), as decisions judge
   * them — an action ending three days after the payment that set it reads as ended once the stream
   * is three days on — or the wall clock before any event.
   */
  private clock(): number {
    return this.engine.nowOr(this.now());
  }

  private live(a: MerchantAction | undefined, now: number): MerchantAction | undefined {
    return liveAt(a, now);
  }

  /** A new action on a target whose open one has expired (by `t`) closes that one as expired at `now`; one in force is a conflict. */
  private expireOpen(open: MerchantAction | undefined, t: number, now: number, what: string, target: string): void {
    if (open === undefined) return;
    if (this.live(open, t) !== undefined) {
      throw new ConflictError(
        `${target} has a ${what} in force since ${new Date(open.createdAt).toISOString()} by ${open.actor} (${open.reason}); release it first`,
      );
    }
    this.store.closeAction(open.id, now, SYSTEM, EXPIRED, this.appliedSeq());
  }
}
