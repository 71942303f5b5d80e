/**
 * The decision engine: applies events at their event time and decides payments in memory.
 * One path for replay and live traffic alike, so both give the same decisions.
 */
import { reconcileCredit } from '../features/credit-books.js';
import { gradeOf, rateAccount } from '../features/credit-rating.js';
import type { AccountActivityEvent, FkEvent, TransactionEvent } from '../contract/events.js';
import { AccountState, type AccountView } from '../features/account-state.js';
import { N, S } from '../features/catalog.js';
import { computeBuiltins } from '../features/builtins.js';
import { computeLabelFeatures } from '../features/label-features.js';
import { LabelKnowledge, type LabelView } from '../features/labels.js';
import { ReferenceData, type ReferenceView } from '../features/reference.js';
import { ShardedMap } from '../features/sharded-map.js';
import { createVector, type FeatureVector, type ListLookup } from '../features/vector.js';
import type { EngineInput } from './inputs.js';
import { MerchantRisk, type MerchantRiskView } from './merchant-state.js';
import { topContributions } from '../model/explain.js';
import { bindModelToPolicy } from '../model/feature-names.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import { combine, computeDerived, evaluateRules } from '../rules/evaluate.js';
import type { CompiledPolicy, Outcome } from '../rules/policy-types.js';
import { toDecision, toModelDecision, withModelReasons, type Decision } from './decision.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import { checkFields, readMerchantRisk, writeMerchantRisk } from './snapshot/merchant-risk.js';
import { WindowGroups } from './window-groups.js';
import { PROFILE_INPUTS } from '../features/merchant-profile.js';
import type { SharedEffects } from './shared-effects.js';
import { EventClock } from './event-clock.js';
import { decisionAction, RuleActions } from './rule-actions.js';

/** A rule action as journaled with its decision: enough to count it against the caps again. */
export interface JournaledAction {
  readonly rule: string;
  readonly capped?: boolean;
}

/** How many of the model's top features a flagged decision names. */
const MODEL_REASONS = 3;

/** The slot of account_labelled_fraud, which the credit rating reads after each payment. */
const ACCOUNT_FRAUD = N.account_labelled_fraud;

/**
 * Registrations this soon after a stream's first event are its initial load (accounts that existed
 * already): without `openedAt` their age is unknown, not zero. Later first registrations open the account.
 */
const INITIAL_LOAD_MS = 86_400_000;

/** Event time between checks whether a window group is due for a sweep. */
const SWEEP_EVERY_MS = 3_600_000;

/** The lists of an engine nobody gave any: every `in_list()` is false. */
const NO_LISTS: ListLookup = { has: () => false };

/** In-memory engine state plus the policy that decides. */
export class Engine {
  private readonly ref = new ReferenceData();
  /** Every account the engine remembers; sharded, so a million accounts grow without a stall. */
  private readonly memory = new ShardedMap<AccountState>();
  private readonly knowledge: LabelKnowledge;
  /** Block, allow and watch lists `in_list()` reads; a change counts from the very next decision. */
  private readonly lists: ListLookup;
  /** Merchant and terminal traffic ratings and merchant actions (holds, suspensions); see merchant-state.ts. */
  private readonly risk = new MerchantRisk();
  private policy: CompiledPolicy;
  private windows: WindowGroups;
  private vector: FeatureVector;
  private hits: Int32Array;
  private nextSweep = -Infinity;
  /** latest event time applied. */
  private readonly clock = new EventClock();
  /** What rules with actions did and may still do (caps; effects not yet stored). */
  private readonly ruleActions = new RuleActions();
  /** Rules that matched the last payment decided (scratch, with `hits`). */
  private lastHitCount = 0;

  private model: GbdtModel | null;
  private contributionScratch: Float64Array;
  /** Scratch for a payment decided elsewhere (applyDecidedElsewhere): only its profile inputs are set. */
  private elsewhere: FeatureVector | null = null;
  /** Scratch for a reversed payment's features (reverseWindows); made for the current policy. */
  private reversal: FeatureVector | null = null;

