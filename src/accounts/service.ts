/**
 * Account actions, the two account views and appeals, in the one order that keeps memory and disk
 * in step: check the request (bad input throws, nothing changes), commit the action with its audit
 * record, then put the account's new restrictions on its engine memory, where the very next
 * decision reads them. The HTTP module (server/routes/accounts.ts) is a thin layer over this.
 */
import { formatShanghai } from '../contract/time.js';
import type { Engine } from '../engine/engine.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { AccountView } from '../features/account-state.js';
import type { AuditLog } from '../audit/log.js';
import { customerOutcome, OUTCOME_TEXT, restrictionText, STATUS_TEXT, yuan, type CustomerStatus, type Text } from './messages.js';
import { explainRating, type RatingExplained } from '../features/credit-rating.js';
import type { AccountStore, JournalPayment } from './store.js';
import type { TxIndex } from './tx-index.js';
import {
  foldAction,
  inForce,
  NO_RESTRICTIONS,
  toEngine,
  type AccountActionRecord,
  type AppealRecord,
  type Restrictions,
} from './types.js';
import { maxLimitOf, validateAction, validateAppeal } from './validate.js';

/** What an appeal opens a case with (the case service's OpenCaseInput, see src/cases). */
export interface AppealCaseInput {
  readonly subjectKind: 'account';
  readonly subjectId: string;
  readonly issue: 'appeal';
  readonly source: { readonly kind: 'appeal'; readonly ref?: string };
  readonly risk: number;
  readonly amount: number;
  readonly note?: string;
  readonly actor: string;
  /** The appealed payment: resolving the case labels it (legitimate, most often). */
  readonly txId?: string;
}

/** The part of the case service an appeal needs. */
export interface AppealCaseOpener {
  open(input: AppealCaseInput): { caseId: string; created: boolean };
}

/** What the service works with. */
export interface AccountServiceDeps {
  readonly engine: Engine;
  /**
   * The sync form: an action commits with its audit record and reaches the engine in one step, at the
   * journal position the engine has applied (a networked store needs that step redesigned).
   */
  readonly store: AccountStore<'sync'>;
  /** The audit log on the same connection as `store`, so a change and its record commit together. */
  readonly audit: AuditLog<'sync'>;
  /** Journal seq of the last event the engine applied: where an action takes effect. */
  readonly appliedSeq: () => number;
  /** Highest journal seq on disk: what the payment lists wait for. */
  readonly committedSeq: () => number;
  /** The payment index; null lists no payments. */
  readonly index: TxIndex | null;
  /** The case service, when the server has one (asked at each appeal). */
  readonly cases: () => AppealCaseOpener | undefined;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

/** Payments in the analyst's view. */
const RECENT_PAYMENTS = 20;
/** Actions and appeals in the analyst's view. */
const RECENT_ACTIONS = 20;
/** Default and largest page of the customer's transaction record. */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

interface TxEvent {
  id: string;
  ts: string;
  accountId: string;
  amount: number;
  currency?: string;
  merchantId: string;
  terminalId: string;
}

interface DecisionBody {
  outcome: string;
  score: number;
  reasons: { code: string }[];
  policy?: string;
}

/** Account actions, views and appeals over one engine and one store. */
export class AccountService {
  /** Every account that ever had an action: its restrictions as folded from the action history. */
  private readonly states = new Map<string, Restrictions>();
  private readonly now: () => number;

  /** The store as the views read it: through the port of either kind, awaited. */
  private readonly reader: AccountStore;

  constructor(private readonly d: AccountServiceDeps) {
    this.reader = d.store;
    this.now = d.now ?? Date.now;
    for (const a of d.store.allActions()) this.states.set(a.accountId, foldAction(this.states.get(a.accountId) ?? NO_RESTRICTIONS, a));
    // normally set already where the journal replay reached each action (replay.ts); this makes sure
    for (const [id, r] of this.states) d.engine.applyInput({ kind: 'restrict_account', accountId: id, restriction: toEngine(r) });
  }

