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
import type { AuditLog, AuditRecord } from '../audit/log.js';
import { customerOutcome, OUTCOME_TEXT, restrictionText, STATUS_TEXT, yuan, type CustomerStatus, type Text } from './messages.js';
import { explainRating, type RatingExplained } from '../features/credit-rating.js';
import { then } from '../io/result-kind.js';
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

/**
 * Where the service finds an account's restrictions and how a stored action takes effect. On a data
 * folder (`LocalRestrictions`) the service is the only writer: restrictions live in memory and an
 * action reaches the engine in the tick it is stored, at the journal position the engine applied. On
 * a cluster (docs/scale-out.md) every node may act: the history is read from the shared store, and
 * the partition's owner places each action in the journal, where every node's engine applies it.
 */
export interface RestrictionBook {
  /** The account's whole action history folded. */
  folded(accountId: string): Restrictions | Promise<Restrictions>;
  /** Called once `record` is stored (folded: the history with it); true once the next decision sees it. */
  took(accountId: string, folded: Restrictions, record: AccountActionRecord): boolean | Promise<boolean>;
}

/** A data folder's restrictions: in memory, filled from the store, put on the engine at once. */
export class LocalRestrictions implements RestrictionBook {
  /** Every account that ever had an action: its restrictions as folded from the action history. */
  private readonly states = new Map<string, Restrictions>();

  constructor(
    store: AccountStore<'sync'>,
    private readonly engine: Engine,
  ) {
    for (const a of store.allActions()) this.states.set(a.accountId, foldAction(this.states.get(a.accountId) ?? NO_RESTRICTIONS, a));
    // normally set already where the journal replay reached each action (replay.ts); this makes sure
    for (const [id, r] of this.states) engine.applyInput({ kind: 'restrict_account', accountId: id, restriction: toEngine(r) });
  }

  folded(accountId: string): Restrictions {
    return this.states.get(accountId) ?? NO_RESTRICTIONS;
  }

  /** Every account with actions and its restrictions as folded (expired ones included): the expiry watch reads them. */
  entries(): Iterable<[string, Restrictions]> {
    return this.states.entries();
  }

  /** Called after each change (the expiry watch looks again). */
  onChange: () => void = () => undefined;

  took(accountId: string, folded: Restrictions): boolean {
    this.states.set(accountId, folded);
    this.onChange();
    this.engine.applyInput({ kind: 'restrict_account', accountId, restriction: toEngine(folded) });
    return true;
  }
}

/** What the service works with. */
export interface AccountServiceDeps {
  /**
   * The engine holding `accountId`'s memory (a cluster node's replica may be rebuilt: hence a
   * getter; with several partitions, the account's partition's); without an id, any engine (the
   * reference data every engine holds alike).
   */
  readonly engine: (accountId?: string) => Engine;
  /**
   * The account store of either kind. Over the sync form an action commits with its audit record and
   * reaches the engine in one step, at the journal position the engine has applied.
   */
  readonly store: AccountStore;
  /** The audit log on the same connection as `store`, so a change and its record commit together. */
  readonly audit: AuditLog;
  /** Where restrictions are and how an action takes effect. */
  readonly book: RestrictionBook;
  /** Journal seq of the last event the account's engine applied: where an action takes effect (on a cluster: where this node stood). */
  readonly appliedSeq: (accountId: string) => number;
  /** Highest journal seq on disk: what the payment lists wait for. */
  readonly committedSeq: () => number;
  /**
   * Where the account's payments are listed: the data folder's payment index (over the journal), or
   * a reader of its own (a cluster node reads its projection); null lists no payments.
   */
  readonly index: TxIndex | ((accountId: string, beforeSeq: number, limit: number) => Promise<JournalPayment[]>) | null;
  /** The case service, when the server has one (asked at each appeal). */
  readonly cases: () => AppealCaseOpener | undefined;
  /** The account's latest customer notices, newest first (src/notices), for the customer view; none when absent. */
  readonly notices?: (accountId: string) => readonly { readonly kind: string; readonly text: Readonly<Record<string, string>>; readonly createdAt: number }[];
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

/** An action a rule took, as the rule-action follower hands it over (see recordRuleAction). */
export interface RuleActionRecord {
  /** Journal seq of the decision that took it. */
  readonly seq: number;
  readonly txId: string;
  /** The decision's event time. */
  readonly eventTime: number;
  readonly rule: string;
  readonly policy: string;
  readonly accountId: string;
  readonly action: 'freeze' | 'lower_limit' | 'require_step_up';
  /** fen, lower_limit only. */
  readonly limit: number | null;
  /** Event time it ends; null for until lifted. */
  readonly expiresAt: number | null;
}

/** What an action answers: the record, the restrictions before and after, and whether the next decision sees it yet. */
export interface ActResult {
  readonly action: AccountActionRecord;
  readonly before: Restrictions;
  readonly after: Restrictions;
  /** False on a cluster when the partition's owner had not placed it in the journal within a few seconds (it will). */
  readonly effective: boolean;
}

/** What an appeal answers: the appeal and the case it opened (null without a case service). */
export interface AppealResult {
  readonly appeal: AppealRecord;
  readonly case: { caseId: string; created: boolean } | null;
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
  private readonly now: () => number;

