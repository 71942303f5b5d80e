/**
 * What a partition's owner places in its journal (docs/scale-out.md, "Control entries"): what was
 * recorded on any node and is not in the journal yet — the wanted policy (PostgreSQL's live
 * publication and the modes on), then account and merchant actions — each as a `control` or `input`
 * entry added to the owner's group commit and put on its engine in the same synchronous step, its
 * position recorded once durable. A round runs when a node announces a change, and every second
 * should an announcement be lost; one round at a time.
 */
import { foldAction, NO_RESTRICTIONS, toEngine, type AccountActionRecord } from '../../accounts/types.js';
import type { FkEvent } from '../../contract/events.js';
import type { Engine } from '../../engine/engine.js';
import type { EngineInput } from '../../engine/inputs.js';
import type { PayloadSealer } from '../../log/payload-sealer.js';
import { replayEntry } from '../../log/recovery.js';
import type { MerchantAction } from '../../merchants/store.js';
import type { Runnable } from '../../policy/compiled.js';
import type { Outcome } from '../../rules/policy-types.js';
import type { GroupCommit } from '../../server/group-commit.js';
import type { DecisionService } from '../../server/service.js';
import type { NatsCluster } from '../../store/nats/connect.js';
import { readJournal } from '../../store/nats/journal-reader.js';
import type { PartitionReplica } from './partition-replica.js';
import { controlKey, controlText, inputControlText, parseInputControl, type ClusterPolicySource, type InputSource, type PolicyControl } from './policy-control.js';

/** The account actions an owner places (PgAccountStore). */
export interface ActionLedger {
  /** Actions not placed in `partition`'s journal yet, oldest first. */
  unplaced(partition: number, limit: number): Promise<AccountActionRecord[]>;
  /** An account's actions up to `throughId`, oldest first. */
  historyOf(accountId: string, throughId: number): Promise<AccountActionRecord[]>;
  /** Records where action `id` was placed (the first placement stands). */
  placed(id: number, partition: number, seq: number): Promise<void>;
}

/** The merchant actions an owner places (PgMerchantStore). */
export interface MerchantLedger {
  /** Actions opened and released and not placed in `partition`'s journal yet, oldest first. */
  unplaced(partition: number, limit: number): Promise<{ opened: MerchantAction[]; released: MerchantAction[] }>;
  /** Records where action `id` was placed opened or released (the first placement stands). */
  placed(kind: 'merchant_action' | 'merchant_release', id: number, partition: number, seq: number): Promise<void>;
}

/** What placing needs of the node. */
export interface PlacementDeps {
  readonly cluster: NatsCluster;
  readonly partition: number;
  /**
   * The cluster's partition count (default 1). With more than one, partition 0's owner places the
   * policy and the merchant actions, which every partition applies where they stand in the stream,
   * and each owner places its own accounts' actions.
   */
  readonly partitions?: number;
  readonly nodeId: string;
  readonly sealer: PayloadSealer | null;
  /** A fresh engine running `r` (a warm-up's). */
  readonly makeEngine: (r: Runnable) => Engine;
  readonly policies: ClusterPolicySource;
  readonly actions?: ActionLedger;
  readonly merchantActions?: MerchantLedger;
  readonly log: (line: string) => void;
}

/** The owner's journal and service: what a placement appends to and observes. One object per ownership. */
export interface OwnerJournal {
  readonly commit: GroupCommit;
  readonly service: DecisionService;
}

/** What placing asks of the partition runner. */
export interface PlacementHost {
  /** The ownership placements act for, while it lasts (null: this node does not own the partition). */
  owned(): OwnerJournal | null;
  /** The partition's replica: the engine deciding, and the policy it runs. */
  replica(): PartitionReplica;
}

/** How often an owner compares the wanted policy with its engine's, should an announcement be lost. */
const PLACE_POLL_MS = 1000;

/** The placements of one partition on this node (they act only while it owns the partition). */
export class Placements {
  private placeTimer: NodeJS.Timeout | null = null;
  /** The policy being warmed to place, if any. */
  private placingNow: { readonly version: number; readonly since: number } | null = null;
  private lastFailure: string | null = null;
  private placingRound = false;

  constructor(
    private readonly deps: PlacementDeps,
    private readonly host: PlacementHost,
  ) {}

  /** The policy being warmed to place, if any (for /healthz). */
  get placing(): { readonly version: number; readonly since: number } | null {
    return this.placingNow;
  }

  /** The last policy that could not be placed, and why. */
  get failure(): string | null {
    return this.lastFailure;
  }

  /** No more rounds (the partition stops). */
  stop(): void {
    if (this.placeTimer !== null) clearTimeout(this.placeTimer);
    this.placeTimer = null;
  }