  /** The engine's memory of a known account; NotFoundError for one never registered and never seen paying. */
  require(accountId: string): AccountView {
    const a = this.d.engine.account(accountId);
    if (a === undefined) {
      throw new NotFoundError(`account '${accountId}' is unknown: it was never registered and never made a payment`);
    }
    return a;
  }

  /** The restrictions of an account in force now (by the wall clock). */
  restrictions(accountId: string): Restrictions {
    return inForce(this.states.get(accountId) ?? NO_RESTRICTIONS, this.now());
  }

  /**
   * Takes an action from JSON `{action, reason, limit?, expiresAt?}`; effective from the very next
   * decision. Lifting what is not in force is a ConflictError; bad input an InputError.
   */
  act(accountId: string, body: unknown, actor: string): { action: AccountActionRecord; before: Restrictions; after: Restrictions } {
    const acc = this.require(accountId);
    const now = this.now();
    const input = validateAction(body, acc.creditLimit, now);
    const full = this.states.get(acc.id) ?? NO_RESTRICTIONS;
    const before = inForce(full, now);
    const nothing = (what: string): never => {
      throw new ConflictError(`account '${acc.id}' has no ${what} in force; nothing to lift`);
    };
    if (input.action === 'unfreeze' && before.frozen === null) nothing('freeze');
    if (input.action === 'lift_step_up' && before.stepUp === null) nothing('step-up requirement');
    if (input.action === 'restore_limit' && before.limit === null) nothing('lowered limit');
    if (input.action === 'restore' && before.frozen === null && before.stepUp === null && before.limit === null) nothing('restriction');
    let after: Restrictions = before;
    const record = this.d.store.addAction(
      { accountId: acc.id, ...input, author: actor, at: now, journalSeq: this.d.appliedSeq() },
      (stored) => {
        after = inForce(foldAction(full, stored), now);
        return {
          actor,
          action: `account.${stored.action}`,
          target: `accounts/${acc.id}`,
          before: { restrictions: before, effectiveLimit: this.limitUnder(acc, before) },
          after: { restrictions: after, effectiveLimit: this.limitUnder(acc, after), reason: stored.reason, actionId: stored.id },
        };
      },
      (r) => this.d.audit.append(r),
    );
    const folded = foldAction(full, record);
    this.states.set(acc.id, folded);
    this.d.engine.applyInput({ kind: 'restrict_account', accountId: acc.id, restriction: toEngine(folded) });
    return { action: record, before, after };
  }