  /**
   * @param options.indexPayments keep payments findable by txId for label attribution (default true);
   * see LabelKnowledge.
   * @param options.model a trained model scoring every payment beside the rules (see toModelDecision);
   * bound to this policy's feature slots here, so a model needing a feature the policy lacks fails now.
   * @param options.lists the lists to decide with, read at each payment's time (whoever manages them
   * keeps a reference; the engine never changes them); default no list holds anything.
   */
  constructor(policy: CompiledPolicy, options: { indexPayments?: boolean; model?: GbdtModel; lists?: ListLookup } = {}) {
    this.knowledge = new LabelKnowledge(options.indexPayments ?? true);
    this.lists = this.ruleActions.lists(options.lists ?? NO_LISTS);
    this.model = options.model === undefined ? null : bindModelToPolicy(options.model, policy);
    this.contributionScratch = new Float64Array(this.model?.featureNames.length ?? 0);
    this.policy = policy;
    this.windows = new WindowGroups(policy.windows);
    this.vector = this.newVector(policy);
    this.hits = new Int32Array(policy.rules.length);
  }

  /** The policy currently deciding. */
  get currentPolicy(): CompiledPolicy {
    return this.policy;
  }

  /**
   * Makes `policy` (and `model`, or none) decide from the next payment on, keeping every window whose
   * signature it shares with the current policy; account memory, reference data and labels stay.
   * Atomic: nothing runs between the old policy's last decision and the new one's first. Returns the
   * windows that start empty (see freshWindowsFor: a caller wanting full history warms a new engine
   * by replay instead). A model that needs a feature the policy lacks throws before anything changes.
   *
   * With `warmed` — an engine that ran `policy`'s windows over exactly the events this one applied
   * (a warm-up by replay, see policy/warm.ts) — every window is taken over from it instead, so none
   * starts empty; `warmed` must not be used afterwards (its window state now lives here).
   */
  replacePolicy(policy: CompiledPolicy, model: GbdtModel | null = null, warmed?: Engine): { fresh: readonly string[] } {
    const bound = model === null ? null : bindModelToPolicy(model, policy);
    const windows = new WindowGroups(policy.windows, warmed === undefined ? this.windows : warmed.windows);
    this.policy = policy;
    this.model = bound;
    this.contributionScratch = new Float64Array(bound?.featureNames.length ?? 0);
    this.windows = windows;
    this.vector = this.newVector(policy);
    this.elsewhere = null;
    this.reversal = null;
    this.hits = new Int32Array(policy.rules.length);
    return { fresh: windows.fresh };
  }

  /** A feature vector for `policy`, reading this engine's lists (they never change, only their entries). */
  private newVector(policy: CompiledPolicy): FeatureVector {
    const v = createVector(policy.numSlots, policy.strSlots);
    v.lists = this.lists;
    return v;
  }

  /** The windows of `policy` that would start empty if it replaced the current one now. */
  freshWindowsFor(policy: CompiledPolicy): string[] {
    return this.windows.freshFor(policy.windows);
  }

  /** The model scoring beside the rules, if any. */
  get currentModel(): GbdtModel | null {
    return this.model;
  }

  /**
   * The feature values of the last decided payment (for training rows, explanations and tests), read
   * only; overwritten by the next decision, so a caller copies what it keeps.
   */
  get lastVector(): { readonly num: ArrayLike<number>; readonly str: readonly string[] } {
    return this.vector;
  }