  /** Runs a round of placements after `ms`, then every PLACE_POLL_MS while the partition stays owned. */
  schedule(ms: number): void {
    if (this.placeTimer !== null) clearTimeout(this.placeTimer);
    this.placeTimer = setTimeout(() => {
      this.placeTimer = null;
      const o = this.host.owned();
      if (o === null) return;
      void this.place(o).finally(() => {
        if (this.host.owned() === o && this.placeTimer === null) this.schedule(PLACE_POLL_MS);
      });
    }, ms);
    this.placeTimer.unref();
  }

  /** The owner's placements, one round at a time: the wanted policy first, then account and merchant actions. */
  private async place(o: OwnerJournal): Promise<void> {
    if (this.placingRound) return;
    this.placingRound = true;
    try {
      await this.placePolicy(o);
      await this.placeActions(o);
    } finally {
      this.placingRound = false;
    }
  }

  /**
   * Account and merchant actions recorded on any node and not in the journal yet, oldest first, each
   * an `input` entry: an account's restrictions folded through the action (whole, so placing one
   * twice after a takeover changes nothing), a hold or suspension opened or released by its id.
   */
  private async placeActions(o: OwnerJournal): Promise<void> {
    const { partition } = this.deps;
    try {
      const ledger = this.deps.actions;
      if (ledger !== undefined) {
        for (const a of await ledger.unplaced(partition, 100)) {
          const history = await ledger.historyOf(a.accountId, a.id);
          if (this.host.owned() !== o) return;
          const folded = history.reduce((r, x) => foldAction(r, x), NO_RESTRICTIONS);
          await this.placeInput(o, 'account_action', a.id, { kind: 'restrict_account', accountId: a.accountId, restriction: toEngine(folded) }, (seq) => ledger.placed(a.id, partition, seq));
        }
      }
      const merchants = partition === 0 ? this.deps.merchantActions : undefined;
      if (merchants !== undefined) {
        const { opened, released } = await merchants.unplaced(partition, 100);
        for (const a of opened) {
          const control = { id: a.id, expiresAt: a.expiresAt ?? Infinity };
          const input: EngineInput = a.action === 'hold_settlement' ? { kind: 'hold_settlement', merchantId: a.merchantId, control } : { kind: 'suspend_terminal', terminalId: a.terminalId!, control };
          if (!(await this.placeInput(o, 'merchant_action', a.id, input, (seq) => merchants.placed('merchant_action', a.id, partition, seq)))) return;
        }
        for (const a of released) {
          const input: EngineInput = a.action === 'hold_settlement' ? { kind: 'release_settlement', merchantId: a.merchantId, id: a.id } : { kind: 'release_terminal', terminalId: a.terminalId!, id: a.id };
          if (!(await this.placeInput(o, 'merchant_release', a.id, input, (seq) => merchants.placed('merchant_release', a.id, partition, seq)))) return;
        }
      }
    } catch (e) {
      if (this.host.owned() === o) this.deps.log(`partition ${partition}: cannot place actions: ${(e as Error).message}`);
    }
  }

  /**
   * One `input` entry added and put on the engine in the same step — as its text reads back, which is
   * what every other node applies — then `record`ed once durable. False when the partition was lost.
   */
  private async placeInput(o: OwnerJournal, source: InputSource, ref: number, input: EngineInput, record: (seq: number) => Promise<void>): Promise<boolean> {
    if (this.host.owned() !== o) return false;
    const text = inputControlText({ control: 'input', source, ref, input });
    o.commit.add('input', null, text, null);
    const seq = o.commit.lastSeq;
    this.host.replica().engine.applyInput(parseInputControl(text, seq).input);
    await o.commit.flush();
    await record(seq);
    return true;
  }