  constructor(private readonly d: AccountServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  private get engine(): Engine {
    return this.d.engine();
  }

  private engineOf(accountId: string): Engine {
    return this.d.engine(accountId);
  }

  /** The engine's memory of a known account; NotFoundError for one never registered and never seen paying. */
  require(accountId: string): AccountView {
    const a = this.engineOf(accountId).account(accountId);
    if (a === undefined) {
      throw new NotFoundError(`account '${accountId}' is unknown: it was never registered and never made a payment`);
    }
    return a;
  }

  /**
   * The restrictions of an account in force now: by the stream's clock (event time), as decisions
   * judge them — a freeze ending a day after the payment that set it reads as ended once the stream
   * is a day on — or the wall clock before any event.
   */
  restrictions(accountId: string): Restrictions | Promise<Restrictions> {
    const t = this.clockOf(accountId);
    return then(this.d.book.folded(accountId), (full) => inForce(full, t));
  }

  /** The time restrictions are judged at: the stream's clock of the account's engine, or the wall clock before any event. */
  private clockOf(accountId: string): number {
    return this.engineOf(accountId).nowOr(this.now());
  }

  /**
   * Takes an action from JSON `{action, reason, limit?, expiresAt?}`; effective from the very next
   * decision (on a cluster: once the partition's owner placed it). Lifting what is not in force is a
   * ConflictError; bad input an InputError. Synchronous over a sync store.
   */
  act(accountId: string, body: unknown, actor: string): ActResult | Promise<ActResult> {
    const acc = this.require(accountId);
    const now = this.now();
    const input = validateAction(body, acc.creditLimit, now);
    const t = this.clockOf(acc.id);
    return then(this.d.book.folded(acc.id), (full) => {
      const before = inForce(full, t);
      const nothing = (what: string): never => {
        throw new ConflictError(`account '${acc.id}' has no ${what} in force; nothing to lift`);
      };
      if (input.action === 'unfreeze' && before.frozen === null) nothing('freeze');
      if (input.action === 'lift_step_up' && before.stepUp === null) nothing('step-up requirement');
      if (input.action === 'restore_limit' && before.limit === null) nothing('lowered limit');
      if (input.action === 'restore' && before.frozen === null && before.stepUp === null && before.limit === null) nothing('restriction');
      let after: Restrictions = before;
      const stored = this.d.store.addAction(
        { accountId: acc.id, ...input, author: actor, at: now, journalSeq: this.d.appliedSeq(acc.id) },
        (rec) => {
          after = inForce(foldAction(full, rec), t);
          return {
            actor,
            action: `account.${rec.action}`,
            target: `accounts/${acc.id}`,
            before: { restrictions: before, effectiveLimit: this.limitUnder(acc, before) },
            after: { restrictions: after, effectiveLimit: this.limitUnder(acc, after), reason: rec.reason, actionId: rec.id },
          };
        },
        (r) => this.append(r),
      );
      return then(stored, (record) => then(this.d.book.took(acc.id, foldAction(full, record), record), (effective) => ({ action: record, before, after, effective })));
    });
  }

  /** The limit a payment of the account may use now (fen): the registered one, or the lowered one in force; NaN when unknown. */
  limitInForce(accountId: string): number {
    const acc = this.engineOf(accountId).account(accountId);
    const r = this.restrictions(accountId);
    if (acc === undefined || r instanceof Promise) return NaN;
    return this.limitUnder(acc, r);
  }

  /**
   * Records an action a rule took on a live decision (the server's rule-action follower): stored as
   * taken by `rule:<NAME>` at the decision's journal position — a replay applies it right after that
   * payment, as it was taken — audited with the payment and the policy version, then the account's
   * restriction comes from the store alone (the engine drops its pending copy). Thereafter an
   * ordinary action: shown in the view, lifted by an admin, ended by event time. The sync store only.
   */
  recordRuleAction(r: RuleActionRecord): AccountActionRecord {
    const engine = this.engineOf(r.accountId);
    const full = this.d.book.folded(r.accountId);
    if (full instanceof Promise) throw new RangeError('rule actions are recorded on a data folder only');
    const before = inForce(full, r.eventTime);
    const author = `rule:${r.rule}`;
    // recorded once: a follower that re-reads entries after a failure finds what it stored then
    const recent = this.d.store.actionsOf(r.accountId, 50);
    if (recent instanceof Promise) throw new RangeError('rule actions are recorded on a data folder only');
    const done = recent.find((a) => a.journalSeq === r.seq && a.author === author && a.action === r.action);
    if (done !== undefined) return done;
    const reason = `rule ${r.rule} of policy ${r.policy} on payment ${r.txId}`;
    const acc = engine.account(r.accountId);
    const limitOf = (x: Restrictions): number | null => (acc === undefined ? null : num(this.limitUnder(acc, x)));
    const stored = this.d.store.addAction(
      { accountId: r.accountId, action: r.action, reason, limit: r.limit, expiresAt: r.expiresAt, author, at: this.now(), journalSeq: r.seq },
      (rec) => {
        const after = inForce(foldAction(full, rec), r.eventTime);
        return {
          actor: author,
          action: `account.${rec.action}`,
          target: `accounts/${r.accountId}`,
          before: { restrictions: before, effectiveLimit: limitOf(before) },
          after: { restrictions: after, effectiveLimit: limitOf(after), reason, actionId: rec.id, rule: r.rule, policy: r.policy, txId: r.txId },
        };
      },
      (a) => this.append(a),
    );
    if (stored instanceof Promise) throw new RangeError('rule actions are recorded on a data folder only');
    engine.applyInput({ kind: 'rule_action_stored', account: { id: r.accountId, txId: r.txId } });
    void this.d.book.took(r.accountId, foldAction(full, stored), stored);
    return stored;
  }

  /** The analyst's view: registration, credit, restrictions, rating with drivers, devices, recent payments, actions, appeals. */
  async view(accountId: string): Promise<Record<string, unknown>> {
    const acc = this.require(accountId);
    const payments = await this.payments(acc.id, Number.MAX_SAFE_INTEGER, RECENT_PAYMENTS);
    const r = await this.restrictions(acc.id);
    const effective = this.limitUnder(acc, r);
    const fraud = this.engineOf(acc.id).fraudLabelled(acc.id);
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
      devices: acc.deviceList().map((d) => ({ deviceId: d.deviceId, firstSeen: formatShanghai(d.firstSeen), last: d.deviceId === acc.lastDevice })),
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
      actions: await this.d.store.actionsOf(acc.id, RECENT_ACTIONS),
      appeals: await this.d.store.appealsOf(acc.id, RECENT_ACTIONS),
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
    const r = await this.restrictions(acc.id);
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
      notices: (this.d.notices?.(acc.id) ?? []).map((n) => ({ kind: n.kind, text: n.text, at: formatShanghai(n.createdAt) })),
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
  appeal(accountId: string, body: unknown, actor: string): AppealResult | Promise<AppealResult> {
    const acc = this.require(accountId);
    const input = validateAppeal(body);
    const paid = input.txId === null ? null : this.paymentOf(acc.id, input.txId);
    return then(paid, (p) =>
      // the appeal's id is known before the case is opened (this module is the only writer of appeals),
      // so the case item can name it; the case is opened first, then the appeal is recorded with it
      then(this.d.store.nextAppealId(), (id) => {
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
                risk: p?.decision?.score ?? 0,
                amount: p?.tx.amount ?? 0,
                note,
                actor,
                ...(input.txId === null ? {} : { txId: input.txId }),
              });
        const appeal = this.d.store.addAppeal(
          { id, accountId: acc.id, txId: input.txId, text: input.text, author: actor, at: this.now(), caseId: opened?.caseId ?? null },
          (stored) => ({ actor, action: 'account.appeal', target: `accounts/${acc.id}`, before: null, after: stored }),
          (r) => this.append(r),
        );
        return then(appeal, (a) => ({ appeal: a, case: opened }));
      }),
    );
  }