  /** Applies any event; a transaction is decided (see decide for `answered`) and its decision returned, others return null. */
  apply(e: FkEvent, answered?: Outcome, answeredActions?: readonly JournaledAction[]): Decision | null {
    if (e.type === 'transaction') return this.decide(e, answered, answeredActions);
    const start = this.startAt(e.t);
    switch (e.type) {
      case 'account': {
        const a = this.remember(e.accountId);
        a.applyAccount(e, e.t - start >= INITIAL_LOAD_MS);
        this.ref.accountRegistrations++;
        rateAccount(a, e.t, this.fraudLabelled(a.id));
        break;
      }
      case 'account_event': {
        const a = this.remember(e.accountId);
        // a reversal undoes its payment once: a repeat (0401, an advice sent again) changes nothing
        const undo = e.kind !== 'reversal' || e.original === undefined || this.knowledge.markReversed(e.original.id);
        // a failed step-up is for the case queue (cases/intake.ts); its device must not become the account's
        if (e.kind !== 'challenge_failed' && undo) a.applyActivity(e);
        if (e.kind === 'repayment') this.ref.repayments++;
        if (e.kind === 'reversal' && undo) this.reverseWindows(e);
        rateAccount(a, e.t, this.fraudLabelled(a.id));
        break;
      }
      case 'merchant':
        this.ref.applyMerchant(e);
        break;
      case 'terminal':
        this.ref.applyTerminal(e);
        break;
      case 'acquirer':
        this.ref.applyAcquirer(e);
        break;
      case 'label':
        this.knowledge.applyLabel(e);
        this.rateLabelled(e.accountId ?? this.payer(e.txId), e.t);
        break;
    }
    this.advance(e.t);
    return null;
  }

  /**
   * Decides one payment and folds it into every window and the account's memory. `answered`: the
   * outcome the payment was actually answered with, when it is being replayed from the journal —
   * the account's memory (credit used) then follows that answer, not this policy's decision, so a
   * restart after a publication or an incident mode rebuilds exactly the state the answers made.
   * Rule actions likewise: a live decision takes them (rule-actions.ts) and names them in the
   * decision; a replayed one takes none and only counts `answeredActions`, the ones journaled.
   */
  decide(tx: TransactionEvent, answered?: Outcome, answeredActions?: readonly JournaledAction[]): Decision {
    this.startAt(tx.t);
    const p = this.policy;
    const v = this.vector;
    v.t = tx.t;
    const acc = this.memory.get(tx.accountId);
    // the issuer's open-to-buy, where the payment carries it, sets the account's books first
    if (tx.availableCredit !== undefined) reconcileCredit(acc, tx, this.ref);
    // the grade a rule reads is the account's as of this payment, however long it sat idle (overdue
    // days grow, device changes age out): a function of the stream alone, whatever re-rated it between
    if (acc !== undefined && acc.ratedAt !== tx.t) rateAccount(acc, tx.t, this.knowledge.accountFraudAt(acc.id, tx.t));
    computeBuiltins(tx, acc, this.ref, v);
    computeLabelFeatures(tx, this.knowledge, v);
    this.risk.observe(tx, v);
    this.windows.apply(v, tx.t);
    computeDerived(p, v);
    const count = evaluateRules(p, v, this.hits);
    this.lastHitCount = count;
    let decision = this.model === null ? toDecision(tx.id, p, this.hits, count) : this.withModel(tx.id, this.model, count);
    const account = this.remember(tx.accountId, acc);
    if (answered !== undefined) {
      if (answeredActions !== undefined) this.ruleActions.replayed(answeredActions, tx.t);
    } else if (p.acting && count > 0) {
      const taken = this.ruleActions.take(p, this.hits, count, tx, account, this.risk.controls, this.lists);
      if (taken !== null) decision = { ...decision, actions: taken.map(decisionAction) };
    }
    account.applyPayment(tx, (answered ?? decision.outcome) === 'decline');
    rateAccount(account, tx.t, v.num[ACCOUNT_FRAUD] === 1);
    this.knowledge.applyPayment(tx, account.id);
    this.advance(tx.t);
    return decision;
  }