  /** The analyst's view: registration, credit, restrictions, rating with drivers, devices, recent payments, actions, appeals. */
  async view(accountId: string): Promise<Record<string, unknown>> {
    const acc = this.require(accountId);
    const payments = await this.payments(acc.id, Number.MAX_SAFE_INTEGER, RECENT_PAYMENTS);
    const r = this.restrictions(acc.id);
    const effective = this.limitUnder(acc, r);
    const fraud = this.d.engine.fraudLabelled(acc.id);
    const rating: RatingExplained | null = explainRating(acc, fraud);
    return {
      accountId: acc.id,
      registered: acc.registered,
      status: statusOf(r),
      registration: {
        creditLimit: num(acc.creditLimit),
        kyc: acc.kyc || null,
        openedAt: time(acc.openedAt),
        home: Number.isNaN(acc.homeLat) ? null : { lat: acc.homeLat, lon: acc.homeLon },
      },
      credit: {
        creditLimit: num(acc.creditLimit),
        effectiveLimit: num(effective),
        maxLimit: maxLimitOf(acc.creditLimit),
        outstanding: acc.outstanding,
        availableCredit: Number.isNaN(effective) ? null : Math.max(0, effective - acc.outstanding),
      },
      restrictions: r,
      rating,
      fraudLabelled: fraud,
      activity: {
        payments: acc.txCount,
        lastPaymentAt: time(acc.lastTxT),
        lastRepaymentAt: time(acc.lastRepaymentT),
        lastRepaymentAmount: num(acc.lastRepaymentAmount),
        spentTotal: acc.spentTotal,
        repaidTotal: acc.repaidTotal,
        lastPasswordResetAt: time(acc.lastPasswordResetT),
        lastPhoneChangeAt: time(acc.lastPhoneChangeT),
        complaints: (acc.complaints ?? []).map((t) => formatShanghai(t)),
      },
      devices: (acc.devices ?? []).map((id, i) => ({ deviceId: id, firstSeen: formatShanghai(acc.deviceFirstSeen![i]), last: id === acc.lastDevice })),
      recentPayments: payments.map((p) => {
        const tx = JSON.parse(p.event) as TxEvent;
        const d = p.decision === null ? null : (JSON.parse(p.decision) as DecisionBody);
        return {
          txId: tx.id,
          ts: tx.ts,
          amount: tx.amount,
          currency: tx.currency ?? 'CNY',
          merchantId: tx.merchantId,
          terminalId: tx.terminalId,
          merchant: this.registeredMerchant(tx),
          outcome: d?.outcome ?? null,
          score: d?.score ?? null,
          reasons: d?.reasons ?? [],
          policy: d?.policy ?? null,
        };
      }),
      actions: await this.reader.actionsOf(acc.id, RECENT_ACTIONS),
      appeals: await this.reader.appealsOf(acc.id, RECENT_ACTIONS),
    };
  }

  /**
   * The customer's view, for customer service and the provider's app: status, restrictions in plain
   * words with what to do, limit and available credit, and the transaction record newest first,
   * paged with `cursor` (the `next` of the previous page). No rule, score or internal reason.
   */
  async customerView(accountId: string, page: { cursor?: string; limit?: number }): Promise<Record<string, unknown>> {
    const acc = this.require(accountId);
    const limit = page.limit ?? DEFAULT_PAGE;
    const before = page.cursor === undefined ? Number.MAX_SAFE_INTEGER : cursorSeq(page.cursor);
    const rows = await this.payments(acc.id, before, limit + 1);
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const r = this.restrictions(acc.id);
    const effective = this.limitUnder(acc, r);
    const status = statusOf(r);
    const restrictions: Record<string, unknown>[] = [];
    const until = (ms: number | null): string | null => (ms === null ? null : formatShanghai(ms));
    if (r.frozen !== null) restrictions.push({ kind: 'frozen', until: until(r.frozen.expiresAt), ...restrictionText('frozen', '') });
    if (r.limit !== null) {
      restrictions.push({ kind: 'limit_lowered', until: until(r.limit.expiresAt), ...restrictionText('limit_lowered', yuan(effective)) });
    }
    if (r.stepUp !== null) restrictions.push({ kind: 'step_up', until: until(r.stepUp.expiresAt), ...restrictionText('step_up', '') });
    return {
      accountId: acc.id,
      status,
      statusText: STATUS_TEXT[status],
      restrictions,
      currency: 'CNY',
      creditLimit: num(effective),
      availableCredit: Number.isNaN(effective) ? null : Math.max(0, effective - acc.outstanding),
      transactions: shown.map((p) => {
        const tx = JSON.parse(p.event) as TxEvent;
        const outcome = customerOutcome(p.decision === null ? 'approve' : (JSON.parse(p.decision) as DecisionBody).outcome);
        const m = this.registeredMerchant(tx);
        return {
          txId: tx.id,
          time: tx.ts,
          amount: tx.amount,
          currency: tx.currency ?? 'CNY',
          merchant: m.name,
          merchantId: m.id,
          outcome,
          outcomeText: OUTCOME_TEXT[outcome] satisfies Text,
        };
      }),
      next: more ? String(shown[shown.length - 1].seq) : null,
    };
  }

