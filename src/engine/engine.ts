/**
 * The decision engine: applies events at their event time and decides payments in memory.
 * One path for replay and live traffic alike, so both give the same decisions.
 */
import { rateAccount } from '../features/credit-rating.js';
import type { FkEvent, TransactionEvent } from '../contract/events.js';
import { AccountState } from '../features/account-state.js';
import { N } from '../features/catalog.js';
import { computeBuiltins } from '../features/builtins.js';
import { computeLabelFeatures } from '../features/label-features.js';
import { LabelKnowledge } from '../features/labels.js';
import { ReferenceData } from '../features/reference.js';
import { createVector, type FeatureVector, type ListLookup } from '../features/vector.js';
import { MerchantRisk } from './merchant-state.js';
import { topContributions } from '../model/explain.js';
import { bindModelToPolicy } from '../model/feature-names.js';
import type { GbdtModel } from '../model/gbdt-model.js';
import { computeDerived, evaluateRules } from '../rules/evaluate.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import { toDecision, toModelDecision, withModelReasons, type Decision } from './decision.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';
import { checkFields, readMerchantRisk, writeMerchantRisk } from './snapshot/merchant-risk.js';
import { WindowGroups } from './window-groups.js';

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
  readonly reference = new ReferenceData();
  readonly accounts = new Map<string, AccountState>();
  readonly labels: LabelKnowledge;
  /** Block, allow and watch lists `in_list()` reads; a change counts from the very next decision. */
  private readonly lists: ListLookup;
  /** Merchant and terminal traffic ratings and merchant actions (holds, suspensions); see merchants/state.ts. */
  readonly merchantRisk = new MerchantRisk();
  private policy: CompiledPolicy;
  private windows: WindowGroups;
  private vector: FeatureVector;
  private hits: Int32Array;
  private nextSweep = -Infinity;
  /** latest event time applied. */
  now = -Infinity;

  private model: GbdtModel | null;
  private contributionScratch: Float64Array;

  /**
   * @param options.indexPayments keep payments findable by txId for label attribution (default true);
   * see LabelKnowledge.
   * @param options.model a trained model scoring every payment beside the rules (see toModelDecision);
   * bound to this policy's feature slots here, so a model needing a feature the policy lacks fails now.
   * @param options.lists the lists to decide with, read at each payment's time (whoever manages them
   * keeps a reference; the engine never changes them); default no list holds anything.
   */
  constructor(policy: CompiledPolicy, options: { indexPayments?: boolean; model?: GbdtModel; lists?: ListLookup } = {}) {
    this.labels = new LabelKnowledge(options.indexPayments ?? true);
    this.lists = options.lists ?? NO_LISTS;
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

  /** The feature vector of the last decided payment (for explanations and tests); overwritten by the next. */
  get lastVector(): FeatureVector {
    return this.vector;
  }

  /** Applies any event; a transaction is decided and its decision returned, others return null. */
  apply(e: FkEvent): Decision | null {
    if (e.type === 'transaction') return this.decide(e);
    const start = this.startAt(e.t);
    switch (e.type) {
      case 'account': {
        const a = this.account(e.accountId);
        a.applyAccount(e, e.t - start >= INITIAL_LOAD_MS);
        this.reference.accountRegistrations++;
        rateAccount(a, e.t, this.fraudLabelled(a.id));
        break;
      }
      case 'account_event': {
        const a = this.account(e.accountId);
        // a failed step-up is for the case queue (cases/intake.ts); its device must not become the account's
        if (e.kind !== 'challenge_failed') a.applyActivity(e);
        if (e.kind === 'repayment') this.reference.repayments++;
        rateAccount(a, e.t, this.fraudLabelled(a.id));
        break;
      }
      case 'merchant':
        this.reference.applyMerchant(e);
        break;
      case 'terminal':
        this.reference.applyTerminal(e);
        break;
      case 'acquirer':
        this.reference.applyAcquirer(e);
        break;
      case 'label':
        this.labels.applyLabel(e);
        this.rateLabelled(e.accountId ?? this.payer(e.txId), e.t);
        break;
    }
    this.advance(e.t);
    return null;
  }

  /** Decides one payment and folds it into every window and the account's memory. */
  decide(tx: TransactionEvent): Decision {
    this.startAt(tx.t);
    const p = this.policy;
    const v = this.vector;
    v.t = tx.t;
    const acc = this.accounts.get(tx.accountId);
    computeBuiltins(tx, acc, this.reference, v);
    computeLabelFeatures(tx, this.labels, v);
    this.merchantRisk.observe(tx, v);
    this.windows.apply(v, tx.t);
    computeDerived(p, v);
    const count = evaluateRules(p, v, this.hits);
    const decision = this.model === null ? toDecision(tx.id, p, this.hits, count) : this.withModel(tx.id, this.model, count);
    const account = this.account(tx.accountId, acc);
    account.applyPayment(tx, decision.outcome === 'decline');
    rateAccount(account, tx.t, v.num[ACCOUNT_FRAUD] === 1);
    this.labels.applyPayment(tx, account.id);
    this.advance(tx.t);
    return decision;
  }

  /** Scores the payment with the model; names its top features only when the payment is flagged. */
  private withModel(txId: string, model: GbdtModel, count: number): Decision {
    const p = this.policy;
    const d = toModelDecision(txId, p, this.hits, count, model.probability(this.vector.num));
    if (d.outcome === 'approve') return d;
    const top = topContributions(model, this.vector.num, MODEL_REASONS, this.contributionScratch);
    return withModelReasons(d, top.map((c) => c.feature));
  }

  /** True when the account, or one of its payments, is labelled fraud by now (the credit rating's input). */
  fraudLabelled(accountId: string): boolean {
    return this.labels.accounts.get(accountId) === true || this.labels.accountsWithFraud.has(accountId);
  }

  /** The account that made payment `txId`, while the payment is still findable (see LabelKnowledge). */
  private payer(txId: string | undefined): string | undefined {
    if (txId === undefined) return undefined;
    const p = this.labels.payments.find(txId);
    return p < 0 ? undefined : this.labels.payments.account(p);
  }

  /** Re-rates the account a label named (directly or through one of its payments), if the engine knows it. */
  private rateLabelled(accountId: string | undefined, t: number): void {
    if (accountId === undefined) return;
    const a = this.accounts.get(accountId);
    if (a !== undefined) rateAccount(a, t, this.fraudLabelled(a.id));
  }

  private account(id: string, known?: AccountState): AccountState {
    if (known !== undefined) return known;
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = new AccountState(id);
      this.accounts.set(id, a);
    }
    return a;
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
    const r = this.reference;
    if (Number.isNaN(r.streamStart)) r.streamStart = t;
    return r.streamStart;
  }

  private advance(t: number): void {
    if (t > this.now) this.now = t;
    this.labels.advance(t);
    if (t >= this.nextSweep) {
      this.windows.sweep(t);
      this.nextSweep = t + SWEEP_EVERY_MS;
    }
  }

  /**
   * True when a payment with this id was decided within the label lookback (30 days): the same id
   * again is the same payment and must not be decided twice. Callers that need exactness beyond that
   * (the server) check their journal.
   */
  hasDecided(txId: string): boolean {
    return this.labels.payments.has(txId);
  }

  /** Live window keys per key kind. */
  windowSizes(): Record<string, number> {
    return this.windows.sizes();
  }

  /**
   * The own fields of an engine, each written by writeSnapshot or deliberately left out (policy,
   * model and scratch come with the reader's engine; lists live in the store). A field added to
   * the class must be added here and to the snapshot, or writeSnapshot throws.
   */
  static readonly SNAPSHOT_FIELDS: readonly string[] = [
    'reference', 'accounts', 'labels', 'lists', 'merchantRisk', 'policy', 'windows', 'vector', 'hits', 'nextSweep', 'now', 'model',
    'contributionScratch',
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
    w.f64(this.now);
    w.f64(this.nextSweep);
    this.reference.writeSnapshot(w);
    AccountState.writeSnapshot(this.accounts, w);
    this.labels.writeSnapshot(w);
    writeMerchantRisk(this.merchantRisk, w);
    this.windows.writeSnapshot(w);
  }

  /**
   * Restores what writeSnapshot wrote into this fresh engine (nothing applied yet); afterwards it
   * decides exactly as the engine that wrote it. Every window group of this engine's policy must be
   * in the snapshot (groups only the snapshot has are dropped). Throws on any mismatch, leaving
   * this engine unusable.
   */
  readSnapshot(r: SnapshotReader): void {
    if (this.now !== -Infinity || this.accounts.size > 0) throw new RangeError('Engine.readSnapshot needs a fresh engine');
    r.expect('ENGN');
    this.now = r.f64();
    this.nextSweep = r.f64();
    this.reference.readSnapshot(r);
    for (const [id, a] of AccountState.readSnapshot(r)) this.accounts.set(id, a);
    this.labels.readSnapshot(r);
    readMerchantRisk(this.merchantRisk, r);
    this.windows = WindowGroups.readSnapshot(r, this.policy.windows);
  }
}