  /**
   * In a partitioned cluster, what the payment just decided did to the state every partition keeps
   * (see shared-effects.ts): the merchant, terminal, device and IP windows it entered with the values
   * it brought, and the profile inputs. Read right after `decide`, before anything else is applied.
   */
  sharedEffects(): SharedEffects {
    const num = this.vector.num;
    return { w: this.windows.recordShared(this.vector), p: PROFILE_INPUTS.map((slot) => (Number.isNaN(num[slot]) ? null : num[slot])) };
  }

  /**
   * Applies an event another partition of the cluster journaled, in the cluster's order: payments
   * and account events of accounts this partition does not own change only what every partition
   * keeps — a payment's shared effects (as its owner recorded them: `shared`), the payment index
   * labels read, the stream's registries and the clock; reference data and labels apply in full.
   * Afterwards this engine decides its own accounts exactly as one engine fed the whole stream.
   */
  applyDecidedElsewhere(e: FkEvent, shared: SharedEffects | null): void {
    this.startAt(e.t);
    switch (e.type) {
      case 'transaction': {
        if (shared === null) throw new RangeError(`payment ${e.id} decided elsewhere came without its shared effects`);
        const v = (this.elsewhere ??= createVector(this.policy.numSlots, this.policy.strSlots));
        for (let i = 0; i < PROFILE_INPUTS.length; i++) v.num[PROFILE_INPUTS[i]] = shared.p[i] ?? NaN;
        v.str[S.merchant] = e.merchantId;
        v.str[S.terminal] = e.terminalId;
        v.str[S.account] = e.accountId;
        this.risk.profiles.observe(e, v);
        this.windows.applyShared(shared.w, e.t);
        this.knowledge.applyPaymentDecidedElsewhere(e, e.accountId);
        break;
      }
      case 'account':
        // "the stream registers accounts" is every partition's feature, counted as the owner counts it
        this.ref.accountRegistrations++;
        break;
      case 'account_event':
        if (e.kind === 'repayment') this.ref.repayments++;
        break;
      default:
        this.apply(e);
        return;
    }
    this.advance(e.t);
  }

  /**
   * A reversal of the whole payment takes it back out of its count, sum and mean windows (see
   * WindowGroup.reverse), its features computed now from the payment as journaled; a partial one
   * changes only the balance (AccountState.applyActivity).
   */
  private reverseWindows(e: AccountActivityEvent): void {
    const tx = e.original;
    if (tx === undefined || (e.amount !== undefined && e.amount < tx.amount)) return;
    const v = (this.reversal ??= this.newVector(this.policy));
    v.t = tx.t;
    computeBuiltins(tx, this.memory.get(tx.accountId), this.ref, v);
    computeLabelFeatures(tx, this.knowledge, v);
    this.windows.reverse(v, tx.t);
  }

  /** Scores the payment with the model; names its top features only when the payment is flagged. */
  private withModel(txId: string, model: GbdtModel, count: number): Decision {
    const p = this.policy;
    const d = toModelDecision(txId, p, this.hits, count, model.probability(this.vector.num), model.operatingPoint ?? p.thresholds);
    if (d.outcome === 'approve') return d;
    const top = topContributions(model, this.vector.num, MODEL_REASONS, this.contributionScratch);
    return withModelReasons(d, top.map((c) => c.feature));
  }

  /**
   * The rules' part of the last payment decided — their score, the outcome their `outcome` clauses
   * ask for at least, and whether an `allow` rule matched — for `train --review-budget`, which sets
   * the thresholds of rules and model together.
   */
  lastRulesVerdict(): { score: number; floor: Outcome; allowed: boolean } {
    const c = combine(this.policy, this.hits, this.lastHitCount);
    return { score: c.score, floor: c.ruleOutcome, allowed: c.allowed };
  }

  /** True when the account, or one of its payments, is labelled fraud by now (the credit rating's input). */
  fraudLabelled(accountId: string): boolean {
    return this.knowledge.accountFraud(accountId);
  }