  /**
   * Files an appeal from JSON `{text, txId?}`: opens a case (issue `appeal`) through the case
   * service and records the appeal with its audit entry.
   */
  appeal(accountId: string, body: unknown, actor: string): { appeal: AppealRecord; case: { caseId: string; created: boolean } | null } {
    const acc = this.require(accountId);
    const input = validateAppeal(body);
    let risk = 0;
    let amount = 0;
    if (input.txId !== null) {
      const p = this.paymentOf(acc.id, input.txId);
      amount = p.tx.amount;
      risk = p.decision?.score ?? 0;
    }
    // the appeal's id is known before the case is opened (this module is the only writer of appeals),
    // so the case item can name it; the case is opened first, then the appeal is recorded with it
    const id = this.d.store.nextAppealId();
    const cases = this.d.cases();
    const note = input.txId === null ? input.text : `payment ${input.txId}: ${input.text}`;
    const opened =
      cases === undefined
        ? null
        : cases.open({
            subjectKind: 'account',
            subjectId: acc.id,
            issue: 'appeal',
            source: { kind: 'appeal', ref: `appeal-${id}` },
            risk,
            amount,
            note,
            actor,
            ...(input.txId === null ? {} : { txId: input.txId }),
          });
    const appeal = this.d.store.addAppeal(
      { id, accountId: acc.id, txId: input.txId, text: input.text, author: actor, at: this.now(), caseId: opened?.caseId ?? null },
      (stored) => ({ actor, action: 'account.appeal', target: `accounts/${acc.id}`, before: null, after: stored }),
      (r) => this.d.audit.append(r),
    );
    return { appeal, case: opened };
  }

  /** The limit a payment may use under `r`: the registered one, or the lowered one in force. */
  private limitUnder(acc: AccountView, r: Restrictions): number {
    if (r.limit === null) return acc.creditLimit;
    return Number.isNaN(acc.creditLimit) ? r.limit.limit : Math.min(acc.creditLimit, r.limit.limit);
  }

  /** The merchant as registered: the one the terminal is bound to, else the one of the code carried. */
  private registeredMerchant(tx: TxEvent): { id: string; name: string | null } {
    const ref = this.d.engine.reference;
    const term = ref.terminals.get(tx.terminalId);
    const m = (term === undefined ? undefined : ref.merchants.get(term.merchantId)) ?? ref.merchants.get(tx.merchantId);
    if (m === undefined) return { id: term?.merchantId ?? tx.merchantId, name: null };
    return { id: m.id, name: m.name === '' ? null : m.name };
  }

  /** The account's journaled payments below `beforeSeq`, newest first, once the index has caught up. */
  private async payments(accountId: string, beforeSeq: number, limit: number): Promise<JournalPayment[]> {
    const index = this.d.index;
    if (index === null) return [];
    await index.upTo(this.d.committedSeq());
    return this.reader.payments(index.reader.page(accountId, beforeSeq, limit));
  }

  /** The payment `txId` of this account, or an InputError on `txId`. */
  private paymentOf(accountId: string, txId: string): { tx: TxEvent; decision: DecisionBody | null } {
    const stored = this.d.store.paymentByTxId(txId);
    const tx = stored === undefined ? undefined : (JSON.parse(stored.event) as TxEvent);
    if (stored === undefined || tx === undefined || tx.accountId !== accountId) {
      throw new InputError('txId', `the id of a payment of account '${accountId}'; '${txId}' is not one`);
    }
    return { tx, decision: stored.decision === null ? null : (JSON.parse(stored.decision) as DecisionBody) };
  }
}

function statusOf(r: Restrictions): CustomerStatus {
  if (r.frozen !== null) return 'frozen';
  return r.stepUp !== null || r.limit !== null ? 'restricted' : 'active';
}

function num(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

function time(t: number): string | null {
  return Number.isFinite(t) ? formatShanghai(t) : null;
}

function cursorSeq(cursor: string): number {
  const n = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(n) || n < 1) {
    throw new InputError('cursor', 'the `next` of the previous page');
  }
  return n;
}