  /**
   * The owner's step: the wanted policy, compiled (and warmed when it needs windows the engine lacks),
   * goes into the journal as a control entry and into the engine in one synchronous step — every
   * payment after the entry is decided by it — then its position is recorded in PostgreSQL.
   */
  private async placePolicy(o: OwnerJournal): Promise<void> {
    if (this.placingNow !== null) return;
    const { partition, partitions = 1 } = this.deps;
    if (partition !== 0) return; // P > 1: partition 0's owner places for all
    let want: PolicyControl;
    try {
      want = await this.deps.policies.wanted();
    } catch (e) {
      this.lastFailure = `cannot read the cluster's live policy: ${(e as Error).message}`;
      return;
    }
    if (this.host.owned() !== o) return;
    const now = this.host.replica().policy;
    if (controlKey(want) === controlKey(now.ctl)) {
      // placed already; a publication of the same version and modes (a rollback to what runs) needs only its position
      if (want.publication !== now.ctl.publication) await this.deps.policies.placed(want, o.commit.lastSeq, partition, this.deps.nodeId).catch(() => undefined);
      this.host.replica().policy = { ...now, ctl: want };
      return;
    }
    this.placingNow = { version: want.version, since: Date.now() };
    let superseded = false;
    try {
      const runnable = await this.deps.policies.runnable(want);
      if (this.host.owned() !== o) return;
      const fresh = this.host.replica().engine.freshWindowsFor(runnable.policy);
      let seq = 0;
      const swap = (warmed?: Engine): void => {
        o.commit.add('control', null, controlText(want), null);
        seq = o.commit.lastSeq;
        this.host.replica().engine.replacePolicy(runnable.policy, runnable.model, warmed);
        this.host.replica().policy = { ctl: want, runnable, seq };
      };
      if (fresh.length === 0) swap();
      else if (partitions > 1) {
        // P > 1: no engine holds the other partitions' history to warm them from (a payment's shared
        // effects name the windows it entered then): new windows start empty here, on every partition alike
        this.deps.log(`partition ${partition}: version ${want.version} starts windows empty (${fresh.join(', ')}): a cluster of ${partitions} partitions cannot warm them`);
        swap();
      }
      else {
        this.deps.log(`partition ${partition}: version ${want.version} needs windows the engine lacks (${fresh.join(', ')}): warming them from the journal before placing it`);
        // a change recorded while it warmed (a rollback, another approval) wins: this one is not placed
        const stillWanted = async (): Promise<boolean> => controlKey(await this.deps.policies.wanted()) === controlKey(want);
        if (!(await this.warm(o, runnable, stillWanted, swap))) {
          this.deps.log(`partition ${partition}: version ${want.version} was superseded while it warmed; placing what is wanted now`);
          superseded = true;
          return;
        }
      }
      await o.commit.flush();
      this.lastFailure = null;
      await this.deps.policies.placed(want, seq, partition, this.deps.nodeId);
      this.deps.log(`partition ${partition}: ${runnable.policy.name} (publication ${want.publication}) decides from journal entry ${seq + 1}`);
    } catch (e) {
      this.lastFailure = `version ${want.version}: ${(e as Error).message}`;
      if (this.host.owned() === o) this.deps.log(`partition ${partition}: cannot place version ${want.version}: ${(e as Error).message}`);
    } finally {
      this.placingNow = null;
      if (superseded && this.host.owned() === o) this.schedule(0);
    }
  }

  /**
   * Warms an engine running `runnable`: the journal replayed from JetStream up to what the live engine
   * had applied when it began, in slices with the event loop free between them, then what the live
   * engine applied meanwhile; `ready(engine)` runs in the tick it has caught up, so the swap sees no
   * event in between (as policy/warm.ts does on a data folder). False, without `ready`, when
   * `stillWanted` says after the replay that another change was recorded meanwhile.
   */
  private async warm(o: OwnerJournal, runnable: Runnable, stillWanted: () => Promise<boolean>, ready: (warmed: Engine) => void): Promise<boolean> {
    const engine = this.deps.makeEngine(runnable);
    const buffer: Array<{ seq: number; e: FkEvent; answered?: Outcome }> = [];
    const stop = o.service.observe((seq, e, answered) => buffer.push({ seq, e, answered }));
    try {
      const replayTo = o.commit.lastSeq;
      await o.commit.flush();
      let n = 0;
      for await (const e of readJournal(this.deps.cluster, this.deps.partition, { fromSeq: 1, toSeq: replayTo, sealer: this.deps.sealer })) {
        if (this.host.owned() !== o) throw new Error('the partition was lost while warming');
        if (e.type === 'input') engine.applyInput(parseInputControl(e.event, e.seq).input);
        else if (e.type !== 'control') replayEntry(engine, e, e.seq - 1);
        if ((++n & 1023) === 0) await new Promise((r) => setImmediate(r));
      }
      if (!(await stillWanted())) return false;
      await new Promise<void>((resolve, reject) => {
        let taken = 0;
        const step = (): void => {
          try {
            if (this.host.owned() !== o) throw new Error('the partition was lost while warming');
            const deadline = performance.now() + 1;
            while (taken < buffer.length) {
              const b = buffer[taken++];
              engine.apply(b.e, b.answered);
              if ((taken & 7) === 0 && performance.now() >= deadline) break;
            }
            if (taken < buffer.length) return void setImmediate(step);
            stop();
            ready(engine);
            resolve();
          } catch (e) {
            reject(e);
          }
        };
        setImmediate(step);
      });
      return true;
    } finally {
      stop();
    }
  }
}