  /** The account that made payment `txId`, while the payment is still findable (see LabelKnowledge). */
  private payer(txId: string | undefined): string | undefined {
    if (txId === undefined) return undefined;
    const p = this.knowledge.payments.find(txId);
    return p < 0 ? undefined : this.knowledge.payments.account(p);
  }

  /** Re-rates the account a label named (directly or through one of its payments), if the engine knows it. */
  private rateLabelled(accountId: string | undefined, t: number): void {
    if (accountId === undefined) return;
    const a = this.memory.get(accountId);
    if (a !== undefined) rateAccount(a, t, this.fraudLabelled(a.id));
  }

  private remember(id: string, known?: AccountState): AccountState {
    if (known !== undefined) return known;
    let a = this.memory.get(id);
    if (a === undefined) {
      a = new AccountState(id);
      this.memory.set(id, a);
    }
    return a;
  }

  /**
   * The engine's clock (-Infinity before the first event): the latest event time, except that an event
   * far ahead of the stream does not move it (see event-clock.ts).
   */
  get now(): number {
    return this.clock.now;
  }

  /**
   * The engine's clock, or `before` (the caller's wall clock, a job's slot) before the first event:
   * the time restrictions, controls and list entries are judged at outside a decision, as decisions
   * judge them.
   */
  nowOr(before: number): number {
    const t = this.clock.now;
    return Number.isFinite(t) ? t : before;
  }

  /** Registered merchants, terminals and acquirers and what the stream feeds, read-only. */
  get reference(): ReferenceView {
    return this.ref;
  }

  /** What labels told the engine so far (per-entity flags, the payment index), read-only. */
  get labels(): LabelView {
    return this.knowledge;
  }

  /** Merchant and terminal traffic profiles and the controls in force, read-only. */
  get merchantRisk(): MerchantRiskView {
    return this.risk;
  }

  /** The engine's memory of an account (registration, spend, devices, rating, restrictions), read-only. */
  account(id: string): AccountView | undefined {
    return this.memory.get(id);
  }

  /** Every account the engine remembers, read-only (periodic jobs: the review queue). */
  accounts(): IterableIterator<AccountView> {
    return this.memory.values();
  }

  /**
   * Re-rates the account at the engine's clock (the scheduled re-rating of idle accounts, see
   * schedules/rerate-idle.ts), so the grades the review queue, the limit proposals and the views read
   * age with the account. Decisions do not depend on it — each payment re-rates its account first.
   * Returns the grades before and after, or null for an account the engine does not know (or
   * before the first event).
   */
  rerate(accountId: string): { before: string; after: string } | null {
    const a = this.memory.get(accountId);
    const now = this.clock.now;
    if (a === undefined || !Number.isFinite(now)) return null;
    const before = gradeOf(a.ratingScore);
    rateAccount(a, now, this.fraudLabelled(a.id));
    return { before, after: gradeOf(a.ratingScore) };
  }

  /** How many accounts the engine remembers. */
  get accountCount(): number {
    return this.memory.size;
  }

  /**
   * Changes an input the engine decides under that is not an event (see inputs.ts): restrictions
   * and controls count from the very next decision. The one way to change them from outside.
   */
  applyInput(i: EngineInput): void {
    const c = this.risk.controls;
    switch (i.kind) {
      case 'restrict_account':
        this.remember(i.accountId).restriction = this.ruleActions.applyTo(i.accountId, i.restriction);
        break;
      case 'rule_action_stored':
        if (i.account !== undefined) this.ruleActions.accountStored(i.account.id, i.account.txId);
        if (i.list !== undefined) this.ruleActions.listEntryStored(i.list.name, i.list.value);
        break;
      case 'hold_settlement':
        c.hold(i.merchantId, i.control);
        break;
      case 'release_settlement':
        c.release(i.merchantId, i.id);
        break;
      case 'suspend_terminal':
        c.suspend(i.terminalId, i.control);
        break;
      case 'release_terminal':
        c.releaseTerminal(i.terminalId, i.id);
        break;
    }
  }