  /** Appends to the audit log inside the store's transaction (synchronously for a sync log). */
  private append(r: AuditRecord): void | Promise<void> {
    return then(this.d.audit.append(r), () => undefined);
  }

  /** The limit a payment may use under `r`: the registered one, or the lowered one in force. */
  private limitUnder(acc: AccountView, r: Restrictions): number {
    if (r.limit === null) return acc.creditLimit;
    return Number.isNaN(acc.creditLimit) ? r.limit.limit : Math.min(acc.creditLimit, r.limit.limit);
  }

  /** The merchant as registered: the one the terminal is bound to, else the one of the code carried. */
  private registeredMerchant(tx: TxEvent): { id: string; name: string | null } {
    const ref = this.engine.reference;
    const term = ref.terminals.get(tx.terminalId);
    const m = (term === undefined ? undefined : ref.merchants.get(term.merchantId)) ?? ref.merchants.get(tx.merchantId);
    if (m === undefined) return { id: term?.merchantId ?? tx.merchantId, name: null };
    return { id: m.id, name: m.name === '' ? null : m.name };
  }

  /** The account's journaled payments below `beforeSeq`, newest first, once the index has caught up. */
  private async payments(accountId: string, beforeSeq: number, limit: number): Promise<JournalPayment[]> {
    const index = this.d.index;
    if (index === null) return [];
    if (typeof index === 'function') return index(accountId, beforeSeq, limit);
    await index.upTo(this.d.committedSeq());
    return this.d.store.payments(index.reader.page(accountId, beforeSeq, limit));
  }

  /** The payment `txId` of this account, or an InputError on `txId`. */
  private paymentOf(accountId: string, txId: string): { tx: TxEvent; decision: DecisionBody | null } | Promise<{ tx: TxEvent; decision: DecisionBody | null }> {
    return then(this.d.store.paymentByTxId(txId), (stored) => {
      const tx = stored === undefined ? undefined : (JSON.parse(stored.event) as TxEvent);
      if (stored === undefined || tx === undefined || tx.accountId !== accountId) {
        throw new InputError('txId', `the id of a payment of account '${accountId}'; '${txId}' is not one`);
      }
      return { tx, decision: stored.decision === null ? null : (JSON.parse(stored.decision) as DecisionBody) };
    });
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