  /**
   * Tells a fresh engine when its stream began, for a replay that skips the stream's first events (a
   * backtest's prelude leaves payments out): a registration then counts as loaded or opened exactly
   * as it did live. No effect once an event was applied.
   */
  beginStream(t: number): void {
    this.startAt(t);
  }

  /** The stream's first event time, noted at the first event (of any type); returns it. */
  private startAt(t: number): number {
    const r = this.ref;
    if (Number.isNaN(r.streamStart)) r.streamStart = t;
    return r.streamStart;
  }

  /** Moves the watermark (see event-clock.ts) and forgets what it has left behind. */
  private advance(t: number): void {
    const now = this.clock.observe(t);
    this.knowledge.advance(now);
    if (now >= this.nextSweep) {
      this.windows.sweep(now);
      this.nextSweep = now + SWEEP_EVERY_MS;
    } else if (this.windows.sweeping) this.windows.sweep(now); // a slice of the sweep under way per event
  }

  /** Live window keys per key kind. */
  windowSizes(): Record<string, number> {
    return this.windows.sizes();
  }

  /**
   * The own fields of an engine, each written by writeSnapshot or deliberately left out (policy,
   * model and scratch come with the reader's engine; lists live in the store; rule actions' effects
   * are in the store once recorded, and their hourly counts start again). A field added to
   * the class must be added here and to the snapshot, or writeSnapshot throws.
   */
  static readonly SNAPSHOT_FIELDS: readonly string[] = [
    'ref', 'memory', 'knowledge', 'lists', 'risk', 'policy', 'windows', 'vector', 'hits', 'nextSweep', 'clock', 'model',
    'contributionScratch', 'elsewhere', 'reversal', 'ruleActions', 'lastHitCount',
  ];

  /** Signatures of the current policy's window groups, in order (a snapshot's header lists them). */
  get windowSignatures(): string[] {
    return this.windows.signatures;
  }

  /**
   * Writes the whole feature state (see snapshot/engine-snapshot.ts for the file around it): clock
   * and sweep time, reference data, account memory, label knowledge, merchant profiles and every
   * window group. Not written: policy, model, lists, per-payment scratch.
   */
  writeSnapshot(w: SnapshotWriter): void {
    checkFields(this, Engine.SNAPSHOT_FIELDS, 'Engine');
    w.tag('ENGN');
    for (const x of this.clock.state()) w.f64(x);
    w.f64(this.nextSweep);
    this.ref.writeSnapshot(w);
    w.bool(this.memory.split);
    AccountState.writeSnapshot(this.memory, w);
    this.knowledge.writeSnapshot(w);
    writeMerchantRisk(this.risk, w);
    this.windows.writeSnapshot(w);
  }

  /**
   * Restores what writeSnapshot wrote into this fresh engine (nothing applied yet); afterwards it
   * decides exactly as the engine that wrote it. Every window group of this engine's policy must be
   * in the snapshot (groups only the snapshot has are dropped). Throws on any mismatch, leaving
   * this engine unusable.
   */
  readSnapshot(r: SnapshotReader): void {
    if (this.clock.now !== -Infinity || this.memory.size > 0) throw new RangeError('Engine.readSnapshot needs a fresh engine');
    r.expect('ENGN');
    this.clock.restore([r.f64(), r.f64(), r.f64()]);
    this.nextSweep = r.f64();
    this.ref.readSnapshot(r);
    if (r.bool()) this.memory.divide();
    for (const [id, a] of AccountState.readSnapshot(r)) this.memory.set(id, a);
    this.knowledge.readSnapshot(r);
    readMerchantRisk(this.risk, r);
    this.windows = WindowGroups.readSnapshot(r, this.policy.windows);
  }
}
